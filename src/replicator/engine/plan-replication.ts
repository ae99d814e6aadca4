/**
 * `run --dry-run`: the plan the run would carry out, with each table's estimated rows,
 * writing nothing (not even the state tables or the file's id). With --create-missing it
 * plans the tables the run would create as if they were there (plan-on-pair.ts).
 */
import { NameTranslator } from '../../mapping/name-translator.js';
import { storedOwedConstraints } from '../create-missing/owed-constraints-apply.js';
import { createPostgresReader } from '../io/postgres-reader.js';
import { createSqliteReader } from '../io/sqlite-reader.js';
import { compileRowFilter } from '../plan/row-filter.js';
import { storedDatabaseIds } from '../state/database-ids.js';
import { checkFileGeneration, sharedIdWhere } from '../state/file-generation.js';
import type { RunPlan, TablePlan } from '../run-plan.js';
import { wireDirection, type Connections } from './direction-wiring.js';
import { openPair, type PairConfig } from './open-pair.js';
import { planOnPair, planWithMissingTables } from './plan-on-pair.js';
import type { RunOptions } from './run-replication.js';

/** The source's rows of a table the target does not have yet: read from the source alone (the wiring would look at the target). */
async function sourceRows(conn: Connections, options: RunOptions, t: TablePlan, config: PairConfig): Promise<number> {
  const fromSqlite = options.direction === 'sqlite-to-pg';
  const filter = compileRowFilter(t, fromSqlite ? 'sqlite' : 'postgres', config.params ?? {});
  const reader = fromSqlite ? createSqliteReader(conn.sqlite, t, { filter }) : createPostgresReader(conn.pg, conn.schema, t, filter);
  return reader.estimateRows();
}

export async function planReplication(config: PairConfig, options: RunOptions): Promise<RunPlan> {
  const pair = await openPair(config, 'run --dry-run');
  try {
    // a push the run would refuse (a copy of the file synced since) is refused here as well
    if (options.direction === 'sqlite-to-pg') {
      const ids = await storedDatabaseIds(pair.conn.sqlite, pair.conn.pg, pair.conn.schema);
      if (ids) await checkFileGeneration(pair.conn.pg, pair.conn.sqlite, ids, sharedIdWhere(config.pgUrl, pair.conn.schema));
    }
    const first = await planOnPair(pair.conn, config, options);
    let plan = first.plan;
    let created: readonly string[] = [];
    if (options.createMissing) {
      const { missing, planned } = await planWithMissingTables(pair.conn, config, options, first);
      plan = planned.plan;
      created = missing.tables;
      plan.notes.push(...missing.notes);
    }
    const owed = await storedOwedConstraints(pair.conn, options.direction);
    if (owed.length > 0) plan.owed = owed;
    const wiring = wireDirection(options.direction, pair.conn, { sqliteId: '', postgresId: '', direction: options.direction }, plan.tables, config.params);
    const names = new NameTranslator([]);
    const planned = new Set(plan.tables.map((t) => t.table));
    for (const t of plan.tables) {
      if (created.includes(t.table)) {
        t.estimatedRows = await sourceRows(pair.conn, options, t, config);
        continue;
      }
      const w = await wiring.table(t, names, planned);
      t.estimatedRows = await w.reader.estimateRows();
      // a table whose parent is created by the run: how its first load goes depends on that parent, not there yet
      if (t.foreignKeys.some((fk) => created.includes(fk.refTable))) continue;
      const firstLoad = await w.firstLoad();
      if (firstLoad) plan.notes.push(`${t.table}: ${firstLoad}`);
    }
    return plan;
  } finally {
    await pair.close();
  }
}
