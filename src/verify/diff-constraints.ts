/**
 * Key-level drift of one mapped table: primary keys (the upsert key), foreign keys
 * (the replication order and FK guard) and the index behind the incremental cursor.
 * Everything is compared on PostgreSQL names after the mapping's renames.
 */
import { findColumn, type ForeignKey, type Table } from '../model/schema.js';
import type { Finding } from './finding.js';
import type { MappedTable, NameTranslator } from './mapped-pair.js';

type Emit = (f: Omit<Finding, 'table'>) => void;

const list = (cols: readonly string[]): string => `(${cols.join(', ')})`;

export function diffPrimaryKey(t: MappedTable, names: NameTranslator, emit: Emit): void {
  const { sqlite, postgres } = t;
  if (postgres && !postgres.primaryKey) {
    emit({ severity: 'error', kind: 'primary_key', column: null, side: 'postgres', detail: 'no primary key in PostgreSQL: rows cannot be upserted safely; add one' });
  }
  if (sqlite && !sqlite.primaryKey) {
    const fix = postgres?.primaryKey ? `; fix-script rebuilds the table with PostgreSQL's key (${postgres.primaryKey.join(', ')})` : '; add one';
    emit({ severity: 'error', kind: 'primary_key', column: null, side: 'sqlite', detail: `no primary key in SQLite: rows cannot be upserted safely${fix}` });
  }
  if (!sqlite?.primaryKey || !postgres?.primaryKey) return;
  const sqAsPg = sqlite.primaryKey.map((c) => names.pgColumn(sqlite.name, c));
  if (sqAsPg.join('\u0000') !== postgres.primaryKey.join('\u0000')) {
    emit({
      severity: 'error',
      kind: 'primary_key',
      column: null,
      side: 'both',
      detail: `primary key ${list(sqlite.primaryKey)} in SQLite, ${list(postgres.primaryKey)} in PostgreSQL: upserts need the same key (or a key translation in the mapping)`,
    });
  }
}

interface NormalizedFk {
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
  text: string;
}

function normalize(fk: ForeignKey, table: Table, names: NameTranslator | null): NormalizedFk {
  const columns = names ? fk.columns.map((c) => names.pgColumn(table.name, c)) : fk.columns;
  const refTable = names ? names.pgTable(fk.refTable) : fk.refTable;
  const refColumns = names ? fk.refColumns.map((c) => names.pgColumn(fk.refTable, c)) : fk.refColumns;
  return {
    columns,
    refTable,
    refColumns,
    onDelete: fk.onDelete,
    onUpdate: fk.onUpdate,
    text: `FOREIGN KEY ${list(columns)} REFERENCES ${refTable}${list(refColumns)}`,
  };
}

const sameTarget = (a: NormalizedFk, b: NormalizedFk): boolean =>
  a.columns.join('\u0000') === b.columns.join('\u0000') && a.refTable === b.refTable && a.refColumns.join('\u0000') === b.refColumns.join('\u0000');

export function diffForeignKeys(t: MappedTable, names: NameTranslator, emit: Emit): void {
  const { sqlite, postgres } = t;
  if (!sqlite || !postgres) return;
  const pgFks = postgres.foreignKeys.map((f) => normalize(f, postgres, null));
  const sqFks = sqlite.foreignKeys.map((f) => normalize(f, sqlite, names));
  for (const pf of pgFks) {
    const sf = sqFks.find((s) => sameTarget(s, pf));
    const column = pf.columns.length === 1 ? (pf.columns[0] ?? null) : null;
    if (!sf) {
      emit({ severity: 'warning', kind: 'foreign_key', column, side: 'sqlite', detail: `${pf.text} in PostgreSQL is missing in SQLite: SQLite does not enforce it` });
      continue;
    }
    const diffs = [
      sf.onDelete !== pf.onDelete ? `ON DELETE ${pf.onDelete} in PostgreSQL, ${sf.onDelete} in SQLite` : null,
      sf.onUpdate !== pf.onUpdate ? `ON UPDATE ${pf.onUpdate} in PostgreSQL, ${sf.onUpdate} in SQLite` : null,
    ].filter((d): d is string => d !== null);
    if (diffs.length > 0) emit({ severity: 'warning', kind: 'foreign_key', column, side: 'sqlite', detail: `${pf.text}: ${diffs.join('; ')}` });
  }
  for (const sf of sqFks) {
    if (pgFks.some((p) => sameTarget(p, sf))) continue;
    const column = sf.columns.length === 1 ? (sf.columns[0] ?? null) : null;
    emit({ severity: 'warning', kind: 'foreign_key', column, side: 'postgres', detail: `${sf.text} in SQLite is missing in PostgreSQL: PostgreSQL does not enforce it` });
  }
}

/** An index whose leading column is the cursor makes incremental reads cost the changes, not the table. */
export function hasLeadingIndex(table: Table, column: string): boolean {
  return table.indexes.some((i) => i.columns[0] === column) || table.primaryKey?.[0] === column;
}

export function diffCursorIndex(t: MappedTable, emit: Emit): void {
  const cursor = t.mapping.cursor;
  if (!cursor) return;
  const pair = t.mapping.columns.find((c) => c.postgres === cursor);
  const sqName = pair?.sqlite ?? cursor;
  if (t.postgres && findColumn(t.postgres, cursor) && !hasLeadingIndex(t.postgres, cursor)) {
    emit({ severity: 'warning', kind: 'missing_cursor_index', column: cursor, side: 'postgres', detail: `no index on cursor column ${cursor} in PostgreSQL: every incremental run scans the whole table` });
  }
  if (t.sqlite && findColumn(t.sqlite, sqName) && !hasLeadingIndex(t.sqlite, sqName)) {
    emit({ severity: 'warning', kind: 'missing_cursor_index', column: sqName, side: 'sqlite', detail: `no index on cursor column ${sqName} in SQLite: every incremental run scans the whole table (fix-script adds one)` });
  }
}
