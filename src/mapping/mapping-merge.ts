/**
 * Merges a freshly generated mapping into the user's file. The file is edited as a
 * yaml Document in place, so comments, ordering and every value the user chose
 * survive; only columns and foreign keys the schemas gained or lost, and the
 * fingerprint, change. Each change is reported.
 */
import { isMap, isScalar, isSeq, parseDocument, YAMLSeq, type Document } from 'yaml';
import { MappingError } from '../errors.js';
import { parseMappingYaml } from './mapping-schema.js';
import { columnEntry, foreignKeyEntry, YAML_OUTPUT } from './mapping-yaml.js';
import type { TableMapping } from './table-mapping.js';

export interface MappingChange {
  table: string;
  kind: 'created' | 'column_added' | 'column_removed' | 'fk_added' | 'fk_removed' | 'fingerprint_updated' | 'unchanged';
  detail: string;
}

interface ColumnNames {
  postgres: Set<string>;
  sqlite: Set<string>;
}

/** Every column name a mapping mentions, per side; skip_generated is side-less, so it counts for both. */
function namesIn(m: TableMapping): ColumnNames {
  return {
    postgres: new Set([...m.columns.map((c) => c.postgres), ...m.localOnly.postgres, ...m.skipGenerated]),
    sqlite: new Set([...m.columns.map((c) => c.sqlite), ...m.localOnly.sqlite, ...m.skipGenerated]),
  };
}

const sameColumns = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((c, i) => c === b[i]);
const pairText = (pg: string, sqlite: string): string => (pg === sqlite ? pg : `${pg} <- ${sqlite}`);
const fkText = (columns: readonly string[], references: string, refColumns: readonly string[]): string =>
  `(${columns.join(', ')}) -> ${references}(${refColumns.join(', ')})`;

