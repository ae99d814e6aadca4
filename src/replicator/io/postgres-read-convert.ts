/**
 * The reader thread's conversion of a batch for SQLite, done row by row as the rows arrive
 * from the server (PostgresReader.readInto) and packed straight into the form the batch
 * crosses threads in (row-transfer.ts, PackedConverted). Nothing per value outlives its
 * row for long: integers and reals go into typed arrays at once, text values are joined
 * every PART_VALUES values, and of the source row only its key and cursor are kept. The
 * thread's young generation is small (postgres-read-thread.ts), so a batch held as rows
 * until its last one arrived was copied by scavenge after scavenge; this way nearly
 * everything dies young.
 */
import type { SourceRow } from './batch-io.js';
import type { RowCollector } from './postgres-reader.js';
import { packRows, SEP, TAG, type ConvertedValue, type PackedConverted } from './row-transfer.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** text values joined into one string at a time: few enough to die young, enough that the final join is short */
const PART_VALUES = 2048;

export interface ConvertSpec {
  width: number;
  convert: (value: string | null, column: number) => ConvertedValue;
  /** SQLite column names, for the reasons of rejected rows */
  columnNames: readonly string[];
  /** the source values kept of each row (key and cursor), in this order */
  sourceIndexes: number[];
}

export class ConvertingCollector implements RowCollector {
  count = 0;
  private tags: Uint8Array;
  private ints: BigInt64Array;
  private intCount = 0;
  private reals: Float64Array;
  private realCount = 0;
  private readonly blobs: Buffer[] = [];
  private texts: string[] = [];
  private readonly parts: string[] = [];
  private readonly rejected: PackedConverted['rejected'] = [];
  private readonly source: (string | null)[][] = [];

  /** `expected`: rows the batch may hold (its limit), so the arrays are sized once */
  constructor(private readonly spec: ConvertSpec, expected: number) {
    const values = Math.max(1, expected) * spec.width;
    this.tags = new Uint8Array(values);
    this.ints = new BigInt64Array(Math.min(values, 1024));
    this.reals = new Float64Array(Math.min(values, 1024));
  }

  /** the source values (key and cursor) of the last row taken, by their index in the source row */
  lastSource(): SourceRow | null {
    const kept = this.source[this.source.length - 1];
    if (!kept) return null;
    const row: SourceRow = [];
    this.spec.sourceIndexes.forEach((at, x) => (row[at] = kept[x] ?? null));
    return row;
  }

  add(fields: (string | null)[]): void {
    const { width, convert } = this.spec;
    const i = this.count++;
    if ((i + 1) * width > this.tags.length) this.tags = grow(this.tags, (i + 1) * width * 2);
    const tags = this.tags;
    let k = i * width;
    for (let j = 0; j < width; j++, k++) {
      const v = convert(fields[j] ?? null, j);
      if (v === null) continue; // TAG.NULL
      if (typeof v === 'string') {
        tags[k] = TAG.TEXT;
        this.text(v);
      } else if (typeof v === 'bigint') {
        if (v >= INT64_MIN && v <= INT64_MAX) {
          tags[k] = TAG.INT;
          if (this.intCount === this.ints.length) this.ints = grow(this.ints, this.ints.length * 2);
          this.ints[this.intCount++] = v;
        } else {
          tags[k] = TAG.BIG_TEXT;
          this.text(v.toString());
        }
      } else if (typeof v === 'number') {
        tags[k] = TAG.REAL;
        if (this.realCount === this.reals.length) this.reals = grow(this.reals, this.reals.length * 2);
        this.reals[this.realCount++] = v;
      } else if (Buffer.isBuffer(v)) {
        tags[k] = TAG.BLOB;
        this.blobs.push(v);
      } else {
        // the row is not stored: the rest of its values are left NULL
        this.rejected.push({ index: i, column: this.spec.columnNames[j] ?? '?', reason: v.rejected });
        break;
      }
    }
    this.source.push(this.spec.sourceIndexes.map((at) => fields[at] ?? null));
  }

  private text(v: string): void {
    this.texts.push(v);
    if (this.texts.length >= PART_VALUES) {
      this.parts.push(this.texts.join(SEP));
      this.texts = [];
    }
  }

  /** The batch as it crosses to the main thread. */
  packed(): PackedConverted {
    if (this.texts.length > 0) this.parts.push(this.texts.join(SEP));
    this.texts = [];
    // a copy of exact size: a view into Buffer's shared pool would send the whole pool
    const blobBytes = new Uint8Array(Buffer.concat(this.blobs));
    const blobEnds = new Uint32Array(this.blobs.length);
    let end = 0;
    this.blobs.forEach((b, x) => (blobEnds[x] = end += b.length));
    return {
      count: this.count,
      width: this.spec.width,
      tags: this.tags.slice(0, this.count * this.spec.width),
      text: this.parts.join(SEP),
      ints: this.ints.slice(0, this.intCount),
      reals: this.reals.slice(0, this.realCount),
      blobs: blobBytes,
      blobEnds,
      rejected: this.rejected,
      source: packRows(this.source),
      sourceIndexes: this.spec.sourceIndexes,
    };
  }
}

function grow<T extends Uint8Array | BigInt64Array | Float64Array>(a: T, size: number): T {
  const bigger = new (a.constructor as new (n: number) => T)(size);
  bigger.set(a as never);
  return bigger;
}
