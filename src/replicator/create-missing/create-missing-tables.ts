/**
 * `run --create-missing`: create on the target the tables that exist only on the source,
 * so a first migration into an empty database is one command. PostgreSQL gets keys
 * first, or after the data where that is safe (key-values.ts); each table's FKs and indexes are recorded as owed in the same transaction and
 * added once it and its parents hold their rows (owed-constraints-apply.ts), by this run
 * or, if it is cut off, the next one. SQLite gets the fix script's CREATE TABLE
 * (constraints inline, as SQLite requires).
 */
import type { SchemaPair } from '../../introspect/introspect-pair.js';
import type { Table } from '../../model/schema.js';
import type { NameTranslator } from '../../mapping/name-translator.js';
import type { LoadedMapping } from '../../mapping/table-mapping.js';
import { planSqliteFix } from '../../schema-fix/plan-sqlite-fix.js';
import { readSqliteSchemaSourceFrom } from '../../schema-fix/sqlite-schema-source.js';
import type { Connections } from '../engine/direction-wiring.js';
import { ensurePostgresStateTables } from '../state/postgres-state-store.js';
import { recordOwed } from '../state/owed-constraints.js';
import type { PairScope } from '../state/state-store.js';
import { CHECKED_KEY_TIMING } from './key-values.js';
import { planPostgresTables } from './postgres-tables-from-sqlite.js';

export interface CreatedTables {
  tables: string[];
}

/** Is a SQLite text sent to the target byte for byte (key-values.ts): a UTF-8 file, a UTF8 (or SQL_ASCII) database? */
async function textKeysOneToOne(conn: Connections): Promise<boolean> {
  const sqlite = conn.sqlite.pragma('encoding', { simple: true });
  const pg = await conn.pg.query<{ server_encoding: string }>('SHOW server_encoding');
  return sqlite === 'UTF-8' && ['UTF8', 'SQL_ASCII'].includes(pg.rows[0]?.server_encoding ?? '');
}

/** The tables of `mappings` that SQLite has and PostgreSQL has not. */
function missingInPostgres(schemas: SchemaPair, mappings: readonly LoadedMapping[]): { mapping: LoadedMapping['mapping']; sqlite: Table }[] {
  return mappings
    .map((m) => ({ mapping: m.mapping, sqlite: schemas.sqlite.tables.find((t) => t.name === m.mapping.sqliteTable) }))
    .filter((x): x is { mapping: typeof x.mapping; sqlite: Table } => !!x.sqlite && !schemas.postgres.tables.some((t) => t.name === x.mapping.table));
}

/** --dry-run --create-missing: per table a sqlite-to-pg run would create, when its primary key would be built (nothing is written). */
export async function createdKeysPreview(conn: Connections, schemas: SchemaPair, mappings: readonly LoadedMapping[], names: NameTranslator): Promise<{ table: string; note: string }[]> {
  const missing = missingInPostgres(schemas, mappings);
  if (missing.length === 0) return [];
  const plan = planPostgresTables(missing, names, conn.schema, await textKeysOneToOne(conn));
  return missing.map(({ mapping }) => {
    const key = plan.keyTiming.get(mapping.table);
    const when = !key
      ? 'no primary key'
      : key.after === 'always'
        ? `primary key (${key.columns.join(', ')}) after the data too, built from the rows in one go`
        : key.after === 'checked'
          ? `primary key (${key.columns.join(', ')}) after the data too, ${CHECKED_KEY_TIMING}`
          : `primary key (${key.columns.join(', ')}) with the table (SQLite does not hold its values unique, or two of them could become one key in PostgreSQL)`;
    return { table: mapping.table, note: `${mapping.table}: --create-missing creates it (foreign keys and indexes after the data; ${when})` };
  });
}

export async function createMissingTables(
  conn: Connections,
  scope: PairScope,
  schemas: SchemaPair,
  mappings: readonly LoadedMapping[],
  names: NameTranslator,
): Promise<CreatedTables> {
  if (scope.direction === 'sqlite-to-pg') {
    const missing = missingInPostgres(schemas, mappings);
    if (missing.length === 0) return { tables: [] };
    const plan = planPostgresTables(missing, names, conn.schema, await textKeysOneToOne(conn));
    await ensurePostgresStateTables(conn.pg, ['owed_constraints']);
    await conn.pg.query('BEGIN');
    try {
      for (const sql of plan.create) await conn.pg.query(sql);
      // what the tables are owed commits with them: a run cut off before adding it leaves it owed
      await recordOwed(conn.pg, scope, [...plan.afterLoad].flatMap(([table, statements]) => statements.map((s) => ({ table, ...s }))));
      await conn.pg.query('COMMIT');
    } catch (e) {
      await conn.pg.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
    return { tables: missing.map((m) => m.mapping.table) };
  }
  const fix = planSqliteFix(schemas, mappings, readSqliteSchemaSourceFrom(conn.sqlite));
  const creates = fix.tables.filter((t) => t.action === 'create');
  if (creates.length > 0) {
    conn.sqlite.transaction(() => {
      for (const t of creates) for (const s of t.statements) conn.sqlite.exec(s.sql);
    })();
  }
  return { tables: creates.map((t) => t.table) };
}
