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

/** Joins a batch's text values into one string (NUL: PostgreSQL text never holds it); packers and unpack*() share it. */
export const SEP = '\u0000';

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
 * Float64Array, BLOB bytes in one buffer. Text values go as their UTF-8 bytes, each ended
 * by a NUL: the reader thread copies the values it does not convert straight from what
 * PostgreSQL sent (postgres-copy-rows.ts), and the main thread decodes a batch's text in
 * one call and splits it, or binds the bytes as they are (text-slices.ts). Of the source rows only the values the engine
 * keeps a row's place by travel (key and cursor), in their source text. Packed as the rows
 * arrive, on the reader thread: postgres-read-convert.ts.
 */
export interface PackedConverted {
  count: number;
  width: number;
  /** per value, row-major: TAG */
  tags: Uint8Array;
  /** the TEXT and BIG_TEXT values in order, as UTF-8, each followed by a NUL byte */
  text: Uint8Array;
  /** the offset of each text value's NUL in `text` (so where each value starts and ends) */
  textEnds: Uint32Array;
  /** `text` is well-formed UTF-8: decoding it and encoding it again gives the same bytes */
  textUtf8: boolean;
  ints: BigInt64Array;
  reals: Float64Array;
  blobs: Uint8Array;
  /** end offset in `blobs` of each BLOB value, in order */
  blobEnds: Uint32Array;
  /** rows that cannot be stored: the column and why */
  rejected: { index: number; column: string; reason: string }[];
  /** source values at `sourceIndexes` of each row, as their text */
  source: PackedSource;
  sourceIndexes: number[];
}

/**
 * The key and cursor values of a converted batch's rows: each value's UTF-8 text ended by a
 * NUL (a NULL as '' marked in `nulls`), written by the reader thread straight from what
 * PostgreSQL sent, decoded here only when a row's place or ledger key is asked for.
 */
export interface PackedSource {
  count: number;
  width: number;
  text: Uint8Array;
  /** 1 where the value is NULL, row-major */
  nulls: Uint8Array;
}

/** What each value of a PackedConverted is (its `tags`); NULL is 0, the typed arrays' initial value. */
export const TAG = {
  NULL: 0,
  TEXT: 1,
  INT: 2,
  REAL: 3,
  BLOB: 4,
  /** a BigInt beyond 64 bits (no integer column holds one; kept exact all the same) */
  BIG_TEXT: 5,
} as const;

/** What a codec gave for one value: a SQLite value, or why the row cannot be stored. */
export type ConvertedValue = string | bigint | number | Buffer | null | { rejected: string };

/** Target rows, null where the row was rejected (PackedConverted.rejected). */
export function unpackConverted(packed: PackedConverted): (SourceRow | null)[] {
  const { count, width, tags, ints, reals, blobEnds } = packed;
  const texts = packed.text.byteLength > 0 ? Buffer.from(packed.text.buffer, packed.text.byteOffset, packed.text.byteLength).toString('utf8').split(SEP) : [];
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
        case TAG.TEXT:
          row[j] = texts[t++] as string;
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
          row[j] = BigInt(texts[t++] as string);
          break;
        default:
          row[j] = null;
      }
    }
    targets[i] = skip.has(i) ? null : row;
  }
  return targets;
}

/**
 * The source rows of a converted batch, one at a time: only the key and cursor values
 * (`sourceIndexes`) are there, the rest NULL. The engine asks for the last row (its
 * position) and for rows that go to a ledger; an array per row read, built up front, was
 * two arrays per row of garbage on the main thread.
 */
export function convertedSourceRows(packed: PackedConverted, sourceWidth: number): (i: number) => SourceRow {
  const { source, sourceIndexes } = packed;
  const bytes = Buffer.from(source.text.buffer, source.text.byteOffset, source.text.byteLength);
  let values: string[] | null = null;
  const rowOf = (i: number, at: (x: number) => string | undefined): SourceRow => {
    const row: SourceRow = new Array<SourceRow[number]>(sourceWidth).fill(null);
    for (let x = 0; x < source.width; x++) row[sourceIndexes[x] as number] = source.nulls[i * source.width + x] === 1 ? null : (at(x) as string);
    return row;
  };
  return (i) => {
    if (values === null && i === source.count - 1 && i > 0 && source.width > 0) {
      // the last row alone (every batch's position): each value ends with a NUL, so its own
      // values follow the previous row's last NUL, the (width + 1)th from the end
      let from = bytes.byteLength;
      for (let x = 0; x <= source.width; x++) from = bytes.lastIndexOf(0, from - 1);
      const own = bytes.toString('utf8', from + 1).split(SEP);
      return rowOf(i, (x) => own[x]);
    }
    values ??= source.count === 0 || source.width === 0 ? [] : bytes.toString('utf8').split(SEP);
    const all = values;
    return rowOf(i, (x) => all[i * source.width + x]);
  };
}
