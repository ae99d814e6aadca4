/**
 * A table's mapping: the human-owned file mappings/<table>.yaml, as the engine reads
 * it. `replicate map` generates it; the user edits it; re-generating merges.
 * See DESIGN.md "The three jobs", 2.
 */
import type { CanonicalKind } from '../model/schema.js';
import type { TimeFormat } from '../replicator/values/time-format.js';

/**
 * How a value is converted between the two sides. Named after what it does, so a
 * user reading the YAML knows; the replicator (issue 3) implements each.
 */
export type Transform =
  | 'none'
  | 'bool-int' // PostgreSQL boolean <-> SQLite 0/1
  | 'decimal-text' // numeric kept as exact decimal text
  | 'decimal-real' // numeric stored as SQLite REAL (lossy)
  | 'timestamp-text' // timestamp(tz) <-> SQLite text in the profiled format
  | 'date-text'
  | 'json-text' // json/jsonb <-> text
  | 'uuid-text'
  | 'bytea-blob'
  | 'array-json' // PostgreSQL array <-> JSON text
  | 'enum-text'
  | 'int8-bigint'; // int8 kept exact (BigInt), never through a double

export interface ColumnPair {
  /** PostgreSQL column name */
  postgres: string;
  /** SQLite column name (differs from `postgres` for a rename) */
  sqlite: string;
  /** canonical type of the pair, as the PostgreSQL side declares it */
  type: CanonicalKind;
  transform: Transform;
  /**
   * For a date/time pair (PostgreSQL timestamp, timestamptz, date): the text format the
   * SQLite column keeps its values in, profiled by `replicate map` from the values it
   * holds ('iso-space' for SQLite's CURRENT_TIMESTAMP text, 'epoch-s', ...). Values are
   * written to SQLite in this format, because SQLite compares dates as text. Absent or
   * null: not profiled (other columns; files written before profiling).
   */
  format?: TimeFormat | null;
}

/**
 * The upsert key on each side. With `serverId` set (seed 002's pattern) SQLite rows are
 * keyed by their own local key (`sqlite`, e.g. local_id) and the SQLite column
 * `serverId` holds PostgreSQL's key; FK values in SQLite children are local keys and
 * are translated through this table. Without it both sides use the same key values.
 */
export interface KeyTranslation {
  /** primary key columns on PostgreSQL */
  postgres: string[];
  /** primary key columns on SQLite (e.g. [local_id]) */
  sqlite: string[];
  /** SQLite column that stores the PostgreSQL key (seed 002's server_id), or null */
  serverId: string | null;
}

export interface MappedForeignKey {
  columns: string[];
  references: string;
  refColumns: string[];
}

export type ConflictPolicy = 'latest-wins' | 'sqlite-wins' | 'pg-wins' | 'manual';

export interface SoftDelete {
  column: string;
  /** 'timestamp': non-null means deleted; 'flag': 1/true means deleted */
  kind: 'timestamp' | 'flag';
}

export interface TableMapping {
  version: 1;
  /** PostgreSQL table name */
  table: string;
  /** SQLite table name (usually the same) */
  sqliteTable: string;
  /** sha256 fingerprints of each side's table schema when the file was generated */
  fingerprint: { sqlite: string | null; postgres: string | null };
  columns: ColumnPair[];
  localOnly: { sqlite: string[]; postgres: string[] };
  /** generated PostgreSQL (or SQLite) columns that are never written */
  skipGenerated: string[];
  key: KeyTranslation;
  foreignKeys: MappedForeignKey[];
  /** column (PostgreSQL name) used for incremental keyset reads, or null for full copies */
  cursor: string | null;
  softDelete: SoftDelete | null;
  /** SQL boolean expression over PostgreSQL column names, with :params, or null */
  filter: string | null;
  conflict: ConflictPolicy;
  /** lower runs first among tables with no FK order between them */
  priority: number;
}

/** Where a mapping came from, for messages: a file path, or the generated default. */
export interface LoadedMapping {
  mapping: TableMapping;
  source: { kind: 'file'; path: string } | { kind: 'generated' };
}
