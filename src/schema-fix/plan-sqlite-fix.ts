/**
 * Plans the SQL that aligns a SQLite database with PostgreSQL under the mappings: the
 * contents of scripts/fix-sqlite-schema.sql (DESIGN.md "The three jobs", 1). Pure: the
 * two schema models and the mappings in, a FixPlan out. PostgreSQL is never changed;
 * what only PostgreSQL can fix, and what SQLite has of its own, is listed as left alone.
 */
import type { SchemaPair } from '../introspect/introspect-pair.js';
import type { LoadedMapping } from '../mapping/table-mapping.js';
import { findColumn } from '../model/schema.js';
import { hasLeadingIndex } from '../verify/diff-constraints.js';
import { NameTranslator, pairTables, type MappedTable } from '../verify/mapped-pair.js';
import type { FixPlan, SqliteSchemaSource, TableFix } from './fix-plan.js';
import { planForeignKeys } from './fix-foreign-keys.js';
import { addColumnsFix, createFix, cursorIndexFix, indexNamer, rebuildFix, type IndexNamer } from './fix-statements.js';
import { draftExistingTable, draftNewTable, type PlanContext, type TableDraft } from './fix-table-target.js';

/**
 * `source` (readSqliteSchemaSource) carries the stored SQL of indexes and triggers: with
 * it a rebuild re-creates them verbatim, without it indexes are re-created from the model
 * and triggers cannot be (applyFixScript then refuses to lose them).
 */
export function planSqliteFix(pair: SchemaPair, mappings: readonly LoadedMapping[], source?: SqliteSchemaSource): FixPlan {
  const ctx: PlanContext = {
    sqlite: pair.sqlite,
    postgres: pair.postgres,
    names: new NameTranslator(mappings.map((m) => m.mapping)),
    source: source ?? null,
  };
  const leftAlone: string[] = [];
  const drafts = new Map<string, TableDraft>();
  for (const t of pairTables(pair.sqlite, pair.postgres, mappings)) {
    leftAlone.push(...postgresSideNotes(t));
    if (!t.postgres) continue;
    const draft = t.sqlite ? draftExistingTable(t, t.sqlite, t.postgres, ctx) : draftNewTable(t, t.postgres, ctx);
    if (drafts.has(draft.name)) {
      leftAlone.push(`${draft.name}: more than one mapping names this SQLite table; only the first (${drafts.get(draft.name)?.mapped.mapping.table ?? ''}) is fixed`);
      continue;
    }
    drafts.set(draft.name, draft);
  }
  for (const d of drafts.values()) planForeignKeys(d, drafts, ctx);
  for (const d of drafts.values()) d.def.uniques = dedupe(d.def.uniques);

  // tables and indexes share one namespace in SQLite; so do the tables this plan creates
  const namer = indexNamer([...pair.sqlite.tables.flatMap((t) => [t.name, ...t.indexes.map((i) => i.name)]), ...drafts.keys()]);
  const fixes = new Map<string, TableFix>();
  for (const d of dependencyOrder([...drafts.values()])) {
    const fix = tableFix(d, namer);
    if (fix) fixes.set(d.name, fix);
  }
  // notes in mapping order (stable), after the fixes added theirs
  for (const d of drafts.values()) leftAlone.push(...d.notes);
  return { tables: [...fixes.values()], leftAlone: [...new Set(leftAlone)] };
}

function tableFix(d: TableDraft, namer: IndexNamer): TableFix | null {
  if (!d.existing) return createFix(d, namer);
  const changes = [...d.rebuildReasons, ...d.added.map((a) => `add column ${a.def.name}`)];
  if (d.frozen) {
    if (changes.length > 0) d.notes.push(`${d.name}: a STRICT table, not changed (its declared types are restricted); it would need: ${changes.join('; ')}`);
    return cursorIndexFix(d, namer);
  }
  if (d.rebuildReasons.length > 0 || !d.added.every((a) => a.addable)) return rebuildFix(d, namer);
  return addColumnsFix(d, namer) ?? cursorIndexFix(d, namer);
}

/** What only PostgreSQL, or nobody, can fix: reported, never scripted. */
function postgresSideNotes(t: MappedTable): string[] {
  const notes: string[] = [];
  const { sqlite, postgres, mapping } = t;
  if (sqlite && !postgres) {
    notes.push(`${sqlite.name}: exists in SQLite only; kept (create it in PostgreSQL to replicate it)`);
    if (!sqlite.primaryKey) notes.push(`${sqlite.name}: no primary key in SQLite, and none in PostgreSQL to take; add one in the app's schema`);
  }
  if (!postgres) return notes;
  if (!postgres.primaryKey) notes.push(`${postgres.name}: no primary key in PostgreSQL; add one there (fix-script only changes SQLite)`);
  const cursor = mapping.cursor;
  if (cursor && findColumn(postgres, cursor) && !hasLeadingIndex(postgres, cursor)) {
    notes.push(`${postgres.name}.${cursor}: cursor column without an index in PostgreSQL; create it there`);
  }
  return notes;
}

function dedupe(keys: string[][]): string[][] {
  const seen = new Set<string>();
  return keys.filter((k) => {
    const id = k.join('\u0000');
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * Parents before children: each table's depth is one more than its deepest parent's
 * (self-references ignored, a cycle cut where it closes), then by depth and name.
 */
function dependencyOrder(drafts: TableDraft[]): TableDraft[] {
  const byName = new Map(drafts.map((d) => [d.name, d]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (d: TableDraft): number => {
    const known = depth.get(d.name);
    if (known !== undefined) return known;
    if (visiting.has(d.name)) return 0;
    visiting.add(d.name);
    const parents = d.def.foreignKeys.map((f) => byName.get(f.refTable)).filter((p): p is TableDraft => !!p && p !== d);
    const value = parents.length === 0 ? 0 : 1 + Math.max(...parents.map(depthOf));
    visiting.delete(d.name);
    depth.set(d.name, value);
    return value;
  };
  return [...drafts].sort((a, b) => depthOf(a) - depthOf(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
