/**
 * One table's fix as statements: CREATE TABLE for a missing table, ALTER TABLE ADD COLUMN
 * where SQLite allows it, otherwise the 12-step rebuild of
 * https://www.sqlite.org/lang_altertable.html#otheralter (new table beside the old one,
 * copy every row, drop, rename, re-create indexes and triggers). The caller wraps all
 * tables in one transaction with foreign_keys=OFF.
 */
import { quoteIdent, quoteLiteral } from '../sql/quote.js';
import type { FixStatement, TableFix } from './fix-plan.js';
import { sqliteNameOf, type AddedColumn, type TableDraft } from './fix-table-target.js';
import { renderAddColumn, renderCreateIndex, renderCreateTable, type SqliteIndexDef } from './sqlite-table-ddl.js';

/** Hands out index names not yet used anywhere in the SQLite schema (index names are database-wide). */
export type IndexNamer = (wanted: string) => string;

export function indexNamer(taken: Iterable<string>): IndexNamer {
  const used = new Set([...taken].map((n) => n.toLowerCase()));
  return (wanted) => {
    let name = wanted;
    for (let i = 2; used.has(name.toLowerCase()); i++) name = `${wanted}_${i}`;
    used.add(name.toLowerCase());
    return name;
  };
}

/** Prefix of the table a rebuild builds beside the old one; the introspector ignores `_replicate_` tables. */
export const REBUILD_PREFIX = '_replicate_new_';

const stmt = (sql: string, comment: string | null = null): FixStatement => ({ sql, comment });

function addedReason(a: AddedColumn): string {
  const parts = [`add column ${a.def.name}`, a.def.declaredType];
  if (a.def.notNull) parts.push('NOT NULL');
  if (a.def.default !== null) parts.push(`DEFAULT ${a.def.default}`);
  if (!a.pg.nullable && !a.def.notNull) parts.push('(nullable until filled)');
  return parts.filter((p) => p !== '').join(' ');
}

/** The cursor column's index, unless an index or key already leads with it. */
function cursorIndex(d: TableDraft, namer: IndexNamer, leadingAlready: readonly string[]): SqliteIndexDef | null {
  const cursor = d.mapped.mapping.cursor;
  if (!cursor) return null;
  const col = sqliteNameOf(d.mapped, cursor);
  // a frozen (STRICT) table keeps its shape: look at it as it is
  const after = d.frozen && d.existing ? { columns: d.existing.columns, primaryKey: d.existing.primaryKey, uniques: d.existing.uniques } : d.def;
  if (!after.columns.some((c) => c.name === col)) return null;
  const leading = new Set<string | undefined>([
    after.primaryKey?.[0],
    ...after.uniques.map((u) => u[0]),
    ...(d.existing?.indexes ?? []).filter((i) => i.origin === 'index').map((i) => i.columns[0]),
    ...leadingAlready,
  ]);
  if (leading.has(col)) return null;
  return { name: namer(`${d.name}_${col}_idx`), table: d.name, columns: [col], expressions: [], unique: false };
}

const cursorComment = (ix: SqliteIndexDef): string => `cursor column ${ix.columns[0] ?? ''}: incremental reads cost the changes, not the table`;

export function createFix(d: TableDraft, namer: IndexNamer): TableFix {
  const statements = [stmt(renderCreateTable(d.def, { ifNotExists: true }))];
  const pg = d.mapped.postgres;
  const leading: string[] = [];
  for (const ix of pg?.indexes ?? []) {
    if (ix.origin !== 'index') continue;
    const columns = ix.columns.map((c) => sqliteNameOf(d.mapped, c));
    if (ix.partial || ix.expressions.length > 0 || !columns.every((c) => d.def.columns.some((x) => x.name === c))) {
      d.notes.push(`${d.name}: PostgreSQL index ${ix.name} is not copied (partial, expression or unmapped columns)`);
      continue;
    }
    const def: SqliteIndexDef = { name: namer(ix.name), table: d.name, columns, expressions: [], unique: ix.unique };
    statements.push(stmt(renderCreateIndex(def), `index ${ix.name} as in PostgreSQL`));
    if (columns[0]) leading.push(columns[0]);
  }
  const cursor = cursorIndex(d, namer, leading);
  if (cursor) statements.push(stmt(renderCreateIndex(cursor), cursorComment(cursor)));
  const what = [`${d.def.columns.length} columns`, d.def.primaryKey ? `PRIMARY KEY (${d.def.primaryKey.join(', ')})` : 'no primary key'];
  if (d.def.foreignKeys.length) what.push(`${d.def.foreignKeys.length} foreign key${d.def.foreignKeys.length > 1 ? 's' : ''}`);
  return { table: d.name, action: 'create', reasons: [`missing in SQLite: create it (${what.join(', ')})`], statements, preChecks: d.preChecks };
}

