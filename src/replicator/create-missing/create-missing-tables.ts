/**
 * `run --create-missing`: create on the target the tables that exist only on the source,
 * so a first migration into an empty database is one command. PostgreSQL gets keys
 * first, or after the data where that is safe (key-values.ts); each table's FKs and indexes are recorded as owed in the same transaction and
 * added once it and its parents hold their rows (owed-constraints-apply.ts), by this run
 * or, if it is cut off, the next one. SQLite gets the fix script's CREATE TABLE
 * (constraints inline, as SQLite requires).
 *
 * Planned first (planMissingTables), written after (createMissingTables): the run and
 * `--dry-run` share the plan, so both create, and refuse, the same tables.
 */
import Database from 'better-sqlite3';
import { PlanError } from '../../errors.js';
import type { SchemaPair } from '../../introspect/introspect-pair.js';
import { SqliteIntrospector } from '../../introspect/sqlite-introspector.js';
import type { SchemaModel, Table } from '../../model/schema.js';
import type { NameTranslator } from '../../mapping/name-translator.js';
import type { LoadedMapping } from '../../mapping/table-mapping.js';
import type { TableFix } from '../../schema-fix/fix-plan.js';
import { planSqliteFix } from '../../schema-fix/plan-sqlite-fix.js';
import { readSqliteSchemaSourceFrom } from '../../schema-fix/sqlite-schema-source.js';
import type { Connections } from '../engine/direction-wiring.js';
import type { Direction } from '../run-plan.js';
import { ensurePostgresStateTables } from '../state/postgres-state-store.js';
import { recordOwed } from '../state/owed-constraints.js';
import type { PairScope } from '../state/state-store.js';
import { CHECKED_KEY_TIMING } from './key-values.js';
import { planPostgresTables, type CreatePlan } from './postgres-tables-from-sqlite.js';

export interface CreatedTables {
  tables: string[];
}

/** What `--create-missing` will create, decided before anything is written. */
export interface MissingTablesPlan {
  /** PostgreSQL names, parents first */
  tables: string[];
  /** the pair's schemas as they will be once the tables are created: what the plan is built from */
  schemas: SchemaPair;
  /** per table created: what it gets, and what follows its data */
  notes: string[];
  /** sqlite-to-pg: the statements; pg-to-sqlite: the fix script's entries */
  into: { side: 'postgres'; plan: CreatePlan } | { side: 'sqlite'; fixes: TableFix[] } | null;
}

const LABEL = { sqlite: 'SQLite', postgres: 'PostgreSQL' } as const;

/** Is a SQLite text sent to the target byte for byte (key-values.ts): a UTF-8 file, a UTF8 (or SQL_ASCII) database? */
async function textKeysOneToOne(conn: Connections): Promise<boolean> {
  const sqlite = conn.sqlite.pragma('encoding', { simple: true });
  const pg = await conn.pg.query<{ server_encoding: string }>('SHOW server_encoding');
  return sqlite === 'UTF-8' && ['UTF8', 'SQL_ASCII'].includes(pg.rows[0]?.server_encoding ?? '');
}

interface Missing {
  mapping: LoadedMapping['mapping'];
  source: Table;
}

/** The tables of `mappings` (those --tables names, when given) that the source has and the target has not. */
function missingOnTarget(direction: Direction, schemas: SchemaPair, mappings: readonly LoadedMapping[], only: readonly string[] | undefined): Missing[] {
  const toPg = direction === 'sqlite-to-pg';
  return mappings
    .filter((m) => !only || only.includes(m.mapping.table))
    .flatMap(({ mapping }) => {
      const source = toPg ? schemas.sqlite.tables.find((t) => t.name === mapping.sqliteTable) : schemas.postgres.tables.find((t) => t.name === mapping.table);
      const onTarget = toPg ? schemas.postgres.tables.some((t) => t.name === mapping.table) : schemas.sqlite.tables.some((t) => t.name === mapping.sqliteTable);
      return source && !onTarget ? [{ mapping, source }] : [];
    });
}

