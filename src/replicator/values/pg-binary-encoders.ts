/**
 * Binary COPY (`COPY ... FROM STDIN (FORMAT binary)`) field encoders, one per canonical
 * type, as data: each takes the PostgreSQL input text sqlite-to-pg.ts's codec made for a
 * value and writes the bytes the type's receive function reads into the SAME stored value
 * text COPY would give (tests/copy-binary-round-trip compares the two through ::text).
 * An encoder that meets a text it cannot write exactly returns false having written
 * nothing, and the batch goes as text COPY instead (engine/copy-batch.ts); a type with no
 * encoder here (real, time, interval, enums, domains, arrays, unknown types) keeps its
 * table on text COPY. Why binary at all: the server's text parse of timestamptz, numeric
 * and uuid was its biggest cost in a first load (case a).
 */
import type { CanonicalKind } from '../../model/schema.js';
import type { PlannedColumn } from '../run-plan.js';
import type { CopyBytes } from './copy-bytes.js';
import { numericBinary } from './pg-binary-numeric.js';
import { dateBinary, timestampBinary } from './pg-binary-time.js';

/** Writes the field's value bytes (not its length) for the codec's text `s` and returns true, or writes nothing and returns false. */
export type BinaryEncoder = (s: string, out: CopyBytes) => boolean;

const isDigits = (s: string, from: number): boolean => {
  if (s.length <= from || s.length > from + 19) return false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
};

/** the codec's integer text ('-42'): digits after an optional '-', already range-checked by the codec */
const integerText = (s: string): boolean => isDigits(s, s.charCodeAt(0) === 45 ? 1 : 0);

const int2: BinaryEncoder = (s, out) => {
  if (!integerText(s)) return false;
  const n = Number(s);
  if (n < -32768 || n > 32767) return false;
  out.int16(n);
  return true;
};

const int4: BinaryEncoder = (s, out) => {
  if (!integerText(s)) return false;
  const n = Number(s);
  if (n < -2147483648 || n > 2147483647) return false;
  out.int32(n);
  return true;
};

const int8: BinaryEncoder = (s, out) => {
  if (!integerText(s)) return false;
  const n = Number(s);
  if (Number.isSafeInteger(n)) out.int64(n);
  else {
    const b = BigInt(s);
    if (b < -0x8000000000000000n || b > 0x7fffffffffffffffn) return false;
    out.int64Big(b);
  }
  return true;
};

const FLOAT_WORDS: ReadonlyMap<string, number> = new Map([
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
]);

/**
 * float8: JS's Number() and float8in's strtod both round a decimal text correctly, so they
 * agree bit for bit. A text that underflows to zero is an error for float8in, not a zero:
 * left to text COPY, so the row is refused as before.
 */
const float8: BinaryEncoder = (s, out) => {
  const word = FLOAT_WORDS.get(s);
  const n = word ?? Number(s);
  if (word === undefined && (!Number.isFinite(n) || s.length === 0)) return false;
  if (n === 0 && /[1-9]/.test(s.replace(/[eE].*$/, ''))) return false;
  out.float8(n);
  return true;
};

const bool: BinaryEncoder = (s, out) => {
  if (s !== 't' && s !== 'f') return false;
  out.byte(s === 't' ? 1 : 0);
  return true;
};

/** each UTF-16 unit's hex value, -1 for anything else */
const HEX = new Int8Array(65536).fill(-1);
for (let c = 0; c < 16; c++) {
  HEX['0123456789abcdef'.charCodeAt(c)] = c;
  HEX['0123456789ABCDEF'.charCodeAt(c)] = c;
}

/** `count` bytes of hex pairs from `from` to the end of `s`; false (nothing written) on anything else */
function hexBytes(s: string, from: number, count: number, out: CopyBytes): boolean {
  if (s.length !== from + 2 * count) return false;
  const buf = out.reserve(count);
  const at = out.length;
  for (let k = 0, i = from; k < count; k++, i += 2) {
    const hi = HEX[s.charCodeAt(i)] as number;
    const lo = HEX[s.charCodeAt(i + 1)] as number;
    if ((hi | lo) < 0) return false;
    buf[at + k] = (hi << 4) | lo;
  }
  out.length = at + count;
  return true;
}

