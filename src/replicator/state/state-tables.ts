/**
 * The one definition of replicate's own tables (state, ids, locks), turned into DDL for
 * each dialect by knex's schema builder, used only to generate SQL (it never connects).
 * PostgreSQL keeps them in schema `replicate`, SQLite in tables prefixed `_replicate_`
 * (both ignored by the introspectors). DESIGN.md "Replication semantics", last point.
 */
import { createRequire } from 'node:module';
import type { Knex } from 'knex';
import { quoteIdent } from '../../sql/quote.js';

export type StateDialect = 'postgres' | 'sqlite';

export type StateTableName = 'meta' | 'checkpoints' | 'skipped_rows' | 'rejected_rows' | 'runs' | 'run_tables' | 'locks' | 'owed_constraints' | 'push_marks' | 'generations';

type ColumnKind = 'text' | 'integer' | 'bigint' | 'timestamp';

interface StateColumn {
  name: string;
  kind: ColumnKind;
  nullable?: boolean;
}

interface StateTable {
  columns: StateColumn[];
  primaryKey: string[];
  /** index name suffix -> columns */
  indexes: Record<string, string[]>;
}

/** PostgreSQL schema that holds the state tables of every pair that targets the database. */
export const STATE_SCHEMA = 'replicate';

/** Every pair-state row carries these, so terminals and directions never share state. */
const SCOPE: StateColumn[] = [
  { name: 'sqlite_id', kind: 'text' },
  { name: 'postgres_id', kind: 'text' },
  { name: 'direction', kind: 'text' },
];
const SCOPE_KEY = SCOPE.map((c) => c.name);
/** The run lock is per pair whatever the direction: a run in either direction excludes the other. */
const PAIR_KEY = ['sqlite_id', 'postgres_id'];

