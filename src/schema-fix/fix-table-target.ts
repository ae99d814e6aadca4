/**
 * What one SQLite table should look like after the fix, column by column: the mapped
 * PostgreSQL table for a table SQLite lacks, or the existing SQLite table with only its
 * drifting columns changed (type, nullability, primary key) and the missing ones added.
 * Foreign keys are settled afterwards (fix-foreign-keys.ts), once every table's key is known.
 */
import { findColumn, type Column, type SchemaModel, type Table } from '../model/schema.js';
import { compareTypes, type CompatLevel, type PairCompat } from '../mapping/type-compat.js';
import { parseSqliteType, sqliteDeclaredTypeFor } from '../mapping/types/sqlite-types.js';
import { compareDefaults } from '../verify/default-expr.js';
import type { MappedTable, NameTranslator } from '../verify/mapped-pair.js';
import type { PreCheck, SqliteSchemaSource, SqliteTableSource } from './fix-plan.js';
import { newKeyColumnCheck, notNullCheck, primaryKeyNullCheck, duplicateKeyCheck } from './fix-pre-checks.js';
import { isExpectedPostgresOnlyDefault, sqliteDefaultFor, type SqliteColumnDef, type SqliteTableDef } from './sqlite-table-ddl.js';

export interface PlanContext {
  sqlite: SchemaModel;
  postgres: SchemaModel;
  names: NameTranslator;
  source: SqliteSchemaSource | null;
}

/** A PostgreSQL column SQLite lacks, as it will be added. */
export interface AddedColumn {
  def: SqliteColumnDef;
  pg: Column;
  /** ALTER TABLE ADD COLUMN can add it (no key, constant default, ...) */
  addable: boolean;
  /** set when a single-column FK rides along the ADD COLUMN */
  fk: SqliteTableDef['foreignKeys'][number] | null;
  note: string | null;
}

export interface TableDraft {
  mapped: MappedTable;
  /** SQLite table name */
  name: string;
  /** the SQLite table as it is now, or null when it is to be created */
  existing: Table | null;
  source: SqliteTableSource | null;
  /** the table after the fix */
  def: SqliteTableDef;
  added: AddedColumn[];
  /** drift that only a 12-step rebuild fixes */
  rebuildReasons: string[];
  preChecks: PreCheck[];
  /** left alone, with why */
  notes: string[];
  /** a STRICT table: its declared types are restricted, so it is not rebuilt or altered; at most its cursor index is added */
  frozen: boolean;
}

const RANK: Record<CompatLevel, number> = { lossless: 0, lossy: 1, incompatible: 2 };
const worst = (c: PairCompat): CompatLevel => (RANK[c.toPostgres.level] >= RANK[c.toSqlite.level] ? c.toPostgres.level : c.toSqlite.level);
const list = (cols: readonly string[]): string => `(${cols.join(', ')})`;
const INTEGER_KINDS = new Set(['smallint', 'integer', 'bigint']);

/** PostgreSQL column name -> SQLite column name, through the mapping's pairs. */
export function sqliteNameOf(t: MappedTable, pgColumn: string): string {
  return t.mapping.columns.find((p) => p.postgres === pgColumn)?.sqlite ?? pgColumn;
}

/** PostgreSQL columns the SQLite table should have: mapped (or key) columns that are written. */
function wantedPgColumns(t: MappedTable, pg: Table): Column[] {
  const m = t.mapping;
  const skip = new Set([...m.skipGenerated, ...m.localOnly.postgres]);
  const mapped = new Set(m.columns.map((p) => p.postgres));
  return [...pg.columns]
    .sort((a, b) => a.ordinal - b.ordinal)
    .filter((c) => !c.generated && !skip.has(c.name) && (mapped.has(c.name) || pg.primaryKey?.includes(c.name)));
}

/** A single integer key is declared INTEGER so SQLite makes it the rowid (and fills it like an identity). */
function declaredTypeFor(pg: Column, pgTable: Table): string {
  const key = pgTable.primaryKey;
  if (key?.length === 1 && key[0] === pg.name && INTEGER_KINDS.has(pg.type.kind) && !pg.type.array) return 'INTEGER';
  return sqliteDeclaredTypeFor(pg.type);
}

