/**
 * `replicate status`: what the state tables say about a pair, both directions (state for
 * sqlite-to-pg lives in PostgreSQL, for pg-to-sqlite in SQLite). `reset`: reset-checkpoints.ts.
 */
import { checkFileGeneration } from '../state/file-generation.js';
import { SharedDatabaseIdError } from '../../errors.js';
import { DIRECTIONS, type Direction } from '../run-plan.js';
import type { RejectEntry, RunRecord, SkipEntry, StateStore, StateSummary } from '../state/state-store.js';
import { currentRunLock, runLockCommand } from '../state/run-lock.js';
import { listOwed, type OwedConstraint } from '../state/owed-constraints.js';
import { stateStoreFor, type Connections } from './direction-wiring.js';
import { withPair, type PairConfig, type PairIds } from './open-pair.js';

export interface PairStatus {
  sqliteId: string;
  postgresId: string;
  /**
   * another file with this file's id pushed since this one last did (a copy, or a restored
   * backup): this file's pushes are refused (state/file-generation.ts), and the
   * sqlite-to-pg state below is the other file's
   */
  sharedId: boolean;
  directions: {
    direction: Direction;
    summary: StateSummary;
    oldestWaiting: SkipEntry[];
    oldestRejected: RejectEntry[];
    /** FKs and indexes of tables --create-missing created, not added yet (the next run in that direction adds them) */
    owed: OwedConstraint[];
  }[];
}

/** The pair opened, its ids read and both directions' state stores ready, for `fn`; closed after. */
export function withStores<T>(
  config: PairConfig,
  purpose: string,
  fn: (stores: { direction: Direction; store: StateStore }[], ids: PairIds, conn: Connections) => Promise<T>,
): Promise<T> {
  return withPair(config, purpose, async (conn, ids) => {
    const stores = DIRECTIONS.map((direction) => ({ direction, store: stateStoreFor(direction, conn, { ...ids, direction }) }));
    for (const s of stores) await s.store.ensure();
    return fn(stores, ids, conn);
  });
}

/**
 * Runs the history calls running, as they are: only the newest, and only while a live
 * process holds the pair's lock for that direction (runs start under it), still runs. The
 * others were cut off (killed, crashed, or their session lost before they could record
 * their end); their tables say what their committed batches wrote.
 */
function cutOffRuns(runs: RunRecord[], stillRunning: boolean): RunRecord[] {
  let live = stillRunning;
  return runs.map((r) => {
    if (r.status !== 'running') return r;
    if (live) {
      live = false; // newest first: the one the lock is held for
      return r;
    }
    return { ...r, status: 'cut-off' };
  });
}

/**
 * `fn` over the items one at a time: the stores share the pair's one PostgreSQL session, and
 * pg deprecates a query sent while another is running (a DeprecationWarning on stderr).
 */
async function inTurn<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
}

/** `rowsPerTable`: how many of each table's oldest waiting and rejected rows to list (the TUI shows more than `status`). */
export function readStatus(config: PairConfig, rowsPerTable = 1): Promise<PairStatus> {
  return withStores(config, 'status', async (stores, ids, conn) => {
    const lock = await currentRunLock(conn.pg, conn.sqlite, ids);
    const sharedId = await checkFileGeneration(conn.pg, conn.sqlite, ids, '').then(
      () => false,
      (e: unknown) => {
        if (e instanceof SharedDatabaseIdError) return true;
        throw e;
      },
    );
    return {
      ...ids,
      sharedId,
      directions: await inTurn(stores, async (s) => {
        const read = await s.store.summary(5);
        const running = lock !== null && (lock.holder === null || lock.holder.command === runLockCommand(s.direction));
        const summary = { ...read, lastRuns: cutOffRuns(read.lastRuns, running) };
        // the oldest waiting rows of each table, with their keys and missing parents
        const oldestWaiting = (await inTurn(summary.skipped, (k) => s.store.listSkipped(k.table))).flatMap((l) => l.slice(0, rowsPerTable));
        const oldestRejected = (await inTurn(summary.rejected, (k) => s.store.listRejected(k.table))).flatMap((l) => l.slice(0, rowsPerTable));
        // only PostgreSQL targets are owed anything: SQLite tables are created with their constraints
        const owed = s.direction === 'sqlite-to-pg' ? await listOwed(conn.pg, { ...ids, direction: s.direction }) : [];
        return { direction: s.direction, summary, oldestWaiting, oldestRejected, owed };
      }),
    };
  });
}
