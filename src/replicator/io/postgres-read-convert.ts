/**
 * The reader thread's conversion of a batch for SQLite, done row by row as the rows arrive
 * from the server (PostgresReader.readInto) and packed straight into the form the batch
 * crosses threads in (row-transfer.ts, PackedConverted). Nothing per value outlives its
 * row for long: integers and reals go into typed arrays at once, text values are written
 * as UTF-8 into one growing buffer, and of the source row only its key and cursor are
 * kept. The thread's young generation is small (postgres-read-thread.ts), so a batch held
 * as rows until its last one arrived was copied by scavenge after scavenge; this way
 * nearly everything dies young. Rows that arrive as PostgreSQL's bytes (addRaw, read by
 * binary COPY: postgres-copy-rows.ts) have the values the codec keeps as they are (byteConversion)
 * copied byte for byte, never made into strings; only the others are decoded and converted.
 */
import { isUtf8 } from 'node:buffer';
import type { SourceRow } from './batch-io.js';
import type { RowCollector } from './postgres-reader.js';
import { integerFromBytes, isoTimestampBytes } from './postgres-read-bytes.js';
import type { ByteConversion } from '../values/pg-to-sqlite.js';
import { SEP, TAG, type ConvertedValue, type PackedConverted } from './row-transfer.js';
import { ByteRun } from './byte-run.js';
import { isoFromBinary, timestampText, TIMESTAMP_TEXT_ROOM } from './pg-binary-timestamp-text.js';
import { binaryText, uuidTextBytes, type BinaryForm, type ColumnForms } from './postgres-copy-rows.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const CHAR_N = 0x4e; // NaN
const CHAR_I = 0x49; // Infinity
const CHAR_MINUS = 0x2d;
const CHAR_T = 0x74; // PostgreSQL's true
/** room for a timestamp's ISO text and its NUL (isoTimestampBytes writes at most 32 bytes) */
const TIMESTAMP_ROOM = 40;

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

const TEXT_ONLY: ColumnForms = [];
/** room for a uuid's text and its NUL */
const UUID_ROOM = 37;

/** A field's text: its bytes as UTF-8, or what its binary form stands for. */
const fieldText = (bytes: Buffer, s: number, e: number, form: BinaryForm | null): string => (form === null ? bytes.toString('utf8', s, e) : binaryText(bytes, s, e, form));