const TABLES: Record<StateTableName, StateTable> = {
  // the database's own id (SQLite: key 'database_id'; PostgreSQL: one key per data schema)
  meta: {
    columns: [
      { name: 'key', kind: 'text' },
      { name: 'value', kind: 'text' },
    ],
    primaryKey: ['key'],
    indexes: {},
  },
  checkpoints: {
    columns: [...SCOPE, { name: 'table_name', kind: 'text' }, { name: 'position', kind: 'text' }, { name: 'updated_at', kind: 'timestamp' }],
    primaryKey: [...SCOPE_KEY, 'table_name'],
    indexes: {},
  },
  skipped_rows: {
    columns: [
      ...SCOPE,
      { name: 'table_name', kind: 'text' },
      { name: 'row_key', kind: 'text' },
      // JSON array text: one definition for both dialects
      { name: 'fk_columns', kind: 'text' },
      { name: 'parent_table', kind: 'text' },
      { name: 'parent_key', kind: 'text' },
      { name: 'first_seen', kind: 'timestamp' },
      { name: 'last_tried', kind: 'timestamp' },
      { name: 'attempts', kind: 'integer' },
    ],
    primaryKey: [...SCOPE_KEY, 'table_name', 'row_key', 'fk_columns'],
    indexes: {},
  },
  rejected_rows: {
    columns: [
      ...SCOPE,
      { name: 'table_name', kind: 'text' },
      { name: 'row_key', kind: 'text' },
      { name: 'column_name', kind: 'text', nullable: true },
      { name: 'reason', kind: 'text' },
      { name: 'code', kind: 'text', nullable: true },
      { name: 'first_seen', kind: 'timestamp' },
      { name: 'last_tried', kind: 'timestamp' },
      { name: 'attempts', kind: 'integer' },
    ],
    primaryKey: [...SCOPE_KEY, 'table_name', 'row_key'],
    indexes: {},
  },
  runs: {
    columns: [
      ...SCOPE,
      { name: 'run_id', kind: 'text' },
      { name: 'started_at', kind: 'timestamp' },
      { name: 'finished_at', kind: 'timestamp', nullable: true },
      { name: 'status', kind: 'text' },
    ],
    primaryKey: [...SCOPE_KEY, 'run_id'],
    indexes: { by_start: [...SCOPE_KEY, 'started_at'] },
  },
  run_tables: {
    columns: [
      ...SCOPE,
      { name: 'run_id', kind: 'text' },
      { name: 'table_name', kind: 'text' },
      // order the tables were recorded in (the run's FK order)
      { name: 'seq', kind: 'integer' },
      { name: 'rows_read', kind: 'bigint' },
      { name: 'rows_written', kind: 'bigint' },
      { name: 'rows_skipped', kind: 'bigint' },
      { name: 'rows_rejected', kind: 'bigint' },
      { name: 'ms', kind: 'bigint' },
      { name: 'error', kind: 'text', nullable: true },
    ],
    primaryKey: [...SCOPE_KEY, 'run_id', 'table_name'],
    indexes: {},
  },
  // PostgreSQL only: keys, FKs and indexes of tables `run --create-missing` created, not added yet
  // (recorded with the CREATE TABLE, removed with the statement that adds them)
  owed_constraints: {
    columns: [
      ...SCOPE,
      { name: 'table_name', kind: 'text' },
      { name: 'name', kind: 'text' },
      // 'primary key' | 'foreign key' | 'index'
      { name: 'kind', kind: 'text' },
      // the statement that adds it (a foreign key: ADD CONSTRAINT ... NOT VALID; VALIDATE follows)
      { name: 'statement', kind: 'text' },
      // for people: "(customer_id) -> customers (id)", "UNIQUE (email)"
      { name: 'detail', kind: 'text' },
      // a foreign key's parent table (PostgreSQL name)
      { name: 'parent_table', kind: 'text', nullable: true },
      // order within the table (foreign keys first, as planned)
      { name: 'seq', kind: 'integer' },
      { name: 'since', kind: 'timestamp' },
    ],
    primaryKey: [...SCOPE_KEY, 'table_name', 'name'],
    indexes: {},
  },
  locks: {
    columns: [
      ...SCOPE.filter((c) => PAIR_KEY.includes(c.name)),
      { name: 'pid', kind: 'integer' },
      { name: 'host', kind: 'text' },
      { name: 'started_at', kind: 'timestamp' },
      { name: 'command', kind: 'text' },
      // PostgreSQL: the session holding the advisory lock, so a stale row is never named as holder
      { name: 'backend_pid', kind: 'integer', nullable: true },
    ],
    primaryKey: PAIR_KEY,
    indexes: {},
  },
  // PostgreSQL only: one row per sqlite-to-pg batch that wrote rows of a table with a cursor,
  // the lowest cursor it wrote (push-marks.ts): how a terminal's pull learns that another
  // terminal pushed rows stamped below its checkpoint. Shared by every terminal of a schema.
  push_marks: {
    columns: [
      { name: 'postgres_id', kind: 'text' },
      { name: 'table_name', kind: 'text' },
      // the pushing transaction's id (pg_current_xact_id), read against a snapshot's xmin
      { name: 'xact', kind: 'bigint' },
      // the pushing file, whose own pulls skip the mark
      { name: 'sqlite_id', kind: 'text' },
      // the lowest cursor written, as PostgreSQL's text of it; '' with from_start = 1
      { name: 'min_cursor', kind: 'text' },
      // 1: a COPY into the empty table; a pull reads the table again from the start
      { name: 'from_start', kind: 'integer' },
      { name: 'pushed_at', kind: 'timestamp' },
    ],
    primaryKey: ['postgres_id', 'table_name', 'xact', 'sqlite_id', 'min_cursor'],
    indexes: { by_time: ['postgres_id', 'pushed_at'] },
  },
  // PostgreSQL only: which file last synced as this SQLite id, so a copy sharing the id is
  // refused (file-generation.ts); the file keeps its token in `_replicate_meta`
  generations: {
    columns: [
      ...SCOPE.filter((c) => PAIR_KEY.includes(c.name)),
      // null until the first claim completes
      { name: 'current_token', kind: 'text', nullable: true },
      // the claim going on: a run cut off after writing it to the file is accepted with it
      { name: 'pending_token', kind: 'text', nullable: true },
      { name: 'updated_at', kind: 'timestamp' },
    ],
    primaryKey: PAIR_KEY,
    indexes: {},
  },
};

interface DialectTraits {
  knexConfig: Knex.Config;
  schema: string | null;
  tableName(name: StateTableName): string;
  types: Record<ColumnKind, string>;
}

const DIALECTS: Record<StateDialect, DialectTraits> = {
  postgres: {
    knexConfig: { client: 'pg' },
    schema: STATE_SCHEMA,
    tableName: (name) => name,
    types: { text: 'text', integer: 'integer', bigint: 'bigint', timestamp: 'timestamptz' },
  },
  sqlite: {
    knexConfig: { client: 'better-sqlite3', useNullAsDefault: true },
    schema: null,
    // the brief and DESIGN call the SQLite lock table `_replicate_lock` (one lock row per pair)
    tableName: (name) => (name === 'locks' ? '_replicate_lock' : `_replicate_${name}`),
    // timestamps as ISO-8601 UTC text: SQLite has no time type and compares text
    types: { text: 'TEXT', integer: 'INTEGER', bigint: 'INTEGER', timestamp: 'TEXT' },
  },
};