function columnFromPostgres(pg: Column, pgTable: Table, name: string, forNewTable: boolean, table: string): AddedColumn {
  const d = sqliteDefaultFor(pg);
  const notNullable = !pg.nullable;
  // Existing rows need a value: a NOT NULL column without a usable default is added nullable.
  const notNull = notNullable && (forNewTable || d.sql !== null);
  const notes: string[] = [];
  if (notNullable && !notNull) {
    notes.push(`${table}.${name}: PostgreSQL declares it NOT NULL without a default SQLite can use, so it is added nullable; fill it, then run fix-script again to make it NOT NULL`);
  }
  if (d.dropped !== null && !isExpectedPostgresOnlyDefault(d.dropped)) {
    notes.push(`${table}.${name}: PostgreSQL default ${d.dropped} has no SQLite equivalent; created without a default`);
  }
  return {
    def: { name, declaredType: declaredTypeFor(pg, pgTable), notNull, default: d.sql, generated: null },
    pg,
    addable: d.constant,
    fk: null,
    note: notes.length ? notes.join('; ') : null,
  };
}

function keepColumn(c: Column): SqliteColumnDef {
  return { name: c.name, declaredType: c.declaredType, notNull: !c.nullable, default: c.default, generated: c.generated };
}

/** CREATE TABLE options the model does not carry, read from the stored SQL when we have it. */
function tableOptions(src: SqliteTableSource | null): { autoincrement: boolean; withoutRowid: boolean; strict: boolean } {
  const sql = src?.createSql ?? '';
  const tail = /\)([^)]*)$/.exec(sql)?.[1] ?? '';
  return {
    autoincrement: /\bAUTOINCREMENT\b/i.test(sql),
    withoutRowid: /\bWITHOUT\s+ROWID\b/i.test(tail),
    strict: /\bSTRICT\b/i.test(tail),
  };
}

function emptyDraft(t: MappedTable, name: string, existing: Table | null, source: SqliteTableSource | null): TableDraft {
  return {
    mapped: t,
    name,
    existing,
    source,
    def: { name, columns: [], primaryKey: null, autoincrement: false, uniques: [], foreignKeys: [], checks: [], withoutRowid: false },
    added: [],
    rebuildReasons: [],
    preChecks: [],
    notes: [],
    frozen: false,
  };
}

/** A table PostgreSQL has and SQLite lacks: every written PostgreSQL column, its key and uniques. */
export function draftNewTable(t: MappedTable, pg: Table, ctx: PlanContext): TableDraft {
  const name = t.mapping.sqliteTable;
  const draft = emptyDraft(t, name, null, null);
  for (const c of wantedPgColumns(t, pg)) {
    const col = columnFromPostgres(c, pg, sqliteNameOf(t, c.name), true, name);
    draft.def.columns.push(col.def);
    if (col.note) draft.notes.push(col.note);
  }
  const has = (cols: string[]): boolean => cols.every((c) => draft.def.columns.some((d) => d.name === c));
  // with key translation SQLite keys rows by its own column (local_id) and keeps PostgreSQL's key in server_id
  const key = pg.primaryKey?.map((c) => ctx.names.sqliteRefColumn(pg.name, c)) ?? null;
  pg.primaryKey?.forEach((pgName, i) => {
    const sqName = key?.[i];
    const pgCol = findColumn(pg, pgName);
    if (sqName === undefined || !pgCol || has([sqName])) return;
    draft.def.columns.unshift({ name: sqName, declaredType: declaredTypeFor(pgCol, pg), notNull: true, default: null, generated: null });
  });
  const serverId = t.mapping.key.serverId;
  const holder = draft.def.columns.find((c) => c.name === serverId);
  if (serverId && holder && !key?.includes(serverId)) {
    // NULL until a row made on the terminal reaches PostgreSQL
    holder.notNull = false;
    draft.def.uniques.push([serverId]);
  }
  draft.def.primaryKey = key && has(key) ? key : null;
  draft.def.uniques.push(...pg.uniques.map((u) => u.map((c) => sqliteNameOf(t, c))).filter(has));
  if (pg.checks.length > 0) {
    draft.notes.push(`${name}: PostgreSQL CHECK constraints are not copied (their SQL is PostgreSQL's): ${pg.checks.map((c) => c.expression).join('; ')}`);
  }
  return draft;
}

