/**
 * Replication state kept in the target database (tables `_replicate_*` in SQLite, schema
 * `replicate` in PostgreSQL), keyed by the source/target pair and direction, so each
 * terminal's file has checkpoints of its own. Writes happen inside the caller's open
 * transaction: a batch, its ledger entries and its checkpoint commit together.
 * DESIGN.md "Replication semantics": atomic checkpoints, deferred parents, rejects.
 */
import type { Direction } from '../run-plan.js';
import type { EventOf } from '../events.js';
import type { OwedConstraint } from './owed-constraints.js';

/** Identifies a source/target pair and direction. */
export interface PairScope {
  /** stable id of the SQLite file (stored inside it) */
  sqliteId: string;
  /** stable id of the PostgreSQL database+schema (stored in schema replicate) */
  postgresId: string;
  direction: Direction;
}

/** Opaque to the store: the engine encodes a keyset position as JSON text. */
export interface Checkpoint {
  table: string;
  position: string;
  updatedAt: string;
}

export interface SkipEntry {
  table: string;
  /** the waiting row's key, JSON text (keyString of the source key values) */
  rowKey: string;
  fkColumns: string[];
  parentTable: string;
  /** the missing parent's key, JSON text */
  parentKey: string;
  firstSeen: string;
  lastTried: string;
  attempts: number;
}

export interface RejectEntry {
  table: string;
  rowKey: string;
  column: string | null;
  reason: string;
  /** database error code (SQLSTATE) when the database refused it */
  code: string | null;
  firstSeen: string;
  attempts: number;
}

export interface TableRunStats {
  table: string;
  read: number;
  written: number;
  /** rows held back for a missing parent, by the first pass and by an FK cycle's second pass */
  skipped: number;
  rejected: number;
  /**
   * of the rows written, those left as they were because the target's copy holds a greater
   * cursor (latest-wins; io/postgres-writer.ts, io/sqlite-writer.ts keepNewer); absent: none.
   * Not kept in the run history.
   */
  keptNewer?: number;
  ms: number;
  error: string | null;
  /** an FK cycle's second pass over this table's deferred columns, when it had one (its skips and rejects are counted above too) */
  secondPass?: Omit<EventOf<'deferred-pass'>, 'type' | 'table'>;
}

export interface RunRecord {
  runId: string;
  direction: Direction;
  startedAt: string;
  finishedAt: string | null;
  /**
   * 'cut-off': the run ended without saying how (killed, crashed, or its session lost for
   * good before it could record its end); its tables hold what its committed batches wrote
   */
  status: 'running' | 'done' | 'waiting' | 'failed' | 'interrupted' | 'cut-off';
  tables: TableRunStats[];
}

/** A run's history row for one table so far, written in the transaction of the batch it counts. */
export interface RunProgress {
  runId: string;
  stats: TableRunStats;
}

export interface StateSummary {
  checkpoints: Checkpoint[];
  skipped: { table: string; count: number; oldestFirstSeen: string | null }[];
  rejected: { table: string; count: number; oldestFirstSeen: string | null }[];
  lastRuns: RunRecord[];
}

export interface StateStore {
  /** create the state tables if missing (idempotent, safe to call every run) */
  ensure(): Promise<void>;
  /**
   * Read the given tables' checkpoints and ledger sizes at once, so that a run's per-table
   * reads need no round trip each. Optional: a store whose reads are cheap (SQLite, in
   * process) goes without.
   */
  prefetch?(tables: readonly string[]): Promise<void>;
  /**
   * What `run --create-missing` still owes the target (state/owed-constraints.ts), read with
   * the prefetch when there was one. Optional: only a PostgreSQL target is ever owed anything.
   */
  listOwed?(): Promise<OwedConstraint[]>;
  getCheckpoint(table: string): Promise<Checkpoint | null>;
  /** `progress`: the run's history row for the table so far, written with the checkpoint (one statement in PostgreSQL) */
  saveCheckpoint(table: string, position: string, progress?: RunProgress): Promise<void>;
  /** forget checkpoints (all tables, or one) so the next run is full */
  resetCheckpoints(table?: string): Promise<number>;

  listSkipped(table: string): Promise<SkipEntry[]>;
  /** insert, or on an existing (table,rowKey,fkColumns) bump attempts and lastTried */
  recordSkipped(entries: Omit<SkipEntry, 'firstSeen' | 'lastTried' | 'attempts'>[]): Promise<void>;
  clearSkipped(table: string, rowKeys: string[]): Promise<void>;

  listRejected(table: string): Promise<RejectEntry[]>;
  recordRejected(entries: Omit<RejectEntry, 'firstSeen' | 'attempts'>[]): Promise<void>;
  clearRejected(table: string, rowKeys: string[]): Promise<void>;

  /** a run still 'running' in this scope is marked 'cut-off': runs start under the pair's lock, so it no longer runs */
  startRun(runId: string): Promise<void>;
  /** the table's history row as it ended (an upsert by run and table) */
  recordTable(runId: string, stats: TableRunStats): Promise<void>;
  /** the table's history row so far, in the caller's transaction (a batch without a checkpoint): a run cut off mid-table still says what it wrote */
  recordProgress(progress: RunProgress): Promise<void>;
  /** `finishedAt`: when it ended, for an end recorded later than that (ISO text; default now) */
  finishRun(runId: string, status: RunRecord['status'], finishedAt?: string): Promise<void>;

  summary(limitRuns?: number): Promise<StateSummary>;
}
