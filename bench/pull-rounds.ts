/**
 * Case d the other way round, shown beside case c as d.scheduled is beside b (no goal of
 * its own): a terminal pulling the central database's changes. Each round changes another
 * 0.1% of orders and order lines in PostgreSQL (a new value and a later `updated_at`, as
 * change-rows.ts does in SQLite) and runs one `replicate run --direction pg-to-sqlite`
 * command on case c's loaded file, timed from spawn to exit like d's rounds.
 */
import { withClient } from './pg-admin.js';
import { runReplicate, type ReplicateRun } from './replicate-run.js';

export interface PullRound {
  run: ReplicateRun;
  changed: number;
}

/**
 * Updates every (1/fraction)-th order (by a hash of its key) and order line (by id) in
 * PostgreSQL; round n (from 1) picks other rows than the rounds before it and stamps them a
 * day later than round n - 1's (in 2025: later than the generated rows, earlier than now,
 * so below a run's late-commit cap). Returns how many rows changed.
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

/** `rounds` rounds of (change, `before()`, one incremental pg-to-sqlite command); stops at the first failed run. */
export async function pullRounds(o: {
  sqlitePath: string;
  url: string;
  rounds: number;
  fraction: number;
  before: () => Promise<void>;
  timeoutMs: number;
  measure?: <T>(fn: () => Promise<T>) => Promise<{ value: T; server: number | null }>;
}): Promise<(PullRound & { server: number | null })[]> {
  const out: (PullRound & { server: number | null })[] = [];
  const measure = o.measure ?? (async <T>(fn: () => Promise<T>) => ({ value: await fn(), server: null }));
  for (let round = 1; round <= o.rounds; round++) {
    const changed = await changePostgresFraction(o.url, o.fraction, round);
    await o.before();
    const { value: run, server } = await measure(() => runReplicate({ sqlitePath: o.sqlitePath, pgUrl: o.url, direction: 'pg-to-sqlite', timeoutMs: o.timeoutMs }));
    out.push({ run, changed, server });
    if (run.code !== 0 && run.code !== 3) break;
  }
  return out;
}