/** The existing SQLite table with its drifting columns changed and PostgreSQL's missing columns added. */
export function draftExistingTable(t: MappedTable, sq: Table, pg: Table, ctx: PlanContext): TableDraft {
  const name = sq.name;
  const source = ctx.source?.get(name) ?? null;
  const draft = emptyDraft(t, name, sq, source);
  const options = tableOptions(source);
  draft.def.autoincrement = options.autoincrement;
  draft.def.withoutRowid = options.withoutRowid;
  draft.def.checks = sq.checks.map((c) => ({ ...c }));
  draft.frozen = options.strict;
  const pairBySqlite = new Map(t.mapping.columns.map((p) => [p.sqlite, p]));
  const skipped = new Set([...t.mapping.skipGenerated, ...t.mapping.localOnly.postgres]);
  for (const c of [...sq.columns].sort((a, b) => a.ordinal - b.ordinal)) {
    const col = { ...keepColumn(c), collation: source?.collations[c.name.toLowerCase()] ?? null };
    const pair = pairBySqlite.get(c.name);
    const pgc = pair && !skipped.has(pair.postgres) ? findColumn(pg, pair.postgres) : undefined;
    if (pgc && !pgc.generated && !c.generated) alignColumn(draft, col, c, pgc, t.mapping.key.serverId);
    else if (pair && !pgc && !t.mapping.localOnly.sqlite.includes(c.name)) {
      draft.notes.push(`${name}.${c.name}: exists in SQLite only; kept (add it to PostgreSQL or list it under local_only.sqlite)`);
    }
    draft.def.columns.push(col);
  }
  const wanted = wantedPgColumns(t, pg);
  for (const c of wanted) {
    const sqName = sqliteNameOf(t, c.name);
    if (findColumn(sq, sqName)) continue;
    const added = columnFromPostgres(c, pg, sqName, false, name);
    // server_id is NULL by design until the row reaches PostgreSQL: nothing to fill
    if (sqName === t.mapping.key.serverId) added.note = null;
    draft.added.push(added);
    draft.def.columns.push(added.def);
    if (added.note) draft.notes.push(added.note);
  }
  for (const c of pg.columns) {
    if (!c.generated && !skipped.has(c.name) && !wanted.includes(c) && !findColumn(sq, sqliteNameOf(t, c.name))) {
      draft.notes.push(`${name}.${c.name}: PostgreSQL column not in the mapping, so not added (run \`replicate map\`)`);
    }
  }
  planPrimaryKey(draft, sq, pg, ctx);
  planUniques(draft, sq, pg);
  return draft;
}

/** Type and nullability of a paired column; defaults are reported, never changed. */
function alignColumn(draft: TableDraft, col: SqliteColumnDef, sq: Column, pg: Column, serverId: string | null): void {
  const table = draft.name;
  const current = compareTypes(sq, pg);
  const level = worst(current);
  if (level !== 'lossless') {
    const declared = sqliteDeclaredTypeFor(pg.type);
    const better = compareTypes({ ...sq, declaredType: declared, type: parseSqliteType(declared) }, pg);
    if (RANK[worst(better)] < RANK[level] && declared.toUpperCase() !== sq.declaredType.toUpperCase()) {
      col.declaredType = declared;
      draft.rebuildReasons.push(`type of ${sq.name} ${sq.declaredType || 'untyped'} -> ${declared}`);
    } else {
      const why = [current.toPostgres.reason, current.toSqlite.reason].filter((r): r is string => r !== null);
      draft.notes.push(`${table}.${sq.name}: ${[...new Set(why)].join('; ')}; no SQLite type does better, left as is`);
    }
  }
  // key columns never hold NULL in practice; server_id is NULL by design until the row reaches PostgreSQL
  const exempt = (draft.existing?.primaryKey?.includes(sq.name) ?? false) || sq.name === serverId;
  if (!exempt && sq.nullable && !pg.nullable) {
    col.notNull = true;
    draft.rebuildReasons.push(`${sq.name} NOT NULL`);
    draft.preChecks.push(notNullCheck(table, sq.name));
  } else if (!exempt && !sq.nullable && pg.nullable) {
    col.notNull = false;
    draft.rebuildReasons.push(`${sq.name} nullable`);
  }
  if (!pg.identity && !sq.identity && compareDefaults(sq.default, pg.default) === 'different') {
    draft.notes.push(`${table}.${sq.name}: default ${sq.default ?? 'none'} in SQLite, ${pg.default ?? 'none'} in PostgreSQL; defaults are not changed`);
  }
}

