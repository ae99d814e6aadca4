/**
 * SQLite DDL text from a table definition in SQLite terms (names, declared types,
 * SQLite default expressions): CREATE TABLE, ADD COLUMN, CREATE INDEX. The planner
 * builds the definition from the mapped model; this file only writes SQL. Every name
 * goes through quoteIdent, so "Branch Notes"."note's text" needs nothing special.
 */
import type { CheckConstraint, Column, FkAction, ForeignKey, GeneratedSpec } from '../model/schema.js';
import { quoteIdent } from '../sql/quote.js';
import { normalizeDefault } from '../verify/default-expr.js';

export interface SqliteColumnDef {
  name: string;
  declaredType: string;
  notNull: boolean;
  /** a SQLite default expression, written as is */
  default: string | null;
  generated: GeneratedSpec | null;
  /** COLLATE name, kept from the table being rebuilt */
  collation?: string | null;
}

export interface SqliteTableDef {
  name: string;
  columns: SqliteColumnDef[];
  primaryKey: string[] | null;
  /** INTEGER PRIMARY KEY AUTOINCREMENT (kept from the table being rebuilt) */
  autoincrement: boolean;
  uniques: string[][];
  /** in SQLite names: columns of this table, parent table and parent columns */
  foreignKeys: ForeignKey[];
  checks: CheckConstraint[];
  withoutRowid: boolean;
}

export interface SqliteIndexDef {
  name: string;
  table: string;
  columns: string[];
  /** expression keys, as their SQL text */
  expressions: string[];
  unique: boolean;
}

const columnList = (cols: readonly string[]): string => `(${cols.map(quoteIdent).join(', ')})`;

/** The rowid alias form: exactly one key column declared INTEGER (lang_createtable.html#rowid). */
export function isRowidAliasKey(def: Pick<SqliteTableDef, 'columns' | 'primaryKey' | 'withoutRowid'>): boolean {
  const [only, ...rest] = def.primaryKey ?? [];
  if (only === undefined || rest.length > 0 || def.withoutRowid) return false;
  return def.columns.find((c) => c.name === only)?.declaredType.trim().toUpperCase() === 'INTEGER';
}

export function renderColumnDef(col: SqliteColumnDef, inlinePrimaryKey = ''): string {
  const parts = [quoteIdent(col.name)];
  if (col.declaredType.trim() !== '') parts.push(col.declaredType);
  if (inlinePrimaryKey) parts.push(inlinePrimaryKey);
  if (col.notNull) parts.push('NOT NULL');
  if (col.collation) parts.push(`COLLATE ${quoteIdent(col.collation)}`);
  if (col.generated) {
    parts.push(`GENERATED ALWAYS AS (${col.generated.expression}) ${col.generated.storage.toUpperCase()}`);
  } else if (col.default !== null) {
    parts.push(`DEFAULT ${defaultClause(col.default)}`);
  }
  return parts.join(' ');
}

/** SQLite accepts literals, signed numbers and CURRENT_* bare; anything else needs parentheses. */
function defaultClause(expr: string): string {
  const t = expr.trim();
  if (/^(-|\+)?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t)) return t;
  if (/^'(?:[^']|'')*'$/.test(t) || /^[xX]'[0-9a-fA-F]*'$/.test(t)) return t;
  if (/^(NULL|TRUE|FALSE|CURRENT_TIMESTAMP|CURRENT_DATE|CURRENT_TIME)$/i.test(t)) return t;
  if (t.startsWith('(') && t.endsWith(')')) return t;
  return `(${t})`;
}

const action = (verb: string, a: FkAction): string => (a === 'NO ACTION' ? '' : ` ON ${verb} ${a}`);

export function renderForeignKeyClause(fk: ForeignKey): string {
  return `REFERENCES ${quoteIdent(fk.refTable)} ${columnList(fk.refColumns)}${action('DELETE', fk.onDelete)}${action('UPDATE', fk.onUpdate)}`;
}

