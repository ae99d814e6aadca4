/**
 * The state tables' rows as both dialects return them, and their mapping onto the
 * StateStore types: one definition for the PostgreSQL and the SQLite store. Counts come
 * back as text from PostgreSQL (int8) and as number/BigInt from SQLite.
 */
import type { Checkpoint, RejectEntry, RunRecord, SkipEntry, TableRunStats } from './state-store.js';

export type Count = string | number | bigint;

export interface SkipRow {
  table_name: string;
  row_key: string;
  fk_columns: string;
  parent_table: string;
  parent_key: string;
  first_seen: string;
  last_tried: string;
  attempts: Count;
}

export interface RejectRow {
  table_name: string;
  row_key: string;
  column_name: string | null;
  reason: string;
  code: string | null;
  first_seen: string;
  attempts: Count;
}

export interface CountRow {
  table_name: string;
  n: Count;
  oldest: string | null;
}

export interface CheckpointRow {
  table_name: string;
  position: string;
  updated_at: string;
}

export interface RunRow {
  run_id: string;
  started_at: string;
  finished_at: string | null;
  status: RunRecord['status'];
}

export interface RunTableRow {
  table_name: string;
  rows_read: Count;
  rows_written: Count;
  rows_skipped: Count;
  rows_rejected: Count;
  ms: Count;
  error: string | null;
}

export const skipEntryOf = (row: SkipRow): SkipEntry => ({
  table: row.table_name,
  rowKey: row.row_key,
  fkColumns: JSON.parse(row.fk_columns) as string[],
  parentTable: row.parent_table,
  parentKey: row.parent_key,
  firstSeen: row.first_seen,
  lastTried: row.last_tried,
  attempts: Number(row.attempts),
});

export const rejectEntryOf = (row: RejectRow): RejectEntry => ({
  table: row.table_name,
  rowKey: row.row_key,
  column: row.column_name,
  reason: row.reason,
  code: row.code,
  firstSeen: row.first_seen,
  attempts: Number(row.attempts),
});

export const ledgerCountOf = (row: CountRow): { table: string; count: number; oldestFirstSeen: string | null } => ({
  table: row.table_name,
  count: Number(row.n),
  oldestFirstSeen: row.oldest,
});

export const checkpointOf = (row: CheckpointRow): Checkpoint => ({ table: row.table_name, position: row.position, updatedAt: row.updated_at });

export const tableStatsOf = (row: RunTableRow): TableRunStats => ({
  table: row.table_name,
  read: Number(row.rows_read),
  written: Number(row.rows_written),
  skipped: Number(row.rows_skipped),
  rejected: Number(row.rows_rejected),
  ms: Number(row.ms),
  error: row.error,
});

export const runRecordOf = (row: RunRow, direction: RunRecord['direction'], tables: TableRunStats[]): RunRecord => ({
  runId: row.run_id,
  direction,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  status: row.status,
  tables,
});
