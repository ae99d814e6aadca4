/**
 * Readers and writers per dialect, behind these small interfaces: nothing else in the
 * engine knows which database it reads or writes. DESIGN.md "Performance design".
 */
import type { PgText, SqliteValue } from '../values/codec.js';

/** A source row: values in TablePlan.columns order, in the source's native representation. */
export type SourceRow = (PgText | SqliteValue)[];

/**
 * Keyset position after the last row read: (cursor, key...) in source-native values.
 * Incremental reads ask for rows strictly after it, ordered by (cursor, key).
 */
export interface KeysetPosition {
  cursor: PgText | SqliteValue;
  key: (PgText | SqliteValue)[];
}

export interface ReadWindow {
  /** read rows strictly after this position; null: from the start */
  after: KeysetPosition | null;
  /** never read rows whose cursor is >= this bound (the late-commit cap on a PostgreSQL source) */
  cursorBelow: PgText | null;
  /**
   * read no row after this position (inclusive upper bound); absent or null: to the end.
   * The second pass of a cycle re-reads exactly the window the first pass read.
   */
  through?: KeysetPosition | null;
  limit: number;
}

export interface BatchReader {
  /** the next batch in (cursor, key) order (key order for full copies); empty when done */
  readBatch(window: ReadWindow): Promise<SourceRow[]>;
  /** rows by key (source-native key values), for retrying the skip ledger */
  readByKeys(keys: (PgText | SqliteValue)[][]): Promise<SourceRow[]>;
  /** rows the source holds that pass the read's row filter (fast estimate allowed) */
  estimateRows(): Promise<number>;
  /**
   * The greatest (cursor, key) position in the source (below the cap, non-NULL cursor), or
   * null for an empty table: the high-water mark a first copy by key ends on.
   */
  lastPosition(cursorBelow: PgText | null): Promise<KeysetPosition | null>;
  /**
   * readBatch() with the rows already converted for the target, where the reader does
   * that beside the writes (the PostgreSQL reader thread); absent: the engine converts.
   * A reader may still answer a batch with the rows as read (postgres-thread-on-demand.ts):
   * the engine converts those.
   */
  readConverted?(window: ReadWindow): Promise<ConvertedBatch | SourceRow[]>;
}

/** A batch read and converted by the reader (BatchReader.readConverted). */
export interface ConvertedBatch {
  /** how many rows were read */
  count: number;
  /**
   * the i-th source row with its key and cursor values (other values NULL), built when
   * asked for: the engine needs the last row's (its position) and those of rows that go
   * to a ledger, not one array per row read
   */
  sourceRow(i: number): SourceRow;
  /** per source row, the row converted for the target, or null where it cannot be stored (see rejected) */
  targets: (TargetRow | null)[];
  rejected: { index: number; column: string; reason: string }[];
  /** the same conversion again, fresh (a write that is retried starts again from it: the FK guard rewrites rows in place) */
  again(): { targets: (TargetRow | null)[] };
  /**
   * the targets with each TEXT value left as its bytes in the batch (text-slices.ts), for a
   * writer that takes them so (BatchWriter.takesTextSlices); null where the batch cannot be
   */
  sliced?(): (TargetRow | null)[] | null;
}

/** A target row: values in TablePlan.columns order, converted for the target. */
export type TargetRow = (PgText | SqliteValue)[];

/** A row's COPY text line, made where the row was read (engine/copy-batch.ts): bytes `start`..`end` of `bytes` (one per batch, shared). */
export interface CopyLine {
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly end: number;
  /** a binary COPY tuple (the batch went binary), not a text line */
  readonly binary?: boolean;
}

const COPY_LINE = Symbol('copy line');

type LinedRow = TargetRow & { [COPY_LINE]?: CopyLine };

/** `row` (holding only the values the FK guard and known parents read) with its COPY line; a PostgreSQL writer sends the line as it is. */
export function withCopyLine(row: TargetRow, line: CopyLine): TargetRow {
  (row as LinedRow)[COPY_LINE] = line;
  return row;
}

/** The COPY line a row carries, if it was encoded where it was read. */
export function copyLineOf(row: TargetRow): CopyLine | undefined {
  return (row as LinedRow)[COPY_LINE];
}

export interface RowRejection {
  /** index into the rows handed to write() */
  index: number;
  column: string | null;
  reason: string;
  /** the database's error code where it gave one (SQLSTATE for PostgreSQL) */
  code: string | null;
}

