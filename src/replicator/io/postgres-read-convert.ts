/**
 * The reader thread's conversion of a batch for SQLite, done row by row as the rows arrive
 * from the server (PostgresReader.readInto) and packed straight into the form the batch
 * crosses threads in (row-transfer.ts, PackedConverted). Nothing per value outlives its
 * row for long: integers and reals go into typed arrays at once, text values are written
 * as UTF-8 into one growing buffer, and of the source row only its key and cursor are
 * kept. The thread's young generation is small (postgres-read-thread.ts), so a batch held
 * as rows until its last one arrived was copied by scavenge after scavenge; this way
 * nearly everything dies young. Rows that arrive as PostgreSQL's bytes (addRaw,
 * postgres-raw-rows.ts) have the values the codec keeps as they are (byteConversion)
 * copied byte for byte, never made into strings; only the others are decoded and converted.
 */
import type { SourceRow } from './batch-io.js';
import type { RowCollector } from './postgres-reader.js';
import { rawFields } from './postgres-raw-rows.js';
import { integerFromBytes, isoTimestampBytes } from './postgres-read-bytes.js';
import type { ByteConversion } from '../values/pg-to-sqlite.js';
import { packRows, TAG, type ConvertedValue, type PackedConverted } from './row-transfer.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const NUL = 0;
const CHAR_N = 0x4e; // NaN
const CHAR_I = 0x49; // Infinity
const CHAR_MINUS = 0x2d;
const CHAR_T = 0x74; // PostgreSQL's true
/** room for a timestamp's ISO text and its NUL (isoTimestampBytes writes at most 32 bytes) */
const TIMESTAMP_ROOM = 40;
/** fields shorter than this are copied by a loop: a Buffer#copy call costs more than it saves */
const LOOP_COPY = 48;

export interface ConvertSpec {
  width: number;
  convert: (value: string | null, column: number) => ConvertedValue;
  /** SQLite column names, for the reasons of rejected rows */
  columnNames: readonly string[];
  /** the source values kept of each row (key and cursor), in this order */
  sourceIndexes: number[];
  /** per column, what addRaw may convert from the bytes themselves (values/pg-to-sqlite.ts byteConversion) */
  fromBytes?: readonly ByteConversion[];
}

export class ConvertingCollector implements RowCollector {
  count = 0;
  private tags: Uint8Array;
  private ints: BigInt64Array;
  private intCount = 0;
  private reals: Float64Array;
  private realCount = 0;
  private readonly blobs: Buffer[] = [];
  /** text values as UTF-8, each followed by a NUL (PostgreSQL text never holds one) */
  private text: Buffer;
  private textLength = 0;
  /** addRaw: where each field of the current row starts (-1: NULL) and ends */
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly rejected: PackedConverted['rejected'] = [];
  private readonly source: (string | null)[][] = [];

  /**
   * `expected`: rows the batch may hold (its limit), so the arrays are sized once;
   * `textBytes`: what the text of a batch took last time, so its buffer is sized once too
   */
  constructor(private readonly spec: ConvertSpec, expected: number, textBytes = 0) {
    const values = Math.max(1, expected) * spec.width;
    this.tags = new Uint8Array(values);
    this.ints = new BigInt64Array(Math.min(values, 1024));
    this.reals = new Float64Array(Math.min(values, 1024));
    this.text = ownBuffer(Math.max(64 * 1024, Math.ceil(textBytes * 1.1)));
    this.starts = new Int32Array(spec.width);
    this.ends = new Int32Array(spec.width);
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
    const i = this.row();
    let k = i * width;
    for (let j = 0; j < width; j++, k++) {
      if (!this.put(convert(fields[j] ?? null, j), i, j, k)) break;
    }
    this.source.push(this.spec.sourceIndexes.map((at) => fields[at] ?? null));
  }