/** The table's name in that dialect, unquoted and without schema. */
export function stateTableName(dialect: StateDialect, name: StateTableName): string {
  return DIALECTS[dialect].tableName(name);
}

/** The quoted reference to use in SQL: "replicate"."checkpoints" or "_replicate_checkpoints". */
export function stateTableRef(dialect: StateDialect, name: StateTableName): string {
  const d = DIALECTS[dialect];
  const table = quoteIdent(d.tableName(name));
  return d.schema ? `${quoteIdent(d.schema)}.${table}` : table;
}

const builders = new Map<StateDialect, Knex>();
const ddlCache = new Map<string, string[]>();

/**
 * What stateTableDdl gives for every table, written by knex when the CLI is bundled
 * (scripts/bundle-cli.mjs defines it from allStateTableDdl): a first run (a migration, a
 * first pg-to-sqlite load, the demo) then never loads knex, ~0.1 s of its start. The
 * library build has no such constant and asks knex.
 */
declare const STATE_TABLE_DDL: Readonly<Record<string, readonly string[]>> | undefined;
const PREBUILT: Readonly<Record<string, readonly string[]>> = typeof STATE_TABLE_DDL === 'undefined' ? {} : STATE_TABLE_DDL;

type KnexFactory = (config: Knex.Config) => Knex;

/** knex is loaded on first use, not at import: it adds ~0.2 s to every CLI start otherwise. */
function loadKnex(): KnexFactory {
  return createRequire(import.meta.url)('knex') as KnexFactory;
}

function builder(dialect: StateDialect): Knex {
  let k = builders.get(dialect);
  if (!k) {
    k = loadKnex()(DIALECTS[dialect].knexConfig);
    builders.set(dialect, k);
  }
  return k;
}

/** knex writes plain CREATE TABLE / CREATE INDEX; ours must be safe to run every time. */
function idempotent(sql: string): string {
  const out = sql.replace(/^create table /i, 'create table if not exists ').replace(/^create (unique )?index /i, 'create $1index if not exists ');
  if (out === sql) throw new Error(`state table DDL is not a CREATE TABLE or CREATE INDEX: ${sql}`);
  return out;
}

/** CREATE TABLE / CREATE INDEX statements (all IF NOT EXISTS) for the given tables. */
export function stateTableDdl(dialect: StateDialect, names: readonly StateTableName[]): string[] {
  return names.flatMap((name) => {
    const cacheKey = `${dialect}:${name}`;
    const cached = ddlCache.get(cacheKey) ?? PREBUILT[cacheKey];
    if (cached) return [...cached];
    const d = DIALECTS[dialect];
    const def = TABLES[name];
    const tableName = d.tableName(name);
    const schema = d.schema ? builder(dialect).schema.withSchema(d.schema) : builder(dialect).schema;
    const statements = schema
      .createTable(tableName, (t) => {
        for (const c of def.columns) {
          const col = t.specificType(c.name, d.types[c.kind]);
          if (!c.nullable) col.notNullable();
        }
        t.primary(def.primaryKey, `${tableName}_pkey`);
        for (const [suffix, columns] of Object.entries(def.indexes)) t.index(columns, `${tableName}_${suffix}`);
      })
      .toSQL()
      .map((q) => idempotent(q.sql));
    ddlCache.set(cacheKey, statements);
    return statements;
  });
}

/** Every table of pair state (what a state store's ensure() creates). */
export const PAIR_STATE_TABLES: readonly StateTableName[] = ['checkpoints', 'skipped_rows', 'rejected_rows', 'runs', 'run_tables'];

/** Every state table's statements in both dialects, keyed as stateTableDdl caches them: for the CLI bundle. */
export function allStateTableDdl(): Record<string, string[]> {
  const all: Record<string, string[]> = {};
  for (const dialect of Object.keys(DIALECTS) as StateDialect[]) {
    for (const name of Object.keys(TABLES) as StateTableName[]) all[`${dialect}:${name}`] = stateTableDdl(dialect, [name]);
  }
  return all;
}