export function mergeMapping(existingText: string, file: string, generated: TableMapping): { text: string; changes: MappingChange[] } {
  // Never merge into a file that does not validate: the user has to fix it first.
  const current = parseMappingYaml(existingText, file);
  const doc = parseDocument(existingText);
  const table = current.table;
  const changes: MappingChange[] = [];
  const note = (kind: MappingChange['kind'], detail: string): void => {
    changes.push({ table, kind, detail });
  };
  // What the databases have now: the generated mapping names every column of both tables.
  const exists = namesIn(generated);
  const gone = (pg: string, sqlite: string): boolean => !exists.postgres.has(pg) && !exists.sqlite.has(sqlite);
  const removed = { postgres: new Set<string>(), sqlite: new Set<string>() };

  // Removals: what exists in neither database any more.
  const dropColumns = indexesWhere(current.columns, (c) => gone(c.postgres, c.sqlite));
  for (const i of dropColumns) {
    const c = current.columns[i];
    if (!c) continue;
    removed.postgres.add(c.postgres);
    removed.sqlite.add(c.sqlite);
    note('column_removed', `column ${pairText(c.postgres, c.sqlite)} no longer exists in either database; its entry was removed`);
  }
  removeItems(doc, ['columns'], dropColumns);
  for (const side of ['sqlite', 'postgres'] as const) {
    const list = current.localOnly[side];
    const drop = indexesWhere(list, (c) => !exists[side].has(c));
    for (const i of drop) {
      removed[side].add(list[i] ?? '');
      note('column_removed', `${side} column ${list[i] ?? ''} no longer exists; removed from local_only.${side}`);
    }
    removeItems(doc, ['local_only', side], drop);
  }
  const dropGenerated = indexesWhere(current.skipGenerated, (c) => gone(c, c));
  for (const i of dropGenerated) {
    const c = current.skipGenerated[i] ?? '';
    removed.postgres.add(c);
    removed.sqlite.add(c);
    note('column_removed', `generated column ${c} no longer exists; removed from skip_generated`);
  }
  removeItems(doc, ['skip_generated'], dropGenerated);
  const dropFks = indexesWhere(current.foreignKeys, (f) => f.columns.some((c) => gone(c, c)));
  for (const i of dropFks) {
    const f = current.foreignKeys[i];
    if (f) note('fk_removed', `foreign key ${fkText(f.columns, f.references, f.refColumns)} removed: its column no longer exists`);
  }
  removeItems(doc, ['foreign_keys'], dropFks);

  // Additions: a generated column is new when the file mentions neither of its names anywhere.
  const mentioned = namesIn(current);
  const isMentioned = (pg: string, sqlite: string): boolean => mentioned.postgres.has(pg) || mentioned.sqlite.has(sqlite);
  for (const c of generated.columns) {
    if (isMentioned(c.postgres, c.sqlite)) continue;
    const columns = ensureSeq(doc, ['columns']);
    const flow = columns.items.every(isMap) && columns.items.some((item) => isMap(item) && item.flow);
    columns.flow = false;
    columns.items.push(doc.createNode(columnEntry(c), { flow: flow || columns.items.length === 0 }));
    note('column_added', `column ${pairText(c.postgres, c.sqlite)} (${c.type}, transform ${c.transform}) added to columns`);
  }
  for (const side of ['sqlite', 'postgres'] as const) {
    for (const c of generated.localOnly[side]) {
      if (mentioned[side].has(c)) continue;
      ensureSeq(doc, ['local_only', side], true).items.push(doc.createNode(c));
      note('column_added', `${side} column ${c} added to local_only.${side}`);
    }
  }
  for (const c of generated.skipGenerated) {
    if (isMentioned(c, c)) continue;
    ensureSeq(doc, ['skip_generated'], true).items.push(doc.createNode(c));
    note('column_added', `generated column ${c} added to skip_generated`);
  }
  for (const f of generated.foreignKeys) {
    if (current.foreignKeys.some((mine) => sameColumns(mine.columns, f.columns))) continue;
    ensureSeq(doc, ['foreign_keys']).items.push(doc.createNode(foreignKeyEntry(f), { flow: true }));
    note('fk_added', `foreign key ${fkText(f.columns, f.references, f.refColumns)} added`);
  }

  // Settings that pointed at a column that exists nowhere any more fall back to the generated ones.
  const paired = new Set(current.columns.filter((c) => !gone(c.postgres, c.sqlite)).map((c) => c.postgres));
  for (const c of generated.columns) if (!isMentioned(c.postgres, c.sqlite)) paired.add(c.postgres);
  if (current.cursor !== null && removed.postgres.has(current.cursor)) {
    const next = generated.cursor !== null && paired.has(generated.cursor) ? generated.cursor : null;
    doc.setIn(['cursor'], next);
    note('column_removed', `cursor ${current.cursor} was removed with its column; cursor is now ${next ?? 'null'}`);
  }
  if (current.softDelete && removed.postgres.has(current.softDelete.column)) {
    const next = generated.softDelete && paired.has(generated.softDelete.column) ? generated.softDelete : null;
    doc.setIn(['soft_delete'], next ? doc.createNode({ ...next }, { flow: true }) : null);
    note('column_removed', `soft_delete column ${current.softDelete.column} was removed; soft_delete is now ${next?.column ?? 'null'}`);
  }
  const sqliteKey = [...current.key.sqlite, ...(current.key.serverId ? [current.key.serverId] : [])];
  if (current.key.postgres.some((c) => removed.postgres.has(c)) || sqliteKey.some((c) => removed.sqlite.has(c))) {
    const k = generated.key;
    doc.setIn(['key'], doc.createNode({ postgres: k.postgres, sqlite: k.sqlite, server_id: k.serverId }, { flow: true }));
    note('column_removed', `the key lost a column; key is now postgres (${k.postgres.join(', ')}), sqlite (${k.sqlite.join(', ')})`);
  }

  const fp = generated.fingerprint;
  const sidesMoved = (['sqlite', 'postgres'] as const).filter((s) => current.fingerprint[s] !== fp[s]);
  if (sidesMoved.length) {
    if (!isMap(doc.getIn(['fingerprint'], true))) doc.setIn(['fingerprint'], doc.createNode({}));
    for (const s of sidesMoved) doc.setIn(['fingerprint', s], fp[s]);
    note('fingerprint_updated', `the ${sidesMoved.join(' and ')} schema changed since this file was generated`);
  }

  if (changes.length === 0) return { text: existingText, changes: [{ table, kind: 'unchanged', detail: 'no changes' }] };
  const text = doc.toString(YAML_OUTPUT);
  try {
    parseMappingYaml(text, file);
  } catch (e) {
    // The merge must never write a file that no longer loads; say so rather than write it.
    if (e instanceof MappingError) throw new MappingError(file, null, e.key, `merging the new schema would break this file: ${e.problem}`);
    throw e;
  }
  return { text, changes };
}

function indexesWhere<T>(list: readonly T[], test: (item: T) => boolean): number[] {
  return list.flatMap((item, i) => (test(item) ? [i] : []));
}

/** Delete list items by index (of the validated mapping, which matches the document's list). */
function removeItems(doc: Document, path: readonly string[], indexes: readonly number[]): void {
  const seq = seqAt(doc, path);
  for (const i of [...indexes].reverse()) seq?.items.splice(i, 1);
}

function seqAt(doc: Document, path: readonly string[]): YAMLSeq | undefined {
  const node = doc.getIn(path, true);
  return isSeq(node) ? node : undefined;
}

/** The list at `path`, created when the file lacks it or leaves it empty (`skip_generated:`). */
function ensureSeq(doc: Document, path: readonly string[], flow = false): YAMLSeq {
  const existing = seqAt(doc, path);
  if (existing) return existing;
  const parent = path.slice(0, -1);
  if (parent.length && !isMap(doc.getIn(parent, true))) doc.setIn(parent, doc.createNode({}));
  const seq = new YAMLSeq(doc.schema);
  seq.flow = flow;
  // An empty value (`skip_generated:  # none yet`) may carry the user's comment: keep it.
  const empty = doc.getIn(path, true);
  if (isScalar(empty)) {
    seq.comment = empty.comment;
    seq.commentBefore = empty.commentBefore;
  }
  doc.setIn(path, seq);
  return seq;
}