  /**
   * One row as PostgreSQL sent it (a DataRow message body: field count, then per field its
   * length and bytes). Values the conversion keeps unchanged are copied as bytes, the
   * commonest others (integers, booleans, UTC timestamps) converted from the bytes
   * (postgres-read-bytes.ts); the rest are decoded and converted as add() does. Valid only
   * while the message is delivered.
   */
  addRaw(bytes: Buffer, offset: number): void {
    const { width, convert, fromBytes } = this.spec;
    let at = offset;
    const n = bytes.readInt16BE(at);
    at += 2;
    if (n !== width || !fromBytes) {
      this.add(rawFields(bytes, offset));
      return;
    }
    const { starts, ends } = this;
    for (let j = 0; j < n; j++) {
      const len = bytes.readInt32BE(at);
      at += 4;
      if (len === -1) {
        starts[j] = -1;
      } else {
        starts[j] = at;
        ends[j] = at + len;
        at += len;
      }
    }
    const i = this.row();
    let k = i * width;
    const field = (j: number): string | null => (starts[j] === -1 ? null : bytes.toString('utf8', starts[j], ends[j]));
    for (let j = 0; j < width; j++, k++) {
      const s = starts[j] as number;
      if (s === -1) continue; // TAG.NULL
      const e = ends[j] as number;
      const how = fromBytes[j] ?? 'none';
      if (how === 'text' || (how === 'numeric' && s < e && bytes[s] !== CHAR_N && bytes[s] !== CHAR_I && !(bytes[s] === CHAR_MINUS && bytes[s + 1] === CHAR_I))) {
        this.tags[k] = TAG.TEXT;
        this.bytesOf(bytes, s, e);
        continue;
      }
      if (how === 'boolean') {
        this.put(e - s === 1 && bytes[s] === CHAR_T ? 1n : 0n, i, j, k);
        continue;
      }
      if (how === 'integer') {
        const v = integerFromBytes(bytes, s, e);
        if (v !== null) {
          this.put(v, i, j, k);
          continue;
        }
      } else if (typeof how === 'object') {
        this.room(TIMESTAMP_ROOM);
        const w = isoTimestampBytes(bytes, s, e, how.timestamp, this.text, this.textLength);
        if (w >= 0) {
          this.tags[k] = TAG.TEXT;
          this.text[w] = NUL;
          this.textLength = w + 1;
          continue;
        }
      }
      if (!this.put(convert(field(j), j), i, j, k)) break;
    }
    this.source.push(this.spec.sourceIndexes.map((j) => field(j)));
  }

  /** a new row: its index, with room for its tags */
  private row(): number {
    const i = this.count++;
    const need = (i + 1) * this.spec.width;
    if (need > this.tags.length) this.tags = grow(this.tags, need * 2);
    return i;
  }

  /** one converted value into the batch; false when it rejects the row (the rest of it stays NULL) */
  private put(v: ConvertedValue, i: number, j: number, k: number): boolean {
    const tags = this.tags;
    if (v === null) return true; // TAG.NULL
    if (typeof v === 'string') {
      tags[k] = TAG.TEXT;
      this.string(v);
    } else if (typeof v === 'bigint') {
      if (v >= INT64_MIN && v <= INT64_MAX) {
        tags[k] = TAG.INT;
        if (this.intCount === this.ints.length) this.ints = grow(this.ints, this.ints.length * 2);
        this.ints[this.intCount++] = v;
      } else {
        tags[k] = TAG.BIG_TEXT;
        this.string(v.toString());
      }
    } else if (typeof v === 'number') {
      tags[k] = TAG.REAL;
      if (this.realCount === this.reals.length) this.reals = grow(this.reals, this.reals.length * 2);
      this.reals[this.realCount++] = v;
    } else if (Buffer.isBuffer(v)) {
      tags[k] = TAG.BLOB;
      this.blobs.push(v);
    } else {
      this.rejected.push({ index: i, column: this.spec.columnNames[j] ?? '?', reason: v.rejected });
      return false;
    }
    return true;
  }

  private room(bytes: number): void {
    if (this.textLength + bytes <= this.text.length) return;
    const bigger = ownBuffer(Math.max(this.text.length * 2, this.textLength + bytes));
    this.text.copy(bigger, 0, 0, this.textLength);
    this.text = bigger;
  }

  private string(v: string): void {
    // at most 3 bytes per UTF-16 unit, and the NUL
    this.room(v.length * 3 + 1);
    this.textLength += this.text.write(v, this.textLength, 'utf8');
    this.text[this.textLength++] = NUL;
  }

  private bytesOf(from: Buffer, start: number, end: number): void {
    const len = end - start;
    this.room(len + 1);
    const to = this.text;
    let w = this.textLength;
    if (len < LOOP_COPY) for (let x = start; x < end; x++) to[w++] = from[x] as number;
    else w += from.copy(to, w, start, end);
    to[w++] = NUL;
    this.textLength = w;
  }

  /** The batch as it crosses to the main thread. */
  packed(): PackedConverted {
    // a copy of exact size: a view into Buffer's shared pool would send the whole pool
    const blobBytes = new Uint8Array(Buffer.concat(this.blobs));
    const blobEnds = new Uint32Array(this.blobs.length);
    let end = 0;
    this.blobs.forEach((b, x) => (blobEnds[x] = end += b.length));
    return {
      count: this.count,
      width: this.spec.width,
      tags: this.tags.slice(0, this.count * this.spec.width),
      // a view of the buffer's own ArrayBuffer, handed over (transferred) rather than copied
      text: new Uint8Array(this.text.buffer, 0, this.textLength),
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

/** A Buffer over an ArrayBuffer of its own (never Buffer's shared pool), so it can be transferred. */
function ownBuffer(size: number): Buffer {
  return Buffer.from(new ArrayBuffer(size));
}

function grow<T extends Uint8Array | BigInt64Array | Float64Array>(a: T, size: number): T {
  const bigger = new (a.constructor as new (n: number) => T)(size);
  bigger.set(a as never);
  return bigger;
}
