/**
 * The plan a replication run executes: tables in FK order, each with the columns it
 * copies, how values convert, its key, cursor and foreign keys. Built from the mapped
 * schema model (src/replicator/plan/); printed by `replicate run --dry-run`.
 * DESIGN.md "Replication semantics".
 */
import type { CanonicalType } from '../model/schema.js';
import type { Transform } from '../mapping/table-mapping.js';
import type { TimeFormat } from './values/time-format.js';
import type { OwedConstraint } from './state/owed-constraints.js';

/** every direction a run can take (the CLI's --direction choices, status's sides) */
export const DIRECTIONS = ['sqlite-to-pg', 'pg-to-sqlite'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export interface PlannedColumn {
  /** PostgreSQL column name */
  pg: string;
  /** SQLite column name */
  sqlite: string;
  /** PostgreSQL-side canonical type (drives conversion) */
  pgType: CanonicalType;
  /** SQLite-side canonical type (as declared there) */
  sqliteType: CanonicalType;
  transform: Transform;
  /** text format of a SQLite date/time column, profiled by `replicate map`; null for other columns */
  sqliteFormat: TimeFormat | null;
}

export interface PlannedForeignKey {
  /** PostgreSQL column names of the child */
  columns: string[];
  /** PostgreSQL name of the parent table */
  refTable: string;
  refColumns: string[];
  /**
   * true for the FK that closes a cycle across tables: its columns are written NULL in
   * the first pass and set in a second pass once every table of the cycle is loaded
   */
  deferred: boolean;
  /** true for a self-reference (parents in the same table load first within the run) */
  selfReference: boolean;
}

export interface TablePlan {
  /** PostgreSQL table name */
  table: string;
  sqliteTable: string;
  /** replicated columns, in read/write order; key and cursor columns are among them */
  columns: PlannedColumn[];
  /** upsert key, PostgreSQL names; with key translation see `keyTranslation` */
  key: string[];
  /** seed 002's local_id/server_id: SQLite rows keyed by `sqliteKey`, `serverId` holds PostgreSQL's key */
  keyTranslation: { sqliteKey: string[]; serverId: string } | null;
  /** incremental cursor (PostgreSQL name), or null: the table is copied in full each run */
  cursor: string | null;
  mode: 'incremental' | 'full';
  foreignKeys: PlannedForeignKey[];
  /** columns written in the second pass (cycle-closing FK columns) */
  deferredColumns: string[];
  /** row filter over PostgreSQL column names with :params, or null */
  filter: string | null;
  /** the filter with the :param values this run binds (`store_id = :store (store = "7")`); set once params are known */
  filterBound?: string | null;
  /** rows the source holds that pass the row filter (an estimate where counting would be slow) */
  estimatedRows: number;
}

export interface RunPlan {
  direction: Direction;
  /** in load order: parents before children */
  tables: TablePlan[];
  /** groups of tables that form an FK cycle, as planned */
  cycles: string[][];
  /** things the user should know: generated mappings in use, tables skipped and why */
  notes: string[];
  /**
   * foreign keys and indexes of tables `--create-missing` created that are not added yet
   * (a run was cut off before them); this run adds them once their tables' rows are in
   */
  owed?: OwedConstraint[];
}
