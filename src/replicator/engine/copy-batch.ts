/**
 * A batch of a first load made ready for COPY where it was read (sqlite-read-thread.ts):
 * each row converted with the plan's codecs and encoded as its COPY text line, all lines
 * in one buffer that crosses to the main thread without a copy. Beside it, only what the
 * main thread's FK guard, known parents, ledgers and checkpoint need: the rows refused
 * (with their reasons), each row's ledger key, the target values of the key and FK
 * columns, and the position of the last row. The main thread then allocates a few values
 * per row instead of converting all of them, and the writer sends the lines as they are.
 *
 * The same encoding runs in-process when no thread is available (the tests' runs from
 * TypeScript sources), so both paths write the same bytes.
 */
import type { RejectEntry } from '../state/state-store.js';
import type { PgText } from '../values/codec.js';
import { Rejected } from '../values/codec.js';
import { CopyBytes } from '../values/copy-bytes.js';
import type { BinaryEncoder } from '../values/pg-binary-encoders.js';
import type { DirectWriter } from '../values/sqlite-to-pg-bytes.js';
import { plainCopyText } from '../values/sqlite-to-pg.js';
import type { PlannedColumn, TablePlan } from '../run-plan.js';
import { decodePosition, encodePosition, writeRowKey } from './position-codec.js';
import type { AnyCodec } from './row-converter.js';
import { keysOneToOne, type KeyValueCheck } from '../create-missing/key-values.js';
import { rowProblem } from '../io/row-problems.js';
import { withCopyLine, type KeysetPosition, type ReadWindow, type SourceRow, type TargetRow } from '../io/batch-io.js';

/** What crosses between the threads for one batch (structured-clone friendly; `copy` is transferred). */
export interface CopyBatch {
  /** rows read */
  read: number;
  /** encodePosition of the last row read; null when none */
  last: string | null;
  /** every converted row's COPY line (binary COPY: its tuple), in order */
  copy: Uint8Array;
  /** the lines are binary COPY tuples (shape.binary, and every value could be written so) */
  binary: boolean;
  /** byte offset in `copy` where each converted row's line ends */
  ends: Int32Array;
  /** index among the rows read of each converted row */
  convertedFrom: Int32Array;
  /** each row read: its ledger key (position-codec.ts rowKeyOf) and '\n' (JSON text holds no raw newline), as UTF-8 (transferred) */
  keys: Uint8Array;
  /**
   * target values at `needed` of each converted row, row-major: cloned as strings of their
   * own (a slice of one joined string made the FK guard's Map lookups several times slower)
   */
  values: PgText[];
  rejects: { index: number; column: string; reason: string }[];
  /** shape.keyChecks found a key value that could equal another once converted: the table's key is built before this batch (create-missing/key-values.ts) */
  keyUnsure?: boolean;
}

/** How a table's rows are encoded. */
export interface CopyBatchShape {
  /** positions in a source row of its ledger key */
  sourceKeyIndexes: number[];
  /** position of the cursor in a source row; null: none */
  cursorIndex: number | null;
  /** positions in a target row of the values the main thread reads (FK and key columns) */
  needed: number[];
  /** positions in a target row of the columns COPY writes, in order; null: all */
  pick: number[] | null;
  /** COPY in binary format: every written column has a binary encoder and the target column its type (io/postgres-writer.ts copyFormat) */
  binary: boolean;
  /** a created table whose key is not built yet: its key values to check (create-missing/key-values.ts); absent: none */
  keyChecks?: KeyValueCheck[];
}

/** A table's columns as the encoding converts them (the codecs row-converter.ts would use). */
export interface CopyColumns {
  codecs: AnyCodec[];
  /** target names, for rejects */
  names: string[];
  /** per column: its text never holds a backslash, tab, newline or carriage return (values/sqlite-to-pg.ts plainCopyText) */
  plainText: boolean[];
  /** per column: writes the commonest values as bytes with no string made (values/sqlite-to-pg-bytes.ts), the codec taking the rest */
  direct: (DirectWriter | null)[];
  /** per column: its binary COPY encoder of the codec's text (values/pg-binary-encoders.ts); null: none */
  encoders: (BinaryEncoder | null)[];
  /** per column: the binary twin of `direct` (values/sqlite-to-pg-binary.ts) */
  binaryDirect: (DirectWriter | null)[];
  /** per column: every value its binary direct writer takes is the codec's text as it is (a dashed uuid), so it serves columns needed as text too */
  passThrough: boolean[];
}

