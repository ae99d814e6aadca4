/**
 * A batch of PostgreSQL text rows as one string and a NULL map, for handing rows between
 * threads: structured-cloning an array of arrays costs one object per value on both
 * sides, one string costs a copy, and splitting it again is a single native call.
 * PostgreSQL text never holds a NUL character (text types refuse it; bytea comes as hex),
 * so NUL separates the values.
 */
import type { SourceRow } from './batch-io.js';

export interface PackedRows {
  count: number;
  width: number;
  text: string;
  /** 1 where the value is NULL, row-major */
  nulls: Uint8Array;
}

const SEP = '\u0000';

export function packRows(rows: readonly (string | null)[][]): PackedRows {
  const count = rows.length;
  const width = rows[0]?.length ?? 0;
  const nulls = new Uint8Array(count * width);
  const parts: string[] = new Array<string>(count * width);
  let k = 0;
  for (const row of rows) {
    for (let j = 0; j < width; j++, k++) {
      const v = row[j] ?? null;
      if (v === null) {
        nulls[k] = 1;
        parts[k] = '';
      } else {
        parts[k] = v;
      }
    }
  }
  return { count, width, text: parts.join(SEP), nulls };
}

export function unpackRows(packed: PackedRows): SourceRow[] {
  const { count, width, nulls } = packed;
  if (count === 0 || width === 0) return Array.from({ length: count }, () => []);
  const values = packed.text.split(SEP);
  const rows: SourceRow[] = new Array<SourceRow>(count);
  let k = 0;
  for (let i = 0; i < count; i++) {
    const row: SourceRow = new Array<string | null>(width);
    for (let j = 0; j < width; j++, k++) row[j] = nulls[k] === 1 ? null : (values[k] as string);
    rows[i] = row;
  }
  return rows;
}

/**
 * A batch converted for SQLite on the reader thread (pure work, so it runs beside the
 * writes), handed over without one object per value: text values NUL-joined as above,
 * integers in a BigInt64Array (read back as BigInt, never through a double), reals in a
 * Float64Array, BLOB bytes in one buffer. Of the source rows only the values the engine
 * keeps a row's place by travel (key and cursor), in their source text.
 */
export interface PackedConverted {
  count: number;
  width: number;
  /** per value, row-major: TAG_* */
  tags: Uint8Array;
  text: string;
  ints: BigInt64Array;
  reals: Float64Array;
  blobs: Uint8Array;
  /** end offset in `blobs` of each BLOB value, in order */
  blobEnds: Uint32Array;
  /** rows that cannot be stored: the column and why */
  rejected: { index: number; column: string; reason: string }[];
  /** source values at `sourceIndexes` of each row (a PackedRows of those columns) */
  source: PackedRows;
  sourceIndexes: number[];
}

const TAG_NULL = 0;
const TAG_TEXT = 1;
const TAG_INT = 2;
const TAG_REAL = 3;
const TAG_BLOB = 4;
/** a BigInt beyond 64 bits (no integer column holds one; kept exact all the same) */
const TAG_BIG_TEXT = 5;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** What a codec gave for one value: a SQLite value, or why the row cannot be stored. */
export type ConvertedValue = string | bigint | number | Buffer | null | { rejected: string };

export function packConverted(
  rows: readonly (string | null)[][],
  width: number,
  convert: (value: string | null, column: number) => ConvertedValue,
  columnNames: readonly string[],
  sourceIndexes: number[],
): PackedConverted {
  const count = rows.length;
  const tags = new Uint8Array(count * width);
  const texts: string[] = [];
  const ints: bigint[] = [];
  const reals: number[] = [];
  const blobs: Buffer[] = [];
  const rejected: PackedConverted['rejected'] = [];
  let k = 0;
  for (let i = 0; i < count; i++) {
    const row = rows[i] as (string | null)[];
    for (let j = 0; j < width; j++, k++) {
      const v = convert(row[j] ?? null, j);
      if (v === null) continue; // TAG_NULL
      if (typeof v === 'string') {
        tags[k] = TAG_TEXT;
        texts.push(v);
      } else if (typeof v === 'bigint') {
        if (v >= INT64_MIN && v <= INT64_MAX) {
          tags[k] = TAG_INT;
          ints.push(v);
        } else {
          tags[k] = TAG_BIG_TEXT;
          texts.push(v.toString());
        }
      } else if (typeof v === 'number') {
        tags[k] = TAG_REAL;
        reals.push(v);
      } else if (Buffer.isBuffer(v)) {
        tags[k] = TAG_BLOB;
        blobs.push(v);
      } else {
        // the row is not stored: the rest of its values are left NULL
        rejected.push({ index: i, column: columnNames[j] ?? '?', reason: v.rejected });
        k += width - j;
        break;
      }
    }
  }
  // a copy of exact size: a view into Buffer's shared pool would send the whole pool
  const blobBytes = new Uint8Array(Buffer.concat(blobs));
  const blobEnds = new Uint32Array(blobs.length);
  let end = 0;
  blobs.forEach((b, i) => (blobEnds[i] = end += b.length));
  const source = packRows(rows.map((r) => sourceIndexes.map((i) => r[i] ?? null)));
  return {
    count,
    width,
    tags,
    text: texts.join(SEP),
    ints: BigInt64Array.from(ints),
    reals: Float64Array.from(reals),
    blobs: blobBytes,
    blobEnds,
    rejected,
    source,
    sourceIndexes,
  };
}

/** Target rows (null where the row was rejected) and source rows holding only the key and cursor values. */
export function unpackConverted(packed: PackedConverted, sourceWidth: number): { rows: SourceRow[]; targets: (SourceRow | null)[] } {
  const { count, width, tags, ints, reals, blobEnds } = packed;
  const texts = packed.text.length > 0 || tags.includes(TAG_TEXT) ? packed.text.split(SEP) : [];
  const blobs = Buffer.from(packed.blobs.buffer, packed.blobs.byteOffset, packed.blobs.byteLength);
  const skip = new Set(packed.rejected.map((r) => r.index));
  const targets: (SourceRow | null)[] = new Array<SourceRow | null>(count);
  let k = 0;
  let t = 0;
  let n = 0;
  let r = 0;
  let b = 0;
  for (let i = 0; i < count; i++) {
    const row: SourceRow = new Array<SourceRow[number]>(width);
    for (let j = 0; j < width; j++, k++) {
      switch (tags[k]) {
        case TAG_TEXT:
          row[j] = texts[t++] as string;
          break;
        case TAG_INT:
          row[j] = ints[n++] as bigint;
          break;
        case TAG_REAL:
          row[j] = reals[r++] as number;
          break;
        case TAG_BLOB:
          row[j] = blobs.subarray(b === 0 ? 0 : (blobEnds[b - 1] as number), blobEnds[b++] as number);
          break;
        case TAG_BIG_TEXT:
          row[j] = BigInt(texts[t++] as string);
          break;
        default:
          row[j] = null;
      }
    }
    targets[i] = skip.has(i) ? null : row;
  }
  const keys = unpackRows(packed.source);
  const rows: SourceRow[] = keys.map((key) => {
    const row: SourceRow = new Array<SourceRow[number]>(sourceWidth).fill(null);
    packed.sourceIndexes.forEach((at, x) => (row[at] = key[x] ?? null));
    return row;
  });
  return { rows, targets };
}
