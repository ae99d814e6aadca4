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
import type { StateStore, TableRunStats } from '../state/state-store.js';

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
