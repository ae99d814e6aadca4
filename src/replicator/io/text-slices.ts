/**
 * TEXT values of a converted batch left as the UTF-8 bytes the reader thread wrote
 * (PackedConverted.text), for a writer that binds those bytes as they are
 * (sqlite-slice-insert.ts): decoding them into JS strings (the batch's text in one call,
 * then split) only for better-sqlite3 to encode each to UTF-8 again was much of the main
 * thread's work in a first load.
 *
 * Such a row holds a PendingText (one per row) in place of each TEXT value. Whatever
 * needs the values themselves resolves them first: the FK columns the guard and the
 * parent check read (resolveColumns), a whole batch that goes row by row (resolveRows).
 * A slot something rewrote in place (the FK guard's translation) holds its new value and is
 * bound as that.
 */
import type { TargetRow } from './batch-io.js';
import { SEP, TAG, type PackedConverted } from './row-transfer.js';

/** A converted batch's text: each value's bytes, and its string once asked for. */
export class BatchText {
  readonly bytes: Buffer;
  readonly width: number;
  /** per value of the batch (row-major), the index of its text value, or -1 */
  private readonly index: Int32Array;
  private strings: string[] | null = null;

  constructor(packed: PackedConverted, readonly ends: Uint32Array) {
    this.bytes = Buffer.from(packed.text.buffer, packed.text.byteOffset, packed.text.byteLength);
    this.index = new Int32Array(packed.count * packed.width).fill(-1);
    this.width = packed.width;
  }

  setIndex(k: number, t: number): void {
    this.index[k] = t;
  }

  /** the text value index of value `column` of row `row` */
  at(row: number, column: number): number {
    const t = this.index[row * this.width + column] as number;
    if (t < 0) throw new Error(`no text value at row ${row}, column ${column}`);
    return t;
  }

  start(t: number): number {
    return t === 0 ? 0 : (this.ends[t - 1] as number) + 1;
  }

  end(t: number): number {
    return this.ends[t] as number;
  }

  /** value `t` as a string: from the whole batch's decoding where that was done, else on its own */
  value(t: number): string {
    return this.strings !== null ? (this.strings[t] as string) : this.bytes.toString('utf8', this.start(t), this.end(t));
  }

  /** every value decoded at once (one call and a split, as a batch that goes row by row needs them all) */
  decodeAll(): void {
    this.strings ??= this.bytes.byteLength > 0 ? this.bytes.toString('utf8').split(SEP) : [];
  }
}

/** The TEXT values of one row of a batch, not decoded yet. */
export class PendingText {
  constructor(
    readonly text: BatchText,
    readonly row: number,
  ) {}
}

type Slot = TargetRow[number];

/** A row's slot holds a PendingText only where its value is one of the batch's text values (never a type a reader or writer would take it for). */
const pendingSlot = (p: PendingText): Slot => p as unknown as Slot;

export const pendingOf = (v: unknown): PendingText | null => (v instanceof PendingText ? v : null);

/**
 * Target rows as unpackConverted gives them, but each TEXT value a PendingText; null
 * unless the batch's text is well-formed UTF-8 (bytes bound as they are must be what
 * encoding the decoded string would give) and its value ends came along. Its loop is
 * unpackConverted's with two cases changed, on purpose: one loop for both, taking the TEXT
 * case as a callback, cost case c's main thread 2-7% more CPU in 6 alternating runs.
 */
export function slicedTargets(packed: PackedConverted): (TargetRow | null)[] | null {
  if (!packed.textUtf8 || packed.textEnds.length === 0) return null;
  const { count, width, tags, ints, reals, blobEnds } = packed;
  const text = new BatchText(packed, packed.textEnds);
  const blobs = Buffer.from(packed.blobs.buffer, packed.blobs.byteOffset, packed.blobs.byteLength);
  const skip = new Set(packed.rejected.map((r) => r.index));
  const targets: (TargetRow | null)[] = new Array<TargetRow | null>(count);
  let k = 0;
  let t = 0;
  let n = 0;
  let r = 0;
  let b = 0;
  for (let i = 0; i < count; i++) {
    const row: TargetRow = new Array<Slot>(width);
    let pending: Slot | null = null;
    for (let j = 0; j < width; j++, k++) {
      switch (tags[k]) {
        case TAG.TEXT:
          text.setIndex(k, t++);
          row[j] = pending ??= pendingSlot(new PendingText(text, i));
          break;
        case TAG.INT:
          row[j] = ints[n++] as bigint;
          break;
        case TAG.REAL:
          row[j] = reals[r++] as number;
          break;
        case TAG.BLOB:
          row[j] = blobs.subarray(b === 0 ? 0 : (blobEnds[b - 1] as number), blobEnds[b++] as number);
          break;
        case TAG.BIG_TEXT:
          row[j] = BigInt(text.value(t++));
          break;
        default:
          row[j] = null;
      }
    }
    targets[i] = skip.has(i) ? null : row;
  }
  return targets;
}

/** The value of slot `column` of a row, resolved: its string where it is a pending TEXT value. */
export function resolvedValue(row: TargetRow, column: number): Slot {
  const v = row[column] ?? null;
  const p = pendingOf(v);
  return p === null ? v : p.text.value(p.text.at(p.row, column));
}

/** Decodes a row's pending TEXT values in place, one by one (a row written on its own); the row. */
export function resolveRow(row: TargetRow): TargetRow {
  for (let c = 0; c < row.length; c++) if (pendingOf(row[c]) !== null) row[c] = resolvedValue(row, c);
  return row;
}

/** Decodes these columns' pending TEXT values in place (the FK columns a check reads). */
export function resolveColumns(rows: readonly (TargetRow | null)[], columns: readonly number[]): void {
  if (columns.length === 0) return;
  for (const row of rows) {
    if (!row) continue;
    for (const c of columns) if (pendingOf(row[c]) !== null) row[c] = resolvedValue(row, c);
  }
}

/** Decodes every pending TEXT value of the rows in place, each batch's text in one call. */
export function resolveRows(rows: readonly (TargetRow | null)[]): void {
  let last: BatchText | null = null;
  for (const row of rows) {
    if (!row) continue;
    for (let c = 0; c < row.length; c++) {
      const p = pendingOf(row[c]);
      if (p === null) continue;
      if (p.text !== last) {
        last = p.text;
        last.decodeAll();
      }
      row[c] = p.text.value(p.text.at(p.row, c));
    }
  }
}
