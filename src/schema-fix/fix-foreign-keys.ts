/**
 * Foreign keys after the fix, in SQLite names: PostgreSQL's foreign keys brought over
 * through the mappings (missing ones added, differing ON DELETE/UPDATE aligned), SQLite's
 * own extra ones kept. A key is only added when its parent will exist in SQLite with a
 * matching primary key or UNIQUE constraint; otherwise SQLite would fail every write
 * with "foreign key mismatch".
 */
import { findColumn, type ForeignKey, type Table } from '../model/schema.js';
import type { PlanContext, TableDraft } from './fix-table-target.js';
import { orphanCheck } from './fix-pre-checks.js';

const list = (cols: readonly string[]): string => `(${cols.join(', ')})`;
const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');
const sameList = (a: readonly string[], b: readonly string[]): boolean => a.join('\u0000') === b.join('\u0000');

function uniqueIndexKeys(t: Table | null): string[][] {
  return (t?.indexes ?? []).filter((i) => i.unique && !i.partial && i.expressions.length === 0).map((i) => i.columns);
}

/** Column sets SQLite accepts as a parent key of `table` once the fix is applied, or null when the table will not exist. */
function parentKeys(table: string, drafts: ReadonlyMap<string, TableDraft>, ctx: PlanContext): string[][] | null {
  const d = drafts.get(table);
  if (d && !d.frozen) return [d.def.primaryKey ?? [], ...d.def.uniques, ...uniqueIndexKeys(d.existing)].filter((k) => k.length > 0);
  const t = d?.existing ?? ctx.sqlite.tables.find((x) => x.name === table);
  if (!t) return null;
  return [t.primaryKey ?? [], ...t.uniques, ...uniqueIndexKeys(t)].filter((k) => k.length > 0);
}

/** A PostgreSQL foreign key in SQLite names, or why it cannot be added. */
function toSqliteFk(fk: ForeignKey, draft: TableDraft, drafts: ReadonlyMap<string, TableDraft>, ctx: PlanContext): ForeignKey | string {
  const pgTable = draft.mapped.mapping.table;
  const columns = fk.columns.map((c) => ctx.names.sqliteColumn(pgTable, c));
  const refTable = ctx.names.sqliteTable(fk.refTable);
  const refColumns = fk.refColumns.map((c) => ctx.names.sqliteRefColumn(fk.refTable, c));
  const text = `FK ${columns.join(', ')} -> ${refTable}${list(refColumns)}`;
  if (!columns.every((c) => draft.def.columns.some((d) => d.name === c))) return `${draft.name}: ${text} not added: SQLite will not have ${list(columns)}`;
  const keys = parentKeys(refTable, drafts, ctx);
  if (!keys) return `${draft.name}: ${text} not added: SQLite has no table ${refTable}`;
  if (!keys.some((k) => sameSet(k, refColumns))) {
    return `${draft.name}: ${text} not added: ${refTable}${list(refColumns)} is neither the primary key nor UNIQUE in SQLite`;
  }
  return { name: null, columns, refTable, refColumns, onDelete: fk.onDelete, onUpdate: fk.onUpdate };
}

export function describeFk(fk: ForeignKey): string {
  return `FK ${fk.columns.join(', ')} -> ${fk.refTable}${list(fk.refColumns)}`;
}

export function planForeignKeys(draft: TableDraft, drafts: ReadonlyMap<string, TableDraft>, ctx: PlanContext): void {
  const pg = draft.mapped.postgres;
  if (!pg) return;
  const existing = draft.existing;
  if (!existing) {
    for (const fk of pg.foreignKeys) {
      const mapped = toSqliteFk(fk, draft, drafts, ctx);
      if (typeof mapped === 'string') draft.notes.push(mapped);
      else draft.def.foreignKeys.push(mapped);
    }
    return;
  }
  const result = existing.foreignKeys.map((f) => ({ ...f, columns: [...f.columns], refColumns: [...f.refColumns] }));
  // SQLite's keys in PostgreSQL names, to find which PostgreSQL key each one is
  const asPg = existing.foreignKeys.map((f) => ({
    columns: f.columns.map((c) => ctx.names.pgColumn(existing.name, c)),
    refTable: ctx.names.pgTable(f.refTable),
    refColumns: f.refColumns.map((c) => ctx.names.pgColumn(f.refTable, c)),
  }));
  const matched = new Set<number>();
  for (const fk of pg.foreignKeys) {
    const i = asPg.findIndex((s) => sameList(s.columns, fk.columns) && s.refTable === fk.refTable && sameList(s.refColumns, fk.refColumns));
    const current = result[i];
    if (i >= 0 && current) {
      matched.add(i);
      const changes = [
        current.onDelete !== fk.onDelete ? `ON DELETE ${current.onDelete} -> ${fk.onDelete}` : null,
        current.onUpdate !== fk.onUpdate ? `ON UPDATE ${current.onUpdate} -> ${fk.onUpdate}` : null,
      ].filter((c): c is string => c !== null);
      if (changes.length === 0) continue;
      current.onDelete = fk.onDelete;
      current.onUpdate = fk.onUpdate;
      draft.rebuildReasons.push(`${describeFk(current)}: ${changes.join(', ')}`);
      continue;
    }
    const mapped = toSqliteFk(fk, draft, drafts, ctx);
    if (typeof mapped === 'string') {
      draft.notes.push(mapped);
      continue;
    }
    // a SQLite key on the same columns pointing elsewhere gives way to PostgreSQL's
    const j = existing.foreignKeys.findIndex((f, k) => !matched.has(k) && sameList(f.columns, mapped.columns));
    const replaced = existing.foreignKeys[j];
    if (replaced) {
      matched.add(j);
      result[j] = mapped; // result[k] mirrors existing.foreignKeys[k]; new keys only go after them
      draft.rebuildReasons.push(`${describeFk(replaced)} replaced by ${describeFk(mapped)}`);
      addOrphanCheck(draft, mapped, ctx);
      continue;
    }
    result.push(mapped);
    addForeignKey(draft, mapped, ctx);
  }
  existing.foreignKeys.forEach((f, i) => {
    if (!matched.has(i)) draft.notes.push(`${draft.name}: ${describeFk(f)} exists in SQLite only; kept`);
  });
  draft.def.foreignKeys = result;
}

/** A new key: rides along ADD COLUMN when it is on one new column with no default, otherwise needs the rebuild. */
function addForeignKey(draft: TableDraft, fk: ForeignKey, ctx: PlanContext): void {
  const existing = draft.existing;
  if (!existing) return;
  const [only, ...rest] = fk.columns;
  const added = rest.length === 0 ? draft.added.find((a) => a.def.name === only) : undefined;
  if (added && added.def.default === null && added.addable) {
    added.fk = fk;
    return;
  }
  draft.rebuildReasons.push(`add ${describeFk(fk)}`);
  addOrphanCheck(draft, fk, ctx);
}

function addOrphanCheck(draft: TableDraft, fk: ForeignKey, ctx: PlanContext): void {
  const existing = draft.existing;
  // rows only stand in the way when every child column already holds values
  if (!existing || !fk.columns.every((c) => findColumn(existing, c))) return;
  const parentNow = ctx.sqlite.tables.find((t) => t.name === fk.refTable);
  const parentExists = !!parentNow && fk.refColumns.every((c) => findColumn(parentNow, c));
  draft.preChecks.push(
    orphanCheck({ table: draft.name, columns: fk.columns, parent: fk.refTable, parentColumns: fk.refColumns, parentExists }),
  );
}