/** How a direction writes binary COPY fields: per column, an encoder of the codec's text and a writer of raw values. */
export interface BinaryFields {
  encoderFor: (col: PlannedColumn) => BinaryEncoder | null;
  directFor: (col: PlannedColumn) => DirectWriter | null;
  passesThrough: (col: PlannedColumn) => boolean;
}

/**
 * The columns of `plan` (a sqlite-to-pg table) with the codecs `codecFor` gives them;
 * `directFor` only where those are sqlite-to-pg.ts's own codecs (its writers stand in for them).
 */
export function copyColumns(plan: TablePlan, codecFor: (col: PlannedColumn) => AnyCodec, directFor?: (col: PlannedColumn) => DirectWriter | null, binary?: BinaryFields): CopyColumns {
  return {
    codecs: plan.columns.map(codecFor),
    names: plan.columns.map((c) => c.pg),
    plainText: plan.columns.map(plainCopyText),
    direct: plan.columns.map((c) => directFor?.(c) ?? null),
    encoders: plan.columns.map((c) => binary?.encoderFor(c) ?? null),
    binaryDirect: plan.columns.map((c) => binary?.directFor(c) ?? null),
    passThrough: plan.columns.map((c) => binary?.passesThrough(c) ?? false),
  };
}

/**
 * A value a binary encoder cannot write exactly: the batch is encoded again as text COPY
 * (never a reject text COPY would not give).
 */
export class NotBinary extends Error {
  constructor(column: string) {
    super(`a value of ${column} has no exact binary COPY form`);
  }
}

/** Reads a table's batches already encoded (on a thread, or in-process). */
export interface CopyBatchReader {
  readBatch(window: ReadWindow): Promise<CopyBatch>;
}

export function lastPosition(row: SourceRow, shape: CopyBatchShape): KeysetPosition {
  return { cursor: shape.cursorIndex === null ? null : (row[shape.cursorIndex] ?? null), key: shape.sourceKeyIndexes.map((i) => row[i] ?? null) };
}

/**
 * Builds one batch from the rows read, a part at a time: the reader thread reads a batch
 * in parts so that the rows of a part die young, before a garbage collection has to copy
 * them (read whole, a 10,000-row batch made young-generation collections a third of the thread's time).
 * Lines are written as bytes as each row is converted (values/copy-bytes.ts).
 */
export class CopyBatchBuilder {
  private read = 0;
  private last: SourceRow | null = null;
  private readonly ends: number[] = [];
  private readonly convertedFrom: number[] = [];
  private readonly values: PgText[] = [];
  private readonly rejects: CopyBatch['rejects'] = [];
  private keyUnsure = false;
  /** one row's converted values, reused from row to row */
  private readonly scratch: PgText[];
  private readonly written: number[];
  /** per written column: may its text hold a character COPY escapes */
  private readonly escapes: boolean[];
  /** every column is written, in order (no pick): each is written as it is converted */
  private readonly inOrder: boolean;
  /** per column: its direct writer, where its value is not also needed as text (the FK guard, known parents) */
  private readonly direct: (DirectWriter | null)[];
  /** binary COPY: per column, its direct binary writer where its value is not needed as text */
  private readonly binaryDirect: (DirectWriter | null)[];

  /**
   * `lines`: where the COPY bytes go; `keyLines`: each row's ledger key and a newline, as
   * bytes (no string per row). Both are emptied by finish(), which copies out what they
   * hold, so the reader thread passes the same two to its next batch.
   */
  constructor(
    private readonly columns: CopyColumns,
    private readonly shape: CopyBatchShape,
    private readonly lines = new CopyBytes(),
    private readonly keyLines = new CopyBytes(),
    /** lines as binary COPY tuples (add() throws NotBinary at a value that has no exact binary form) */
    readonly binary = shape.binary,
  ) {
    const width = columns.codecs.length;
    this.scratch = new Array<PgText>(width).fill(null);
    this.written = shape.pick ?? Array.from({ length: width }, (_, i) => i);
    this.escapes = this.written.map((i) => !columns.plainText[i]);
    this.inOrder = shape.pick === null;
    this.direct = columns.direct.map((w, i) => (shape.needed.includes(i) ? null : w));
    this.binaryDirect = columns.binaryDirect.map((w, i) => (shape.needed.includes(i) && !columns.passThrough[i] ? null : w));
  }