function planPrimaryKey(draft: TableDraft, sq: Table, pg: Table, ctx: PlanContext): void {
  const t = draft.mapped;
  const has = (cols: string[]): boolean => cols.every((c) => draft.def.columns.some((d) => d.name === c));
  const pgKey = pg.primaryKey?.map((c) => ctx.names.sqliteRefColumn(pg.name, c)) ?? null;
  const current = sq.primaryKey;
  draft.def.primaryKey = current;
  let wanted: string[] | null = null;
  if (!current) {
    wanted = pgKey ?? (t.mapping.key.sqlite.length > 0 ? t.mapping.key.sqlite : null);
    if (!wanted) draft.notes.push(`${draft.name}: no primary key in SQLite nor PostgreSQL; add one in PostgreSQL first`);
  } else if (pg.primaryKey) {
    const currentAsPg = current.map((c) => ctx.names.pgColumn(sq.name, c));
    if (currentAsPg.join('\u0000') !== pg.primaryKey.join('\u0000')) wanted = pgKey;
  }
  if (!wanted) return;
  if (!has(wanted)) {
    draft.notes.push(`${draft.name}: primary key ${list(wanted)} names columns SQLite will not have; left as is`);
    return;
  }
  draft.def.primaryKey = wanted;
  draft.rebuildReasons.push(current ? `primary key ${list(current)} -> ${list(wanted)}` : `primary key ${list(wanted)}`);
  for (const c of wanted) {
    const col = draft.def.columns.find((d) => d.name === c);
    const before = findColumn(sq, c);
    if (!col) continue;
    col.notNull = true;
    if (!before) draft.preChecks.push(newKeyColumnCheck(draft.name, c));
    else if (before.nullable) draft.preChecks.push(primaryKeyNullCheck(draft.name, c, wanted));
  }
  if (wanted.every((c) => findColumn(sq, c))) draft.preChecks.push(duplicateKeyCheck(draft.name, wanted));
  // SQLite children may reference the old key: it stays unique so their foreign keys still resolve
  if (current && isReferenced(ctx.sqlite, sq.name, current)) draft.def.uniques.push([...current]);
}

function isReferenced(model: SchemaModel, table: string, key: string[]): boolean {
  const k = [...key].sort().join('\u0000');
  return model.tables.some((t) => t.foreignKeys.some((f) => f.refTable === table && [...f.refColumns].sort().join('\u0000') === k));
}

/** SQLite's own UNIQUE constraints, plus PostgreSQL's over columns being added. */
function planUniques(draft: TableDraft, sq: Table, pg: Table): void {
  const t = draft.mapped;
  const addedNames = new Set(draft.added.map((a) => a.def.name));
  draft.def.uniques.unshift(...sq.uniques.map((u) => [...u]));
  for (const u of pg.uniques.map((cols) => cols.map((c) => sqliteNameOf(t, c)))) {
    if (!u.some((c) => addedNames.has(c)) || !u.every((c) => draft.def.columns.some((d) => d.name === c))) continue;
    draft.def.uniques.push(u);
    for (const a of draft.added) if (u.includes(a.def.name)) a.addable = false;
    draft.rebuildReasons.push(`UNIQUE ${list(u)}`);
  }
  for (const a of draft.added) if (draft.def.primaryKey?.includes(a.def.name)) a.addable = false;
}