/**
 * Refuses, before anything is written, what would leave a created table the run cannot
 * load or a foreign key that cannot be added: a table with no key to upsert by, and a
 * foreign key to a parent the target lacks and this run does not create.
 */
function refuseUnloadable(direction: Direction, missing: readonly Missing[], schemas: SchemaPair, names: NameTranslator, only: readonly string[] | undefined): void {
  const [source, target] = direction === 'sqlite-to-pg' ? (['sqlite', 'postgres'] as const) : (['postgres', 'sqlite'] as const);
  const keyless = missing.filter((m) => m.mapping.key.postgres.length === 0).map((m) => m.mapping.table);
  if (keyless.length > 0) {
    const one = keyless.length === 1;
    throw new PlanError(
      keyless,
      `no primary key in ${LABEL[source]} and none set in ${one ? 'its mapping' : 'their mappings'}, so --create-missing would create ${one ? 'a table' : 'tables'} this run cannot upsert into; ` +
        `nothing was created. Add a primary key in ${LABEL[source]}, set \`key\` in the mapping file (\`replicate map\` writes one), or leave ${one ? 'it' : 'them'} out with --tables`,
    );
  }
  const created = new Set(missing.map((m) => m.mapping.table));
  const onTarget = (pgName: string): boolean =>
    target === 'postgres' ? schemas.postgres.tables.some((t) => t.name === pgName) : schemas.sqlite.tables.some((t) => t.name === names.sqliteTable(pgName));
  for (const { mapping, source: table } of missing) {
    for (const fk of table.foreignKeys) {
      const parent = source === 'sqlite' ? names.pgTable(fk.refTable) : fk.refTable;
      if (created.has(parent) || onTarget(parent)) continue;
      const columns = fk.columns.map((c) => (source === 'sqlite' ? names.pgColumn(table.name, c) : c)).join(', ');
      throw new PlanError(
        [mapping.table],
        `its foreign key (${columns}) references ${parent}, which is missing in ${LABEL[target]} and ${only ? 'not in --tables' : 'not created by this run'}, so --create-missing cannot create it with that key; ` +
          `nothing was created. ${only ? `Add ${parent} to --tables (it is then created and its rows copied too), or create it in ${LABEL[target]} first` : `Create ${parent} in ${LABEL[target]} first`}`,
      );
    }
  }
}

/** When a created PostgreSQL table's primary key is built, for the plan. */
function keyTimingText(key: { columns: string[]; after: 'always' | 'checked' | 'no' } | undefined): string {
  if (!key) return 'no primary key';
  const cols = key.columns.join(', ');
  if (key.after === 'always') return `primary key (${cols}) after the data too, built from the rows in one go`;
  if (key.after === 'checked') return `primary key (${cols}) after the data too, ${CHECKED_KEY_TIMING}`;
  return `primary key (${cols}) with the table (SQLite does not hold its values unique, or two of them could become one key in PostgreSQL)`;
}

/** The SQLite tables the fix's statements create, as SQLite describes them: made in memory, the file untouched. */
function sqliteTablesOf(fixes: readonly TableFix[]): Table[] {
  const scratch = new Database(':memory:');
  try {
    for (const f of fixes) for (const s of f.statements) scratch.exec(s.sql);
    return new SqliteIntrospector(scratch).introspectSync().tables;
  } finally {
    scratch.close();
  }
}

/** A created SQLite table's constraints and indexes, for the plan. */
function sqliteTableText(t: Table): string {
  const key = t.primaryKey ? `primary key (${t.primaryKey.join(', ')})` : 'no primary key';
  const fks = t.foreignKeys.map((fk) => `(${fk.columns.join(', ')}) -> ${fk.refTable} (${fk.refColumns.join(', ')})`);
  const inline = fks.length > 0 ? `${key} and foreign key${fks.length > 1 ? 's' : ''} ${fks.join(', ')}` : key;
  const indexes = t.indexes.filter((i) => i.origin === 'index').map((i) => `${i.name} (${i.columns.join(', ')})`);
  return `${inline} in its CREATE TABLE, where SQLite declares constraints${indexes.length > 0 ? `; index${indexes.length > 1 ? 'es' : ''} ${indexes.join(', ')}` : ''}`;
}