  /**
   * Converts each value with its column's codec, in column order (so the first value
   * refused is the one a row's reject names, as row-converter.ts does), and writes the
   * row's COPY line as it goes: no row array, no line string of its own. A row refused
   * halfway takes back what it wrote.
   */
  add(rows: readonly SourceRow[]): void {
    const checks = this.shape.keyChecks;
    if (checks && !this.keyUnsure) this.keyUnsure = !keysOneToOne(rows, checks);
    if (this.binary) {
      this.addBinary(rows);
      return;
    }
    const { needed, sourceKeyIndexes } = this.shape;
    const { codecs, names } = this.columns;
    const { scratch: out, written, escapes, values, lines, ends, direct } = this;
    const width = codecs.length;
    const { keyLines } = this;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as SourceRow;
      writeRowKey(keyLines, row, sourceKeyIndexes);
      keyLines.byte(NEWLINE);
      if (this.refusedAsRead(row, i)) continue;
      const start = lines.length;
      let refused: Rejected | null = null;
      let c = 0;
      for (; c < width; c++) {
        const raw = row[c] ?? null;
        // written in column order (no pick): straight into the line
        if (this.inOrder) {
          if (c > 0) lines.byte(TAB);
          const writer = direct[c];
          if (writer && writer(raw, lines)) continue;
        }
        const v = (codecs[c] as AnyCodec)(raw);
        if (v instanceof Rejected) {
          refused = v;
          break;
        }
        out[c] = v as PgText; // sqlite-to-pg codecs make text (or NULL) of every value
        if (this.inOrder) {
          if (v === null) lines.nullValue();
          else lines.text(v as string, escapes[c] as boolean);
        }
      }
      if (refused !== null) {
        lines.truncate(start);
        this.rejects.push({ index: this.read + i, column: names[c] ?? '?', reason: refused.reason });
        continue;
      }
      this.convertedFrom.push(this.read + i);
      if (!this.inOrder) {
        for (let j = 0; j < written.length; j++) {
          const v = out[written[j] as number] ?? null;
          if (j > 0) lines.byte(TAB);
          if (v === null) lines.nullValue();
          else lines.text(v, escapes[j] as boolean);
        }
      }
      lines.byte(NEWLINE);
      ends.push(lines.length);
      for (let j = 0; j < needed.length; j++) values.push(out[needed[j] as number] ?? null);
    }
    this.read += rows.length;
    if (rows.length > 0) this.last = rows[rows.length - 1] as SourceRow;
  }

  /**
   * add() for binary COPY: each row a tuple (field count, then each field's length and
   * bytes, -1 for NULL), converted in column order as add() does. A value the column's
   * encoder cannot write exactly throws NotBinary: the caller encodes the batch again as text.
   */
  private addBinary(rows: readonly SourceRow[]): void {
    const { needed, sourceKeyIndexes } = this.shape;
    const { codecs, names, encoders } = this.columns;
    const { scratch: out, written, values, lines, ends, binaryDirect: direct, keyLines, inOrder } = this;
    const width = codecs.length;
    const field = (v: PgText, c: number): void => {
      if (v === null) {
        lines.int32(-1);
        return;
      }
      const at = lines.fieldStart();
      if (!(encoders[c] as BinaryEncoder)(v, lines)) throw new NotBinary(names[c] ?? '?');
      lines.fieldEnd(at);
    };
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as SourceRow;
      writeRowKey(keyLines, row, sourceKeyIndexes);
      keyLines.byte(NEWLINE);
      if (this.refusedAsRead(row, i)) continue;
      const start = lines.length;
      lines.int16(written.length);
      let refused: Rejected | null = null;
      let c = 0;
      for (; c < width; c++) {
        const raw = row[c] ?? null;
        const writer = inOrder ? direct[c] : null;
        if (writer) {
          const at = lines.fieldStart();
          if (writer(raw, lines)) {
            lines.fieldEnd(at);
            out[c] = raw as PgText; // read only where needed, and then the writer passes values through
            continue;
          }
          lines.truncate(at - 4);
        }
        const v = (codecs[c] as AnyCodec)(raw);
        if (v instanceof Rejected) {
          refused = v;
          break;
        }
        out[c] = v as PgText;
        if (inOrder) field(v as PgText, c);
      }
      if (refused !== null) {
        lines.truncate(start);
        this.rejects.push({ index: this.read + i, column: names[c] ?? '?', reason: refused.reason });
        continue;
      }
      this.convertedFrom.push(this.read + i);
      if (!inOrder) for (let j = 0; j < written.length; j++) field(out[written[j] as number] ?? null, written[j] as number);
      ends.push(lines.length);
      for (let j = 0; j < needed.length; j++) values.push(out[needed[j] as number] ?? null);
    }
    this.read += rows.length;
    if (rows.length > 0) this.last = rows[rows.length - 1] as SourceRow;
  }

  /** A row the reader found unstorable as read (io/row-problems.ts) goes to the rejects before any value is converted. */
  private refusedAsRead(row: SourceRow, i: number): boolean {
    const problem = rowProblem(row);
    if (problem) this.rejects.push({ index: this.read + i, column: problem.column, reason: problem.reason });
    return problem !== undefined;
  }

  finish(): CopyBatch {
    return {
      binary: this.binary,
      read: this.read,
      last: this.last === null ? null : encodePosition(lastPosition(this.last, this.shape)),
      // a buffer of its own (never Node's shared pool), so it can be transferred
      copy: this.lines.take(),
      ends: Int32Array.from(this.ends),
      convertedFrom: Int32Array.from(this.convertedFrom),
      keys: this.keyLines.take(),
      values: this.values,
      rejects: this.rejects,
      keyUnsure: this.keyUnsure,
    };
  }
}

