/**
 * `run --create-missing`: create on the target the tables that exist only on the source,
 * so a first migration into an empty database is one command. PostgreSQL gets keys first
 * and constraints after the data; SQLite gets the fix script's CREATE TABLE (constraints
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
  /** constraints and indexes to add once the data is in */
  afterLoad(): Promise<void>;
}

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
    if (missing.length === 0) return { tables: [], afterLoad: async () => undefined };
    const plan = planPostgresTables(missing, names, conn.schema);
    await conn.pg.query('BEGIN');
    try {
      for (const sql of plan.create) await conn.pg.query(sql);
      await conn.pg.query('COMMIT');
    } catch (e) {
      await conn.pg.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
    return {
      tables: missing.map((m) => m.mapping.table),
      afterLoad: async () => {
        for (const sql of plan.afterLoad) await conn.pg.query(sql);
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
  return { tables: creates.map((t) => t.table), afterLoad: async () => undefined };
}