function withTables(model: SchemaModel, tables: readonly Table[]): SchemaModel {
  return { ...model, tables: [...model.tables, ...tables].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
}

/** What --create-missing would create for a run over `only` (--tables; all tables without it). Writes nothing. */
export async function planMissingTables(
  conn: Connections,
  direction: Direction,
  schemas: SchemaPair,
  mappings: readonly LoadedMapping[],
  names: NameTranslator,
  only?: readonly string[],
): Promise<MissingTablesPlan> {
  const missing = missingOnTarget(direction, schemas, mappings, only);
  if (missing.length === 0) return { tables: [], schemas, notes: [], into: null };
  refuseUnloadable(direction, missing, schemas, names, only);
  if (direction === 'sqlite-to-pg') {
    const plan = planPostgresTables(
      missing.map((m) => ({ mapping: m.mapping, sqlite: m.source })),
      names,
      conn.schema,
      await textKeysOneToOne(conn),
    );
    const notes = missing.flatMap(({ mapping: { table } }) => {
      const after = (plan.afterLoad.get(table) ?? []).filter((a) => a.kind !== 'primary key');
      const listed = after.map((a) => `${a.kind} ${a.name} ${a.detail}`).join('; ');
      return [
        `${table}: --create-missing creates it (foreign keys and indexes after the data; ${keyTimingText(plan.keyTiming.get(table))})`,
        ...(listed ? [`${table}: after its data: ${listed}`] : []),
      ];
    });
    return { tables: missing.map((m) => m.mapping.table), schemas: { ...schemas, postgres: withTables(schemas.postgres, plan.tables) }, notes, into: { side: 'postgres', plan } };
  }
  const wanted = new Set(missing.map((m) => m.mapping.sqliteTable));
  const fixes = planSqliteFix(schemas, mappings, readSqliteSchemaSourceFrom(conn.sqlite)).tables.filter((t) => t.action === 'create' && wanted.has(t.table));
  const tables = sqliteTablesOf(fixes);
  return {
    tables: fixes.map((f) => names.pgTable(f.table)),
    schemas: { ...schemas, sqlite: withTables(schemas.sqlite, tables) },
    notes: fixes.flatMap((f) => tables.filter((t) => t.name === f.table).map((t) => `${names.pgTable(t.name)}: --create-missing creates it (${sqliteTableText(t)})`)),
    into: { side: 'sqlite', fixes },
  };
}

/** Carries out planMissingTables's plan: one transaction on the target. */
export async function createMissingTables(conn: Connections, scope: PairScope, planned: MissingTablesPlan): Promise<CreatedTables> {
  const into = planned.into;
  if (!into) return { tables: [] };
  if (into.side === 'postgres') {
    await ensurePostgresStateTables(conn.pg, ['owed_constraints']);
    await conn.pg.query('BEGIN');
    try {
      for (const sql of into.plan.create) await conn.pg.query(sql);
      // what the tables are owed commits with them: a run cut off before adding it leaves it owed
      await recordOwed(conn.pg, scope, [...into.plan.afterLoad].flatMap(([table, statements]) => statements.map((s) => ({ table, ...s }))));
      await conn.pg.query('COMMIT');
    } catch (e) {
      await conn.pg.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
    return { tables: planned.tables };
  }
  if (into.fixes.length > 0) {
    conn.sqlite.transaction(() => {
      for (const t of into.fixes) for (const s of t.statements) conn.sqlite.exec(s.sql);
    })();
  }
  return { tables: planned.tables };
}