export interface WriteOutcome {
  written: number;
  /** rows the database refused (out of range, constraint); the rest were written */
  rejected: RowRejection[];
  /**
   * of the rows written, those left as they were because the target's copy holds a greater
   * cursor (a writer made with keepNewer); absent: none
   */
  keptNewer?: number;
}

export interface BatchWriter {
  /**
   * Upserts rows by the table's key inside the caller's open transaction. A row the
   * database refuses is isolated and reported, the others are written.
   */
  write(rows: TargetRow[]): Promise<WriteOutcome>;
  /**
   * write(), except that when the batch is refused for a missing parent nothing is written
   * and 'missing-parent' comes back at once, so the caller can hold the parentless rows
   * back and write the rest (instead of isolating them one by one).
   */
  tryWrite(rows: TargetRow[]): Promise<WriteOutcome | 'missing-parent'>;
  /**
   * The second pass of a cycle: sets `columns` (PostgreSQL names) of rows that are already
   * in the target, matched by the table's key, inside the caller's open transaction. Each
   * row holds the key values (TablePlan.key order) and then the columns' values, converted
   * for the target. A row whose values are already there, or whose key is not in the
   * target, is left alone; `written` counts the rows changed. A row the database refuses
   * is isolated and reported, the others are updated. `keepNewer` (a cursor column,
   * PostgreSQL name): each row ends with its cursor value, and a row whose target copy holds
   * a greater one is left alone, as write() leaves it with the same option.
   */
  updateColumns(columns: string[], rows: TargetRow[], keepNewer?: string | null): Promise<WriteOutcome>;
  /** which of these parent keys exist in `table` (target-native key values), one set-based query */
  existingKeys(table: string, columns: string[], keys: (PgText | SqliteValue)[][]): Promise<Set<string>>;
  /**
   * Does the target itself refuse, within the write, a row of this table whose parent is
   * missing: a foreign key on exactly these columns (target names) to this parent, enforced
   * and not deferred? Then the FK guard need not look the parents up before each batch:
   * tryWrite() says when a parent is missing.
   */
  enforcesForeignKey(columns: string[], parentTable: string, parentColumns: string[]): Promise<boolean>;
  /** the refusal code (RowRejection.code) of a row whose parent is missing */
  isMissingParent(code: string | null): boolean;
  /**
   * true: the target does not check parents during this writer's writes (FK triggers off
   * for a first load), so every FK is looked up, and its parents locked, before writing
   */
  readonly parentChecksOff?: boolean;
  /** true: write() and tryWrite() take rows whose TEXT values are still slices of their batch (ConvertedBatch.sliced) */
  readonly takesTextSlices?: boolean;
}

/** A transaction on the target: the batch, its ledgers and its checkpoint commit together. */
export interface TargetTransaction {
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/**
 * A first load of an empty target table in ONE target transaction, with the table's
 * secondary indexes built after its rows (io/sqlite-table-load.ts). Batches become
 * savepoints inside it, each with its checkpoint; the rows show to other connections
 * only at commit, indexes included.
 */
export interface WholeTableLoad {
  /** plain inserts (the table was empty and the run holds its write lock throughout) */
  writer: BatchWriter;
  /** a batch inside the table's transaction */
  batches: TargetTransaction;
  /** opens the table's transaction and sets the secondary indexes aside; false: the table is no longer empty, nothing was done */
  begin(): Promise<boolean>;
  /** builds the indexes again and commits; safe to call again after a transient failure */
  commit(): Promise<void>;
  /** undoes the whole load: the table is empty again, its indexes as they were */
  rollback(): Promise<void>;
  /** what the plan says about the table (after its name) */
  note: string;
}

/** Stable text form of a key tuple, for sets and ledgers. */
export function keyString(values: readonly (PgText | SqliteValue)[]): string {
  // the FK guard builds one of these per row per FK: a one-column key is its text
  // (prefixed, so it never collides with the JSON form of a NULL or a tuple)
  if (values.length === 1) {
    const v = values[0] ?? null;
    if (v !== null) return '=' + (Buffer.isBuffer(v) ? v.toString('hex') : String(v));
  }
  return JSON.stringify(values.map((v) => (v === null ? null : Buffer.isBuffer(v) ? v.toString('hex') : String(v))));
}