/** the codec's uuid texts: dashed (36 characters) or 32 hex digits, either case; 16 bytes written in place (a first load's FK columns are mostly uuids) */
export const uuid: BinaryEncoder = (s, out) => {
  const dashed = s.length === 36;
  if (!dashed && s.length !== 32) return false;
  const buf = out.reserve(16);
  const at = out.length;
  let i = 0;
  for (let k = 0; k < 16; k++, i += 2) {
    if (dashed && (k === 4 || k === 6 || k === 8 || k === 10)) {
      if (s.charCodeAt(i) !== 45) return false;
      i++;
    }
    const hi = HEX[s.charCodeAt(i)] as number;
    const lo = HEX[s.charCodeAt(i + 1)] as number;
    if ((hi | lo) < 0) return false;
    buf[at + k] = (hi << 4) | lo;
  }
  out.length = at + 16;
  return true;
};

/** the codec's bytea text is always '\x' and hex pairs */
const bytea: BinaryEncoder = (s, out) => s.length % 2 === 0 && s.charCodeAt(0) === 92 && s.charCodeAt(1) === 120 && hexBytes(s, 2, (s.length - 2) / 2, out);

/** text, varchar, bpchar, json: the text as UTF-8 (the receive functions apply the column's length rules as the input functions do) */
const utf8: BinaryEncoder = (s, out) => {
  out.text(s, false);
  return true;
};

/** jsonb's binary form is a version byte (1) and the text */
const jsonb: BinaryEncoder = (s, out) => {
  out.byte(1);
  out.text(s, false);
  return true;
};

/** Per kind: its encoder and the type the target column must have (format_type, as postgres-column-types.ts reads it). */
const ENCODERS: Partial<Record<CanonicalKind, { type: string; encode: BinaryEncoder }>> = {
  smallint: { type: 'smallint', encode: int2 },
  integer: { type: 'integer', encode: int4 },
  bigint: { type: 'bigint', encode: int8 },
  numeric: { type: 'numeric', encode: numericBinary },
  double: { type: 'double precision', encode: float8 },
  boolean: { type: 'boolean', encode: bool },
  text: { type: 'text', encode: utf8 },
  varchar: { type: 'character varying', encode: utf8 },
  char: { type: 'bpchar', encode: utf8 },
  uuid: { type: 'uuid', encode: uuid },
  json: { type: 'json', encode: utf8 },
  jsonb: { type: 'jsonb', encode: jsonb },
  bytea: { type: 'bytea', encode: bytea },
  date: { type: 'date', encode: dateBinary },
  timestamp: { type: 'timestamp without time zone', encode: (s, out) => timestampBinary(s, false, out) },
  timestamptz: { type: 'timestamp with time zone', encode: (s, out) => timestampBinary(s, true, out) },
};

/** The column's binary encoder, or null where its values go as text COPY. */
export function binaryEncoderFor(col: PlannedColumn): BinaryEncoder | null {
  const t = col.pgType;
  if (t.array || t.domain !== undefined) return null;
  return ENCODERS[t.kind]?.encode ?? null;
}

/**
 * Why a table's COPY stays text: the first written column with no binary encoder, or whose
 * target column is not of the type the encoder writes (`actualType`: format_type without
 * modifier); null: every column can go binary.
 */
export function binaryCopyRefusal(columns: readonly PlannedColumn[], actualType: (pg: string) => string | undefined): string | null {
  for (const col of columns) {
    const known = col.pgType.array || col.pgType.domain !== undefined ? undefined : ENCODERS[col.pgType.kind];
    const actual = actualType(col.pg);
    if (known === undefined || actual !== known.type) return `column ${col.pg} is ${actual ?? col.pgType.kind}`;
  }
  return null;
}
