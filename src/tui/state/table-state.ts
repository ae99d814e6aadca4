/**
 * One table as the store keeps it between snapshots (mutable, cheap to update per event),
 * and how it becomes the immutable TableView a snapshot carries. Ledger rows get their
 * display keys here, with the column names the mapping gives.
 */
import type { Direction } from '../../replicator/run-plan.js';
import type { OwedConstraint } from '../../replicator/state/owed-constraints.js';
import { keyText } from './key-text.js';
import { tableBadges } from './table-badges.js';
import { TableLedger } from './table-ledger.js';
import type { RejectedRow, TableProgress, TableView, WaitingRow } from './tui-snapshot.js';

/** A table's mutable state: the view's own fields, the ledgers behind its rows and badges, and its last published view. */
export interface TableState extends Pick<TableView, 'name' | 'sqliteName' | 'sqlite' | 'postgres' | 'findings' | 'mapping' | 'mappingYaml' | 'progress' | 'owed'> {
  ledgers: Record<Direction, TableLedger>;
  view: TableView | null;
}

export function newTableState(name: string, sqliteName: string): TableState {
  return { name, sqliteName, sqlite: null, postgres: null, findings: [], mapping: null, mappingYaml: null, progress: null, owed: [], ledgers: { 'sqlite-to-pg': new TableLedger(), 'pg-to-sqlite': new TableLedger() }, view: null };
}

/** What is owed now (from `status` or a run's plan), each table its own; tables not named owe nothing. */
export function applyOwed(tables: Iterable<TableState>, tableOf: (name: string) => TableState, owed: readonly OwedConstraint[]): void {
  const byTable = new Map<string, OwedConstraint[]>();
  for (const o of owed) byTable.set(o.table, [...(byTable.get(o.table) ?? []), o]);
  for (const t of tables) if (t.owed.length > 0 && !byTable.has(t.name)) (t.owed = []), (t.view = null);
  for (const [name, list] of byTable) {
    const t = tableOf(name);
    t.owed = list;
    t.view = null;
  }
}

/** the source's key columns of a table (the ledger key), as far as the mapping says */
export const keyColumns = (t: TableState, d: Direction): string[] | null => {
  const k = t.mapping?.mapping.key;
  if (!k) return null;
  return d === 'sqlite-to-pg' && k.serverId ? k.sqlite : k.postgres;
};
export const parentColumns = (t: TableState, fkColumns: readonly string[]): string[] | null =>
  t.mapping?.mapping.foreignKeys.find((f) => f.columns.join('\u0000') === fkColumns.join('\u0000'))?.refColumns ?? null;
export const waitingRow = (t: TableState, d: Direction, e: { rowKey: string; fkColumns: string[]; parentTable: string; parentKey: string }, firstSeen: string, attempts: number): WaitingRow => ({
  table: t.name,
  rowKey: keyText(e.rowKey, keyColumns(t, d)),
  fkColumns: e.fkColumns,
  parentTable: e.parentTable,
  parentKey: keyText(e.parentKey, parentColumns(t, e.fkColumns)),
  firstSeen,
  attempts,
  values: null,
});
export const rejectedRow = (t: TableState, d: Direction, e: { rowKey: string; column: string | null; reason: string; code: string | null }, firstSeen: string): RejectedRow => ({
  table: t.name,
  rowKey: keyText(e.rowKey, keyColumns(t, d)),
  column: e.column,
  reason: e.reason,
  code: e.code,
  firstSeen,
  values: null,
});

export function progressOf(t: TableState): TableProgress {
  if (!t.progress) t.progress = { state: 'queued', mode: null, done: 0, total: null, written: 0, skipped: 0, rejected: 0, rowsPerSecond: 0, elapsedMs: 0, etaMs: null, error: null };
  return t.progress;
}

/** the table's view for a snapshot; the previous one while nothing changed */
export function viewOf(t: TableState, position: number): TableView {
  if (t.view && t.view.order === position) return t.view;
  const waiting: TableView['waiting'] = [];
  const rejected: TableView['rejected'] = [];
  let waitingCount = 0;
  let rejectedCount = 0;
  for (const l of Object.values(t.ledgers)) {
    waiting.push(...l.waiting.values());
    rejected.push(...l.rejected.values());
    waitingCount += l.waitingCount;
    rejectedCount += l.rejectedCount;
  }
  const progress = t.progress ? { ...t.progress } : null;
  t.view = {
    name: t.name,
    sqliteName: t.sqliteName,
    order: position,
    badges: tableBadges({ progress, waiting: waitingCount, rejected: rejectedCount, findings: t.findings }),
    sqlite: t.sqlite,
    postgres: t.postgres,
    findings: t.findings,
    mapping: t.mapping,
    mappingYaml: t.mappingYaml,
    progress,
    waiting,
    rejected,
    owed: t.owed,
  };
  return t.view;
}
