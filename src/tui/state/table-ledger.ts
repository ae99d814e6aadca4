/**
 * One table's ledgers in one direction as the TUI shows them: exact counts, and the rows
 * themselves up to a display limit, by their ledger key (the rows carry display keys). Every run retries the ledger first and re-emits a
 * skip (or reject) for each row still waiting, so rows not re-emitted by the end of that
 * retry have landed and leave the display.
 */
import type { RejectedRow, WaitingRow } from './tui-snapshot.js';

export const ROWS_SHOWN_PER_TABLE = 200;

export class TableLedger {
  waitingCount = 0;
  rejectedCount = 0;
  readonly waiting = new Map<string, WaitingRow>();
  readonly rejected = new Map<string, RejectedRow>();
  /** rows from before this run's ledger retry, until it ends */
  private before: { waiting: Map<string, WaitingRow>; rejected: Map<string, RejectedRow> } | null = null;
  private retried = { waiting: 0, rejected: 0 };

  constructor(private readonly limit = ROWS_SHOWN_PER_TABLE) {}

  /** the table starts in a run: what follows first is the ledger retry */
  startRetry(): void {
    this.before = { waiting: new Map(this.waiting), rejected: new Map(this.rejected) };
    this.waiting.clear();
    this.rejected.clear();
    this.retried = { waiting: 0, rejected: 0 };
  }

  /** the ledger retry is over (its event, or the first batch of the scan) */
  endRetry(retriedAny: boolean): void {
    if (!this.before) return;
    if (retriedAny) {
      // exact: each row still waiting was re-emitted
      this.waitingCount = this.retried.waiting;
      this.rejectedCount = this.retried.rejected;
    } else {
      // nothing was retried (rows only a second pass retries): keep what the ledger said
      for (const [k, r] of this.before.waiting) if (this.waiting.size < this.limit) this.waiting.set(k, r);
      for (const [k, r] of this.before.rejected) if (this.rejected.size < this.limit) this.rejected.set(k, r);
      this.waitingCount += this.retried.waiting;
      this.rejectedCount += this.retried.rejected;
    }
    this.before = null;
  }

  skip(row: WaitingRow, key: string): void {
    const old = this.before?.waiting.get(key) ?? this.waiting.get(key);
    if (this.before) this.retried.waiting++;
    else if (!this.waiting.has(key)) this.waitingCount++;
    if (old) this.waiting.set(key, { ...old, attempts: old.attempts + 1, parentKey: row.parentKey, parentTable: row.parentTable });
    else if (this.waiting.size < this.limit) this.waiting.set(key, row);
    // a row that waits again is no longer rejected
    if (this.rejected.delete(key) && !this.before) this.rejectedCount = Math.max(0, this.rejectedCount - 1);
  }

  reject(row: RejectedRow, key: string): void {
    const old = this.before?.rejected.get(key) ?? this.rejected.get(key);
    if (this.before) this.retried.rejected++;
    else if (!this.rejected.has(key)) this.rejectedCount++;
    if (old) this.rejected.set(key, { ...row, firstSeen: old.firstSeen, values: old.values });
    else if (this.rejected.size < this.limit) this.rejected.set(key, row);
    if (this.waiting.delete(key) && !this.before) this.waitingCount = Math.max(0, this.waitingCount - 1);
  }

  /** ledger keys of the rows shown, waiting first */
  keys(): string[] {
    return [...new Set([...this.waiting.keys(), ...this.rejected.keys()])];
  }

  /** the source row's values (the Data tab's peek) */
  setValues(key: string, values: Record<string, string>): void {
    const w = this.waiting.get(key);
    if (w) this.waiting.set(key, { ...w, values });
    const r = this.rejected.get(key);
    if (r) this.rejected.set(key, { ...r, values });
  }

  /** what the state tables say (status): replaces counts and rows */
  replace(counts: { waiting: number; rejected: number }, waiting: { key: string; row: WaitingRow }[], rejected: { key: string; row: RejectedRow }[]): void {
    this.before = null;
    this.waitingCount = counts.waiting;
    this.rejectedCount = counts.rejected;
    const keepValues = new Map([...this.waiting, ...this.rejected].map(([k, r]) => [k, r.values]));
    this.waiting.clear();
    this.rejected.clear();
    for (const { key, row } of waiting.slice(0, this.limit)) this.waiting.set(key, { ...row, values: row.values ?? keepValues.get(key) ?? null });
    for (const { key, row } of rejected.slice(0, this.limit)) this.rejected.set(key, { ...row, values: row.values ?? keepValues.get(key) ?? null });
  }
}
