/**
 * `replicate reset`: forget checkpoints so the next run copies in full. It takes the
 * pair's run lock as a run does: a run going on saves its checkpoints again after each
 * batch, and would silently undo a reset made meanwhile.
 */
import { PostgresIntrospector } from '../../introspect/postgres-introspector.js';
import { SqliteIntrospector } from '../../introspect/sqlite-introspector.js';
import { loadMappingDir } from '../../mapping/mapping-dir.js';
import { compareTableNames, resolveMappings } from '../../mapping/resolve-mappings.js';
import type { LoadedMapping } from '../../mapping/table-mapping.js';
import { unknownTablesError } from '../plan/build-run-plan.js';
import type { Direction } from '../run-plan.js';
import { acquireRunLock, thisProcess } from '../state/run-lock.js';
import type { StateStore } from '../state/state-store.js';
import type { Connections } from './direction-wiring.js';
import type { PairConfig } from './open-pair.js';
import { withStores } from './pair-status.js';

/**
 * Refuse a table the pair does not have, as `run --tables` does. Known: the mapped tables
 * (PostgreSQL names) and any table a checkpoint is kept for (one since unmapped can still
 * be forgotten).
 */
async function refuseUnknownTable(conn: Connections, config: PairConfig, table: string, stores: readonly StateStore[]): Promise<void> {
  const files = config.mappingsDir ? await loadMappingDir(config.mappingsDir) : new Map<string, LoadedMapping>();
  const sqlite = new SqliteIntrospector(conn.sqlite).introspectSync();
  const postgres = await new PostgresIntrospector(conn.pg, conn.schema).introspect();
  const { mappings } = resolveMappings(sqlite, postgres, files);
  const known = new Set(mappings.map((m) => m.mapping.table));
  for (const store of stores) for (const c of (await store.summary(0)).checkpoints) known.add(c.table);
  if (!known.has(table)) throw unknownTablesError('table', [table], mappings, [...known].sort(compareTableNames));
}

/** Forget checkpoints (of one table, in one direction, or all) so the next run is full; returns how many were forgotten. */
export function resetCheckpoints(config: PairConfig, table?: string, direction?: Direction): Promise<number> {
  return withStores(config, 'reset', async (all, ids, conn) => {
    const stores = all.filter((s) => !direction || s.direction === direction).map((s) => s.store);
    if (table !== undefined) await refuseUnknownTable(conn, config, table, stores);
    const command = `replicate reset${table !== undefined ? ` --table ${table}` : ''}${direction ? ` --direction ${direction}` : ''}`;
    // throws RunLockedError naming the run that holds the pair: nothing is forgotten then
    const lock = await acquireRunLock(conn.pg, conn.sqlite, ids, thisProcess(command));
    try {
      let n = 0;
      for (const store of stores) n += await store.resetCheckpoints(table);
      return n;
    } finally {
      await lock.release();
    }
  });
}