/** A tuple's fields as strings (text, null for NULL), as node-postgres decodes a DataRow. */
export function rawFields(bytes: Buffer, offset: number, forms: ColumnForms = TEXT_ONLY): (string | null)[] {
  let at = offset;
  const n = bytes.readInt16BE(at);
  at += 2;
  const fields = new Array<string | null>(n);
  for (let j = 0; j < n; j++) {
    const len = bytes.readInt32BE(at);
    at += 4;
    if (len === -1) {
      fields[j] = null;
    } else {
      fields[j] = fieldText(bytes, at, at + len, forms[j] ?? null);
      at += len;
    }
  }
  return fields;
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
  private readonly text: ByteRun;
  /** addRaw: where each field of the current row starts (-1: NULL) and ends */
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly rejected: PackedConverted['rejected'] = [];
  /** the source values kept of each row (key and cursor) as UTF-8 text, a NULL as '' marked in keyNulls */
  private readonly keys: ByteRun;
  private keyNulls: Uint8Array;
  /** where the last row's source values start in `keys` */
  private lastKeys = 0;
  /** a binary timestamp's text, before it is converted */
  private readonly scratch = Buffer.alloc(TIMESTAMP_TEXT_ROOM);

  /**
   * `expected`: rows the batch may hold (its limit), so the arrays are sized once;
   * `textBytes`: what the text of a batch took last time, so its buffer is sized once too
   */
  constructor(private readonly spec: ConvertSpec, expected: number, textBytes = 0) {
    const values = Math.max(1, expected) * spec.width;
    this.tags = new Uint8Array(values);
    this.ints = new BigInt64Array(Math.min(values, 1024));
    this.reals = new Float64Array(Math.min(values, 1024));
    this.text = new ByteRun(Math.max(64 * 1024, Math.ceil(textBytes * 1.1)), true);
    this.starts = new Int32Array(spec.width);
    this.ends = new Int32Array(spec.width);
    this.keys = new ByteRun(Math.max(1, expected) * spec.sourceIndexes.length * 40);
    this.keyNulls = new Uint8Array(Math.max(1, expected) * spec.sourceIndexes.length);
  }

  /** the source values (key and cursor) of the last row taken, by their index in the source row */
  lastSource(): SourceRow | null {
    if (this.count === 0) return null;
    const values = this.keys.buf.toString('utf8', this.lastKeys, this.keys.length).split(SEP);
    const base = (this.count - 1) * this.spec.sourceIndexes.length;
    const row: SourceRow = [];
    this.spec.sourceIndexes.forEach((at, x) => (row[at] = this.keyNulls[base + x] === 1 ? null : (values[x] as string)));
    return row;
  }

  /** room for this row's source values: where its NULL marks start */
  private keyRow(i: number): number {
    const w = this.spec.sourceIndexes.length;
    if ((i + 1) * w > this.keyNulls.length) this.keyNulls = grow(this.keyNulls, (i + 1) * w * 2);
    this.lastKeys = this.keys.length;
    return i * w;
  }

  add(fields: (string | null)[]): void {
    const { width, convert } = this.spec;
    const i = this.row();
    let k = i * width;
    for (let j = 0; j < width; j++, k++) {
      if (!this.put(convert(fields[j] ?? null, j), i, j, k)) break;
    }
    let n = this.keyRow(i);
    for (const at of this.spec.sourceIndexes) {
      const v = fields[at] ?? null;
      if (v === null) {
        this.keyNulls[n] = 1;
        this.keys.string('');
      } else {
        this.keys.string(v);
      }
      n++;
    }
  }

  /**
   * One row as PostgreSQL sent it (a binary COPY tuple of text values: field count, then per field its
   * length and bytes). Values the conversion keeps unchanged are copied as bytes, the
   * commonest others (integers, booleans, UTC timestamps) converted from the bytes
   * (postgres-read-bytes.ts); the rest are decoded and converted as add() does. Valid only
   * while the chunk is delivered.
   */
  addRaw(bytes: Buffer, offset: number, forms: ColumnForms = TEXT_ONLY): void {
    const { width, convert, fromBytes } = this.spec;
    let at = offset;
    const n = bytes.readInt16BE(at);
    at += 2;
    if (n !== width || !fromBytes) {
      this.add(rawFields(bytes, offset, forms));
      return;
    }
    const { starts, ends } = this;
    for (let j = 0; j < n; j++) {
      // readInt32BE inlined: this runs for every field of every row
      const len = ((bytes[at] as number) << 24) | ((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
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
    const field = (j: number): string | null => (starts[j] === -1 ? null : fieldText(bytes, starts[j] as number, ends[j] as number, forms[j] ?? null));
    for (let j = 0; j < width; j++, k++) {
      const s = starts[j] as number;
      if (s === -1) continue; // TAG.NULL
      const e = ends[j] as number;
      const form = forms[j] ?? null;
      if (form !== null) {
        if (!this.binary(bytes, s, e, form, i, j, k)) break;
        continue;
      }
      const how = fromBytes[j] ?? 'none';
      if (how === 'text' || (how === 'numeric' && s < e && bytes[s] !== CHAR_N && bytes[s] !== CHAR_I && !(bytes[s] === CHAR_MINUS && bytes[s + 1] === CHAR_I))) {
        this.tags[k] = TAG.TEXT;
        this.text.bytes(bytes, s, e);
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
        this.text.room(TIMESTAMP_ROOM);
        const w = isoTimestampBytes(bytes, s, e, how.timestamp, this.text.buf, this.text.length);
        if (w >= 0) {
          this.tags[k] = TAG.TEXT;
          this.text.endAt(w);
          continue;
        }
      }
      if (!this.put(convert(field(j), j), i, j, k)) break;
    }
    let x = this.keyRow(i);
    for (const j of this.spec.sourceIndexes) {
      const s = starts[j] as number;
      const form = forms[j] ?? null;
      if (s === -1) {
        this.keyNulls[x] = 1;
        this.keys.string('');
      } else if (form === null) {
        this.keys.bytes(bytes, s, ends[j] as number);
      } else if (form === 'uuid') {
        this.keys.room(UUID_ROOM);
        this.keys.endAt(uuidTextBytes(bytes, s, this.keys.buf, this.keys.length));
      } else if (form === 'timestamp' || form === 'timestamptz') {
        this.keys.room(TIMESTAMP_TEXT_ROOM + 1);
        this.keys.endAt(timestampText(bytes, s, form === 'timestamptz', this.keys.buf, this.keys.length));
      } else {
        this.keys.string(field(j) as string);
      }
      x++;
    }
  }

  /** Binary forms this collector takes (postgres-copy-rows.ts): those whose value it would take from the text's bytes anyway. */
  takesBinary(column: number, form: BinaryForm): boolean {
    const how = this.spec.fromBytes?.[column];
    if (form === 'timestamp' || form === 'timestamptz') return typeof how === 'object';
    return form === 'uuid' || form === 'jsonb' ? how === 'text' : form === 'bool' ? how === 'boolean' : how === 'integer';
  }

  /** A value in its binary form (takesBinary), as the codec would have taken its text; false when it rejects the row. */
  private binary(bytes: Buffer, s: number, e: number, form: BinaryForm, i: number, j: number, k: number): boolean {
    switch (form) {
      case 'uuid':
        if (e - s !== 16) throw new Error(`a uuid of ${e - s} bytes`);
        this.text.room(UUID_ROOM);
        this.tags[k] = TAG.TEXT;
        this.text.endAt(uuidTextBytes(bytes, s, this.text.buf, this.text.length));
        return true;
      case 'jsonb':
        if (bytes[s] !== 1) throw new Error(`jsonb binary format version ${bytes[s]} is not known`);
        this.tags[k] = TAG.TEXT;
        this.text.bytes(bytes, s + 1, e);
        return true;
      case 'int2':
        return this.put(BigInt(bytes.readInt16BE(s)), i, j, k);
      case 'int4':
        return this.put(BigInt(bytes.readInt32BE(s)), i, j, k);
      case 'int8':
        return this.put(bytes.readBigInt64BE(s), i, j, k);
      case 'bool':
        return this.put(bytes[s] === 0 ? 0n : 1n, i, j, k);
      case 'timestamp':
      case 'timestamptz': {
        // straight to the column's format where that is what its text would have become, else its text through the codec
        if (e - s !== 8) throw new Error(`a timestamp of ${e - s} bytes`);
        const how = this.spec.fromBytes?.[j];
        if (typeof how === 'object') {
          this.text.room(TIMESTAMP_ROOM);
          const w = isoFromBinary(bytes, s, how.timestamp, this.text.buf, this.text.length);
          if (w >= 0) {
            this.tags[k] = TAG.TEXT;
            this.text.endAt(w);
            return true;
          }
        }
        const n = timestampText(bytes, s, form === 'timestamptz', this.scratch, 0);
        return this.put(this.spec.convert(this.scratch.toString('latin1', 0, n), j), i, j, k);
      }
    }
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
      this.text.string(v);
    } else if (typeof v === 'bigint') {
      if (v >= INT64_MIN && v <= INT64_MAX) {
        tags[k] = TAG.INT;
        if (this.intCount === this.ints.length) this.ints = grow(this.ints, this.ints.length * 2);
        this.ints[this.intCount++] = v;
      } else {
        tags[k] = TAG.BIG_TEXT;
        this.text.string(v.toString());
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
      text: this.text.view(),
      textEnds: this.text.endsView(),
      // bytes copied as PostgreSQL sent them are bound as they are only if decoding would not change them
      textUtf8: isUtf8(this.text.view()),
      ints: this.ints.slice(0, this.intCount),
      reals: this.reals.slice(0, this.realCount),
      blobs: blobBytes,
      blobEnds,
      rejected: this.rejected,
      source: { count: this.count, width: this.spec.sourceIndexes.length, text: this.keys.view(), nulls: this.keyNulls.slice(0, this.count * this.spec.sourceIndexes.length) },
      sourceIndexes: this.spec.sourceIndexes,
    };
  }
}

function grow<T extends Uint8Array | BigInt64Array | Float64Array>(a: T, size: number): T {
  const bigger = new (a.constructor as new (n: number) => T)(size);
  bigger.set(a as never);
  return bigger;
}
