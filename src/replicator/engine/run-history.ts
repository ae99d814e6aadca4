/**
 * A run's per-table history rows (state store recordTable), sent as each table ends and
 * confirmed one table later, so the round trip overlaps the next table's start (reading
 * its SQLite rows) instead of holding it up: an incremental run that finds little to do
 * spends most of each table on it (bench case d). The session runs statements one at a
 * time in the order they were sent, so every later statement still reaches the server
 * after the row: a run killed at any instant leaves exactly what it left when each row
 * was awaited at once. The engine confirms inside the next table's attempt, whose error
 * handling then covers the row too; a row lost with a dropped connection is sent again
 * on the new session (recordTable is an upsert by run and table).
 */
import type { PairScope, RunProgress, StateStore, TableRunStats } from '../state/state-store.js';

export class RunHistory {
  private unconfirmed: { stats: TableRunStats; sent: Promise<void> } | null = null;

  constructor(private readonly runId: string) {}

  /** Send this table's row, once the row sent before it has been confirmed. */
  async send(state: StateStore, stats: TableRunStats): Promise<void> {
    await this.confirm();
    this.post(state, stats);
  }

  /** Wait for the last row sent; throws what recordTable threw. */
  async confirm(): Promise<void> {
    const h = this.unconfirmed;
    if (!h) return;
    await h.sent;
    if (this.unconfirmed === h) this.unconfirmed = null;
  }

  /** After a reconnect: the row that may have been lost with the old session, again on the new one. */
  resend(state: StateStore): void {
    if (this.unconfirmed) this.post(state, this.unconfirmed.stats);
  }

  private post(state: StateStore, stats: TableRunStats): void {
    const sent = state.recordTable(this.runId, stats);
    sent.catch(() => undefined); // awaited by confirm()
    this.unconfirmed = { stats, sent };
  }
}

export interface TableCounts {
  read: number;
  written: number;
  skipped: number;
  rejected: number;
}

const sum = (a: TableCounts, b: Partial<TableCounts>): TableCounts => ({
  read: a.read + (b.read ?? 0),
  written: a.written + (b.written ?? 0),
  skipped: a.skipped + (b.skipped ?? 0),
  rejected: a.rejected + (b.rejected ?? 0),
});

/**
 * One table's history in a run: what its committed batches wrote, over every attempt (a
 * reconnect goes on from the checkpoint, and the rows before it stay written). Each batch
 * writes the row so far with its checkpoint, so a run cut off mid-table says what it wrote.
 */
export class TableHistory {
  private committedSoFar: TableCounts = { read: 0, written: 0, skipped: 0, rejected: 0 };
  private readonly started = Date.now();

  constructor(
    private readonly runId: string,
    readonly table: string,
  ) {}

  get committed(): TableCounts {
    return { ...this.committedSoFar };
  }

  /** the table's history row once `batch` commits too (written in the batch's transaction) */
  progress(batch: Partial<TableCounts>): RunProgress {
    return { runId: this.runId, stats: this.stats(sum(this.committedSoFar, batch), null) };
  }

  /** `batch` has committed */
  add(batch: Partial<TableCounts>): void {
    this.committedSoFar = sum(this.committedSoFar, batch);
  }

  /** the table's figures for the run: `counts` (default: what committed), timed from its first attempt */
  stats(counts: TableCounts = this.committedSoFar, error: string | null = null): TableRunStats {
    return { table: this.table, read: counts.read, written: counts.written, skipped: counts.skipped, rejected: counts.rejected, ms: Date.now() - this.started, error };
  }

  /** an attempt's figures, plus what the attempts before it (`before`: committed when it started) wrote */
  after(before: TableCounts, attempt: TableRunStats): TableRunStats {
    return { ...attempt, ...sum(before, attempt), ms: Date.now() - this.started };
  }
}

/** How a run ended, to be recorded where its history lives. */
export interface RunEnd {
  runId: string;
  status: 'failed';
  /** ISO time it ended */
  finishedAt: string;
  /** every table's row so far (upserts: rows already there are written again as they are) */
  tables: TableRunStats[];
}

/**
 * Ends this process could not record: a sqlite-to-pg run that fails because its session is
 * lost for good cannot write 'failed' into PostgreSQL. The next run on the pair in this
 * process (`run --schedule`, the TUI, a library caller) records them before it starts;
 * without one, `status` shows the run as cut off, which is all that is known then.
 */
const unrecordedEnds = new Map<string, RunEnd[]>();

const scopeKey = (scope: PairScope): string => `${scope.sqliteId}\0${scope.postgresId}\0${scope.direction}`;

async function writeEnd(state: StateStore, end: RunEnd): Promise<void> {
  for (const t of end.tables) await state.recordTable(end.runId, t);
  await state.finishRun(end.runId, end.status, end.finishedAt);
}

/** Record how a run ended; kept for the next run on the pair when the store cannot be reached. */
export async function recordEnd(state: StateStore, scope: PairScope, end: RunEnd): Promise<void> {
  try {
    await writeEnd(state, end);
  } catch {
    const key = scopeKey(scope);
    unrecordedEnds.set(key, [...(unrecordedEnds.get(key) ?? []), end]);
  }
}

/** The ends earlier runs in this process could not record, recorded now (before this run's start marks them cut off). */
export async function recordEndsLeftOver(state: StateStore, scope: PairScope): Promise<void> {
  const key = scopeKey(scope);
  const ends = unrecordedEnds.get(key);
  if (!ends) return;
  unrecordedEnds.delete(key);
  for (const end of ends) await recordEnd(state, scope, end);
}
