/**
 * What one table's replication is handed (direction-wiring.ts builds it): its reader and
 * writers, the target transaction and state, the converter, the FKs the guard checks.
 */
import type { BatchReader, BatchWriter, TargetTransaction, WholeTableLoad } from '../io/batch-io.js';
import type { ReplicationEvent } from '../events.js';
import type { TablePlan } from '../run-plan.js';
import type { StateStore } from '../state/state-store.js';
import type { PgText } from '../values/codec.js';
import type { SecondPassWiring } from './deferred-columns.js';
import type { GuardedForeignKey } from './fk-guard.js';
import type { RowConverter } from './row-converter.js';
import type { KnownParents } from './known-parents.js';
import type { CopyBatchReader, CopyBatchShape } from './copy-batch.js';
import type { KeyValueCheck } from '../create-missing/key-values.js';
import type { TableHistory } from './run-history.js';
import type { TablePushMarks } from './push-seen.js';

/** A table's encoded first-load batches and how to decode them (copy-batch.ts). */
export interface EncodedBatches extends CopyBatchReader {
  shape: CopyBatchShape;
  /** columns in a target row */
  width: number;
}

export interface TableSyncDeps {
  plan: TablePlan;
  /** the database the rows are read from */
  source: 'postgres' | 'sqlite';
  reader: BatchReader;
  /** the same table read by key alone: a first copy of a table with a cursor */
  keyReader: BatchReader;
  writer: BatchWriter;
  /** COPY straight in: used for a first load (no checkpoint) into an empty target table; null: none */
  firstLoadWriter: () => Promise<BatchWriter | null>;
  /**
   * a first load COPY-ed straight in, read, converted and encoded as COPY lines where it is
   * read (copy-batch.ts): `byKey` for a first copy of a table with a cursor (keyReader's
   * order); `keyNeeded`: the rows' key values are read (known parents remember them);
   * `keyChecks`: keyFirst's checks, made where the batch is encoded; null (or absent): not for this table
   */
  encodedReader?: ((byKey: boolean, keyNeeded: boolean, keyChecks?: KeyValueCheck[] | null) => Promise<EncodedBatches | null>) | null;
  /**
   * a table this run created, loaded before its primary key is built, whose key values are
   * checked per batch (create-missing/key-values.ts): `build` builds the key (keysNow), and
   * runs before the first batch holding a value that fails `checks`; null (or absent): none
   */
  keyFirst?: { checks: KeyValueCheck[]; build: () => Promise<void> } | null;
  /** builds the key of a table this run created, where still owed (the upserts after its load need it); absent or null: none owed */
  buildKey?: (() => Promise<void>) | null;
  /** the same first load in one target transaction, indexes built after (io/sqlite-table-load.ts); absent or null: none */
  wholeTableLoad?: WholeTableLoad | null;
  tx: TargetTransaction;
  state: StateStore;
  converter: RowConverter;
  fks: GuardedForeignKey[];
  /** positions in a source row of the row's source key (ledger keys, readByKeys) */
  sourceKeyIndexes: number[];
  /** position of the cursor in a source row; null: the table is copied in full */
  cursorIndex: number | null;
  /** a cycle's deferred FK columns (written NULL here, set by the second pass); null when none */
  secondPass: SecondPassWiring | null;
  batchSize: number;
  /**
   * rows per batch of a first load COPY-ed straight into an empty table (fewer round trips
   * and parent lookups per row); one such batch waits instead of PIPELINE_DEPTH, so memory
   * stays where smaller batches keep it
   */
  firstLoadBatchSize: number;
  /** late-commit cap on a PostgreSQL source (rows at or after it wait for the next run) */
  cursorBelow: PgText | null;
  /** --full: start from the beginning whatever the checkpoint says */
  ignoreCheckpoint: boolean;
  emit: (e: ReplicationEvent) => void;
  stopRequested: () => boolean;
  /** parent keys this run wrote into tables it created (known-parents.ts): present without asking; null: none */
  knownParents: KnownParents | null;
  /** the run's history of this table: each committed batch adds to it and writes its row so far (run-history.ts); absent or null: none kept */
  history?: TableHistory | null;
  /** a pull's reads of the marks other terminals' pushes left (push-seen.ts); absent or null: none */
  pushMarks?: TablePushMarks | null;
  /** runs a unit of work again after transient failures (serialization, deadlock) */
  retry: <T>(what: string, fn: () => Promise<T>) => Promise<T>;
}
