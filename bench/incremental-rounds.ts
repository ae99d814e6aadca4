/**
 * Case d's rounds, either way: each round the app changes another 0.1% of rows on the
 * source side, then one `replicate run --json` command runs incrementally, timed from
 * spawn to exit. Case d runs them sqlite-to-pg on case b's pair (the edit in SQLite,
 * change-rows.ts); d.pull runs them pg-to-sqlite on case c's file, with the edit made in
 * PostgreSQL (changePostgresFraction below), the pull a terminal makes.
 */
import { withClient } from './pg-admin.js';
import { runReplicate, type Direction, type ReplicateRun } from './replicate-run.js';

export interface IncrementalRound {
  run: ReplicateRun;
  /** rows the round's edit changed */
  changed: number;
  /** the server's CPU seconds during the run, where measured */
  server: number | null;
}

export interface IncrementalRoundsOptions {
  sqlitePath: string;
  url: string;
  direction: Direction;
  rounds: number;
  /** the edit of round `round` (from 1); how many rows it changed */
  change: (round: number) => number | Promise<number>;
  /** after the edit, before the run (a CHECKPOINT) */
  before: () => Promise<void>;
  timeoutMs: number;
  batchSize?: number;
  /** wraps each run, giving the server's CPU time meanwhile */
  measure?: <T>(fn: () => Promise<T>) => Promise<{ value: T; server: number | null }>;
  /** told each round's number and changed rows before its run (a log line) */
  onRound?: (round: number, changed: number) => void;
}

/** `rounds` rounds of (edit, `before()`, one incremental command); stops after the first run that fails. */
export async function incrementalRounds(o: IncrementalRoundsOptions): Promise<IncrementalRound[]> {
  const out: IncrementalRound[] = [];
  const measure = o.measure ?? (async <T>(fn: () => Promise<T>) => ({ value: await fn(), server: null }));
  for (let round = 1; round <= o.rounds; round++) {
    const changed = await o.change(round);
    o.onRound?.(round, changed);
    await o.before();
    const run = { sqlitePath: o.sqlitePath, pgUrl: o.url, direction: o.direction, timeoutMs: o.timeoutMs, ...(o.batchSize ? { batchSize: o.batchSize } : {}) };
    const { value, server } = await measure(() => runReplicate(run));
    out.push({ run: value, changed, server });
    if (value.code !== 0 && value.code !== 3) break;
  }
  return out;
}

/**
 * The pull's edit, in PostgreSQL: updates every (1/fraction)-th order (by a hash of its key)
 * and order line (by id); round n (from 1) picks other rows than the rounds before it and
 * stamps them a day later than round n - 1's (in 2025: later than the generated rows,
 * earlier than now, so below a run's late-commit cap). Returns how many rows changed.
 */
export async function changePostgresFraction(url: string, fraction: number, round: number): Promise<number> {
  const every = Math.max(1, Math.round(1 / fraction));
  const offset = (round - 1) % every;
  const stamp = `timestamptz '2025-06-01 00:00:00+00' + interval '${round - 1} days'`;
  return withClient(url, async (c) => {
    await c.query('BEGIN');
    const orders = await c.query(
      `UPDATE orders SET notes = 'pulled by the terminal', updated_at = ${stamp} + (abs(hashtext(id::text)) % 86400) * interval '1 second'
        WHERE abs(hashtext(id::text)) % $1 = $2`,
      [every, offset],
    );
    const items = await c.query(`UPDATE order_items SET quantity = quantity + 1, updated_at = ${stamp} + (id % 86400) * interval '1 second' WHERE id % $1 = $2`, [every, offset]);
    await c.query('COMMIT');
    return (orders.rowCount ?? 0) + (items.rowCount ?? 0);
  });
}
