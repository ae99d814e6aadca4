/**
 * `replicate reset --new-id` and `reset --adopt`: the two ways on for a file refused because
 * another file with its id synced since (file-generation.ts). Each takes the pair's run lock
 * as a run does, so neither lands in the middle of a run of the other file.
 */
import { resetSqliteDatabaseId } from '../state/database-ids.js';
import { adoptFileGeneration } from '../state/file-generation.js';
import { ensurePostgresStateTables } from '../state/postgres-state-store.js';
import { acquireRunLock, thisProcess } from '../state/run-lock.js';
import type { Connections } from './direction-wiring.js';
import { withPair, type PairConfig, type PairIds } from './open-pair.js';

function withPairLocked<T>(config: PairConfig, command: string, fn: (conn: Connections, ids: PairIds) => Promise<T>): Promise<T> {
  return withPair(config, command.replace(/^replicate /, ''), async (conn, ids) => {
    await ensurePostgresStateTables(conn.pg, ['locks', 'generations']);
    // throws RunLockedError naming the run that holds the pair: nothing is changed then
    const lock = await acquireRunLock(conn.pg, conn.sqlite, ids, thisProcess(command));
    try {
      return await fn(conn, ids);
    } finally {
      await lock.release();
    }
  });
}

/**
 * A copy becomes a terminal of its own: a new id, so its next push finds no checkpoints and
 * is a full one (the id's state in PostgreSQL stays the other file's). Its pulls go on from
 * their checkpoints, which the file keeps (resetSqliteDatabaseId).
 */
export function giveFileNewId(config: PairConfig): Promise<{ oldId: string; newId: string }> {
  return withPairLocked(config, 'replicate reset --new-id', (conn, ids) => Promise.resolve({ oldId: ids.sqliteId, newId: resetSqliteDatabaseId(conn.sqlite) }));
}

/**
 * A restored backup that replaces the original goes on as it: the file takes PostgreSQL's
 * current token for its id, and the id's checkpoints stay. 'already': it was not refused;
 * 'nothing': no push under the protocol has claimed the id with this server yet.
 */
export function adoptFileId(config: PairConfig): Promise<{ sqliteId: string; outcome: 'adopted' | 'already' | 'nothing' }> {
  return withPairLocked(config, 'replicate reset --adopt', async (conn, ids) => ({ sqliteId: ids.sqliteId, outcome: await adoptFileGeneration(conn.pg, conn.sqlite, ids) }));
}