/** ADD COLUMN for every missing column, or null when one of them needs the rebuild. */
export function addColumnsFix(d: TableDraft, namer: IndexNamer): TableFix | null {
  if (d.added.length === 0 || !d.added.every((a) => a.addable)) return null;
  const statements = d.added.map((a) => stmt(renderAddColumn(d.name, a.def, a.fk), a.note));
  const reasons = d.added.map(addedReason);
  for (const a of d.added) if (a.fk) reasons.push(`add FK ${a.def.name} -> ${a.fk.refTable}(${a.fk.refColumns.join(', ')})`);
  const cursor = cursorIndex(d, namer, []);
  if (cursor) {
    statements.push(stmt(renderCreateIndex(cursor), cursorComment(cursor)));
    reasons.push(`index on cursor column ${cursor.columns[0] ?? ''}`);
  }
  return { table: d.name, action: 'add_columns', reasons, statements, preChecks: d.preChecks };
}

export function cursorIndexFix(d: TableDraft, namer: IndexNamer): TableFix | null {
  const cursor = cursorIndex(d, namer, []);
  if (!cursor) return null;
  return {
    table: d.name,
    action: 'index',
    reasons: [`index on cursor column ${cursor.columns[0] ?? ''}`],
    statements: [stmt(renderCreateIndex(cursor), cursorComment(cursor))],
    preChecks: d.preChecks,
  };
}

export function rebuildFix(d: TableDraft, namer: IndexNamer): TableFix {
  const existing = d.existing;
  if (!existing) throw new Error(`internal: rebuild of ${d.name} without an existing table`);
  const table = quoteIdent(d.name);
  const tmpName = REBUILD_PREFIX + d.name;
  const tmp = quoteIdent(tmpName);
  const copied = existing.columns.filter((c) => !c.generated).map((c) => quoteIdent(c.name)).join(', ');
  const statements: FixStatement[] = [
    stmt(`DROP TABLE IF EXISTS ${tmp}`, '12-step rebuild (sqlite.org/lang_altertable.html#otheralter): the new table is built beside the old one'),
    stmt(renderCreateTable(d.def, { ifNotExists: false, name: tmpName })),
    stmt(`INSERT INTO ${tmp} (${copied})\n  SELECT ${copied} FROM ${table}`, 'every row is copied; columns new to SQLite get their default'),
  ];
  if (d.def.autoincrement) {
    // AUTOINCREMENT never reuses a key: carry the old high-water mark over
    statements.push(
      stmt(`DELETE FROM sqlite_sequence WHERE name = ${quoteLiteral(tmpName)}`, 'keep the AUTOINCREMENT counter'),
      stmt(`INSERT INTO sqlite_sequence (name, seq) SELECT ${quoteLiteral(tmpName)}, seq FROM sqlite_sequence WHERE name = ${quoteLiteral(d.name)}`),
    );
  }
  statements.push(stmt(`DROP TABLE ${table}`), stmt(`ALTER TABLE ${tmp} RENAME TO ${table}`));
  statements.push(...recreatedIndexes(d));
  for (const tr of d.source?.triggers ?? []) statements.push(stmt(tr.sql, `trigger ${tr.name}, as it was`));
  const cursor = cursorIndex(d, namer, []);
  if (cursor) statements.push(stmt(renderCreateIndex(cursor), cursorComment(cursor)));
  const reasons = [...d.rebuildReasons, ...d.added.map(addedReason)];
  for (const a of d.added) if (a.fk) reasons.push(`add FK ${a.def.name} -> ${a.fk.refTable}(${a.fk.refColumns.join(', ')})`);
  if (cursor) reasons.push(`index on cursor column ${cursor.columns[0] ?? ''}`);
  return { table: d.name, action: 'rebuild', reasons, statements, preChecks: d.preChecks };
}

/** The table's own indexes, verbatim from sqlite_master when we have it, else from the model. */
function recreatedIndexes(d: TableDraft): FixStatement[] {
  if (d.source) return d.source.indexes.map((ix) => stmt(ix.sql, `index ${ix.name}, as it was`));
  const out: FixStatement[] = [];
  for (const ix of d.existing?.indexes ?? []) {
    if (ix.origin !== 'index') continue;
    if (ix.partial) {
      d.notes.push(`${d.name}: partial index ${ix.name} cannot be re-created from the schema model; pass the SQLite schema source to planSqliteFix`);
      continue;
    }
    const def: SqliteIndexDef = { name: ix.name, table: d.name, columns: ix.columns, expressions: ix.expressions, unique: ix.unique };
    out.push(stmt(renderCreateIndex(def), `index ${ix.name}, as it was`));
  }
  return out;
}