const TAB = 9;
const NEWLINE = 10;

/** Convert and encode rows read from the source in one go. */
export function encodeCopyBatch(rows: readonly SourceRow[], columns: CopyColumns, shape: CopyBatchShape): CopyBatch {
  if (shape.binary) {
    try {
      const b = new CopyBatchBuilder(columns, shape);
      b.add(rows);
      return b.finish();
    } catch (e) {
      if (!(e instanceof NotBinary)) throw e;
    }
  }
  const b = new CopyBatchBuilder(columns, shape, undefined, undefined, false);
  b.add(rows);
  return b.finish();
}

const utf8 = new TextDecoder();

/** A batch as the engine handles it on the main thread (table-sync.ts's PreparedRows). */
export interface DecodedCopyBatch {
  read: number;
  last: KeysetPosition | null;
  converted: TargetRow[];
  convertedFrom: number[];
  rejects: Omit<RejectEntry, 'firstSeen' | 'attempts'>[];
  keyOf: (index: number) => string;
  /** CopyBatch.keyUnsure */
  keyUnsure: boolean;
}

/** `width`: columns in a target row; `table`: for the reject ledger. */
export function decodeCopyBatch(batch: CopyBatch, shape: CopyBatchShape, width: number, table: string): DecodedCopyBatch {
  const { needed } = shape;
  const bytes = batch.copy;
  const n = batch.ends.length;
  const values = batch.values;
  const converted: TargetRow[] = new Array<TargetRow>(n);
  let start = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const row: TargetRow = new Array<PgText>(width);
    for (let j = 0; j < needed.length; j++, k++) row[needed[j] as number] = values[k] ?? null;
    const end = batch.ends[i] as number;
    converted[i] = withCopyLine(row, { bytes, start, end, binary: batch.binary });
    start = end;
  }
  let keys: string[] | null = null;
  // decoded only when a row needs its key (a reject, a skip, a ledger retry)
  const keyOf = (index: number): string => (keys ??= utf8.decode(batch.keys).split('\n'))[index] ?? '';
  return {
    read: batch.read,
    last: batch.last === null ? null : decodePosition(batch.last),
    converted,
    convertedFrom: Array.from(batch.convertedFrom),
    rejects: batch.rejects.map((r) => ({ table, rowKey: keyOf(r.index), column: r.column, reason: r.reason, code: null })),
    keyOf,
    keyUnsure: batch.keyUnsure === true,
  };
}

/** The encoding in-process, on the main thread: the same bytes when no reader thread runs. */
export function inProcessCopyBatches(read: (window: ReadWindow) => Promise<SourceRow[]>, columns: CopyColumns, shape: CopyBatchShape): CopyBatchReader {
  return {
    async readBatch(window) {
      return encodeCopyBatch(await read(window), columns, shape);
    },
  };
}
