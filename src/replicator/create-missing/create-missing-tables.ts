/**
 * `run --create-missing`: create on the target the tables that exist only on the source,
 * so a first migration into an empty database is one command. PostgreSQL gets keys first
 * and each table's FKs and indexes once it and its parents hold their rows (while later
 * tables load), the rest after all the data; SQLite gets the fix script's CREATE TABLE (constraints
 * inline, as SQLite requires).
 */
import type { SchemaPair } from '../../introspect/introspect-pair.js';
import type { NameTranslator } from '../../mapping/name-translator.js';
import type { LoadedMapping } from '../../mapping/table-mapping.js';
import { planSqliteFix } from '../../schema-fix/plan-sqlite-fix.js';
import { readSqliteSchemaSourceFrom } from '../../schema-fix/sqlite-schema-source.js';
import type { Connections } from '../engine/direction-wiring.js';
import type { Direction } from '../run-plan.js';
import { planPostgresTables } from './postgres-tables-from-sqlite.js';

export interface CreatedTables {
  tables: string[];
  /**
   * `table` and every table its FKs reference hold all their rows: its constraints and
   * indexes are added now, on a second session, while the next tables load (the server's
   * second core is mostly idle then). Runs in the background; afterLoad() waits for it.
   */
  tableLoaded(table: string): void;
  /** constraints and indexes of the tables not done yet, once all the data is in; `rest` false (an interrupted run): only waits for what is under way */
  afterLoad(rest?: boolean): Promise<void>;
}

const NOTHING: Omit<CreatedTables, 'tables'> = { tableLoaded: () => undefined, afterLoad: async () => undefined };

export async function createMissingTables(
  conn: Connections,
  direction: Direction,
  schemas: SchemaPair,
  mappings: readonly LoadedMapping[],
  names: NameTranslator,
): Promise<CreatedTables> {
  if (direction === 'sqlite-to-pg') {
    const missing = mappings
      .map((m) => ({ mapping: m.mapping, sqlite: schemas.sqlite.tables.find((t) => t.name === m.mapping.sqliteTable) }))
      .filter((x): x is { mapping: typeof x.mapping; sqlite: NonNullable<typeof x.sqlite> } => !!x.sqlite && !schemas.postgres.tables.some((t) => t.name === x.mapping.table));
    if (missing.length === 0) return { tables: [], ...NOTHING };
    const plan = planPostgresTables(missing, names, conn.schema);
    await conn.pg.query('BEGIN');
    try {
      for (const sql of plan.create) await conn.pg.query(sql);
      await conn.pg.query('COMMIT');
    } catch (e) {
      await conn.pg.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
    // one table's statements after another, on the second session (or the run's own without one)
    const session = conn.spare ?? (async () => conn.pg);
    let queue: Promise<void> = Promise.resolve();
    let failure: unknown = null;
    const start = (table: string): void => {
      const statements = plan.afterLoad.get(table);
      plan.afterLoad.delete(table);
      if (!statements || statements.length === 0) return;
      queue = queue.then(async () => {
        if (failure !== null) return;
        try {
          const client = await session();
          for (const sql of statements) await client.query(sql);
        } catch (e) {
          failure ??= e;
        }
      });
    };
    return {
      tables: missing.map((m) => m.mapping.table),
      tableLoaded: start,
      afterLoad: async (rest = true) => {
        if (rest) for (const table of [...plan.afterLoad.keys()]) start(table);
        await queue;
        if (failure !== null) throw failure;
      },
    };
  }
  const fix = planSqliteFix(schemas, mappings, readSqliteSchemaSourceFrom(conn.sqlite));
  const creates = fix.tables.filter((t) => t.action === 'create');
  if (creates.length > 0) {
    conn.sqlite.transaction(() => {
      for (const t of creates) for (const s of t.statements) conn.sqlite.exec(s.sql);
    })();
  }
  return { tables: creates.map((t) => t.table), ...NOTHING };
}