export function renderCreateTable(def: SqliteTableDef, opts: { ifNotExists: boolean; name?: string }): string {
  const name = opts.name ?? def.name;
  const autoincrementKey = def.autoincrement && isRowidAliasKey(def) ? (def.primaryKey?.[0] ?? null) : null;
  const lines = def.columns.map((c) => renderColumnDef(c, c.name === autoincrementKey ? 'PRIMARY KEY AUTOINCREMENT' : ''));
  if (def.primaryKey && def.primaryKey.length > 0 && autoincrementKey === null) lines.push(`PRIMARY KEY ${columnList(def.primaryKey)}`);
  for (const u of def.uniques) lines.push(`UNIQUE ${columnList(u)}`);
  for (const fk of def.foreignKeys) lines.push(`FOREIGN KEY ${columnList(fk.columns)} ${renderForeignKeyClause(fk)}`);
  for (const ck of def.checks) lines.push(`${ck.name ? `CONSTRAINT ${quoteIdent(ck.name)} ` : ''}CHECK (${ck.expression})`);
  const head = `CREATE TABLE ${opts.ifNotExists ? 'IF NOT EXISTS ' : ''}${quoteIdent(name)}`;
  return `${head} (\n  ${lines.join(',\n  ')}\n)${def.withoutRowid ? ' WITHOUT ROWID' : ''}`;
}

/** ALTER TABLE ADD COLUMN; a single-column foreign key rides along as a column constraint. */
export function renderAddColumn(table: string, col: SqliteColumnDef, fk: ForeignKey | null): string {
  return `ALTER TABLE ${quoteIdent(table)} ADD COLUMN ${renderColumnDef(col)}${fk ? ' ' + renderForeignKeyClause(fk) : ''}`;
}

export function renderCreateIndex(ix: SqliteIndexDef): string {
  const keys = [...ix.columns.map(quoteIdent), ...ix.expressions];
  return `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${quoteIdent(ix.name)} ON ${quoteIdent(ix.table)} (${keys.join(', ')})`;
}

export interface SqliteDefault {
  /** SQLite expression, or null for no default */
  sql: string | null;
  /** a literal: what ALTER TABLE ADD COLUMN accepts as a default */
  constant: boolean;
  /** the PostgreSQL default SQLite cannot express (gen_random_uuid(), nextval(...)), or null */
  dropped: string | null;
}

/** PostgreSQL keywords and functions with a SQLite spelling, keyed by normalizeDefault's text. */
const KEYWORD_DEFAULTS: Readonly<Record<string, { sql: string; constant: boolean }>> = {
  current_timestamp: { sql: 'CURRENT_TIMESTAMP', constant: false },
  current_date: { sql: 'CURRENT_DATE', constant: false },
  current_time: { sql: 'CURRENT_TIME', constant: false },
  true: { sql: '1', constant: true },
  false: { sql: '0', constant: true },
};

/** Defaults PostgreSQL fills that need no SQLite counterpart: the values arrive with the rows. */
const EXPECTED_POSTGRES_ONLY = [/^nextval\(/, /^gen_random_uuid\(\)$/, /^uuid_generate_v\d/];

/** A PostgreSQL column default in SQLite terms: now() -> CURRENT_TIMESTAMP, true -> 1, 'x'::text -> 'x'. */
export function sqliteDefaultFor(pg: Column): SqliteDefault {
  if (pg.default === null || pg.identity || pg.generated) return { sql: null, constant: true, dropped: null };
  const norm = normalizeDefault(pg.default);
  if (norm === null) return { sql: null, constant: true, dropped: null };
  // arrays travel as JSON text, so PostgreSQL's '{}' literal would not mean the same
  if (pg.type.array) return { sql: null, constant: true, dropped: pg.default };
  const keyword = KEYWORD_DEFAULTS[norm];
  if (keyword) return { ...keyword, dropped: null };
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(norm) || /^'(?:[^']|'')*'$/.test(norm)) {
    return { sql: norm, constant: true, dropped: null };
  }
  return { sql: null, constant: true, dropped: pg.default };
}

export function isExpectedPostgresOnlyDefault(expr: string): boolean {
  const norm = normalizeDefault(expr) ?? '';
  return EXPECTED_POSTGRES_ONLY.some((re) => re.test(norm));
}
