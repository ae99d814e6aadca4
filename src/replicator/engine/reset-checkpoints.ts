/**
 * `replicate reset`: forget checkpoints so the next run copies in full. It takes the
 * pair's run lock as a run does: a run going on saves its checkpoints again after each
 * batch, and would silently undo a reset made meanwhile.
 */
import { hostname } from 'node:os';
import type { Direction } from '../run-plan.js';
import { acquireRunLock } from '../state/run-lock.js';
import type { PairConfig } from './open-pair.js';
import { withStores } from './pair-status.js';

/** Forget checkpoints (of one table, in one direction, or all) so the next run is full; returns how many were forgotten. */
export function resetCheckpoints(config: PairConfig, table?: string, direction?: Direction): Promise<number> {
  return withStores(config, 'reset', async (all, ids, conn) => {
    const stores = all.filter((s) => !direction || s.direction === direction).map((s) => s.store);
    const command = `replicate reset${table !== undefined ? ` --table ${table}` : ''}${direction ? ` --direction ${direction}` : ''}`;
    // throws RunLockedError naming the run that holds the pair: nothing is forgotten then
    const lock = await acquireRunLock(conn.pg, conn.sqlite, ids, { pid: process.pid, host: hostname(), command });
    try {
      let n = 0;
      for (const store of stores) n += await store.resetCheckpoints(table);
      return n;
    } finally {
      await lock.release();
    }
  });
}
