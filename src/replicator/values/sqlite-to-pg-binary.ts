/**
 * The commonest values of a first load written straight into binary COPY fields, with no
 * text made for them (the binary twin of sqlite-to-pg-bytes.ts): ISO millisecond
 * timestamps, REAL money with few decimal places, integers, dashed uuids, texts, doubles,
 * 0/1 booleans and BLOBs. Each writer takes a value only where sqlite-to-pg.ts's codec would
 * accept it and pg-binary-encoders.ts would write the same bytes from the codec's text;
 * anything else it leaves to the codec (returns false, having written nothing), so rejects
 * and their reasons stay the codec's.
 */
import type { PlannedColumn } from '../run-plan.js';
import type { CopyBytes } from './copy-bytes.js';
import { fractionPlaces, integerPartFits, scaledInteger, SCALE_POW10 } from './decimal-text.js';
import { binaryEncoderFor } from './pg-binary-encoders.js';
import { integerNumericBinary, scaledNumericBinary } from './pg-binary-numeric.js';
import { isoMillisBinary } from './pg-binary-time.js';
import type { DirectWriter } from './sqlite-to-pg-bytes.js';
import { textLengthLimit } from './sqlite-to-pg-text.js';

const isoTimestamp: DirectWriter = (v, out) => typeof v === 'string' && isoMillisBinary(v, out);

/** sqlite-to-pg-bytes.ts scaledRealWriter's values: the same checks, the digits as a binary numeric */
function scaledReal(precision: number | undefined, scale: number): DirectWriter | null {
  const p = SCALE_POW10[scale];
  if (p === undefined) return null;
  return (v, out) => {
    // an INTEGER (NUMERIC affinity stores 45.0 and 0 as integers): the codec's String(v), no fraction digits
    if (typeof v === 'bigint') return integerNumeric(v, precision, scale, out);
    if (typeof v !== 'number') return false;
    const m = scaledInteger(v, scale);
    if (m === null) return false;
    const abs = m < 0 ? -m : m;
    const int = Math.floor(abs / p);
    if (!integerPartFits(int, precision, scale)) return false;
    // the codec's text drops the fraction's trailing zeros: its dscale is the places left
    scaledNumericBinary(m, scale, fractionPlaces(abs - int * p, scale), out);
    return true;
  };
}

/** the codec's check for an integer in a numeric column: its digits within precision - scale */
function integerNumeric(v: bigint, precision: number | undefined, scale: number, out: CopyBytes): boolean {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) return false;
  if (!integerPartFits(n < 0 ? -n : n, precision, scale)) return false;
  integerNumericBinary(n, out);
  return true;
}

function integer(min: bigint, max: bigint, width: 2 | 4 | 8): DirectWriter {
  return (v, out) => {
    if (typeof v !== 'bigint' || v < min || v > max) return false;
    if (width === 8) {
      const n = Number(v);
      if (Number.isSafeInteger(n)) out.int64(n);
      else out.int64Big(v);
    } else if (width === 4) out.int32(Number(v));
    else out.int16(Number(v));
    return true;
  };
}

/** a dashed uuid, which the codec passes through as it is */
function uuid(col: PlannedColumn): DirectWriter | null {
  const encode = binaryEncoderFor(col);
  if (!encode) return null;
  return (v, out) => typeof v === 'string' && v.length === 36 && encode(v, out);
}

/** the codec writes String(v) ('-0' for -0), which float8in reads back as this very double */
const double: DirectWriter = (v, out) => {
  if (typeof v !== 'number') return false;
  out.float8(v);
  return true;
};

/**
 * text, varchar, char: textCodec hands back a string as it is when it holds no NUL and fits
 * the column's length (UTF-16 units: within it, the characters are too), and the encoder
 * writes it as UTF-8. A first load's uuid keys and FK columns are mostly TEXT: this skips the
 * codec and encoder calls per value; anything else (too long, a NUL, not a string) the codec decides.
 */
function text(col: PlannedColumn): DirectWriter {
  const limit = textLengthLimit(col.pgType);
  return (v, out) => {
    if (typeof v !== 'string' || (limit !== undefined && v.length > limit) || v.includes('\u0000')) return false;
    out.text(v, false);
    return true;
  };
}

/** the kinds whose binary direct writer takes only values the codec hands back as they are */
const PASS_THROUGH = new Set(['uuid', 'text', 'varchar', 'char']);

const bool: DirectWriter = (v, out) => {
  if (v !== 0n && v !== 1n) return false;
  out.byte(v === 1n ? 1 : 0);
  return true;
};

const blob: DirectWriter = (v, out) => {
  if (!Buffer.isBuffer(v)) return false;
  out.bytes(v);
  return true;
};

/** The direct binary writer for a column read from SQLite, or null where every value goes through the codec and its encoder. */
export function directBinaryWriter(col: PlannedColumn): DirectWriter | null {
  const t = col.pgType;
  if (t.array || t.domain !== undefined) return null;
  switch (t.kind) {
    case 'timestamp':
    case 'timestamptz':
      return isoTimestamp;
    case 'numeric':
      return (t.scale ?? 0) >= 0 ? scaledReal(t.precision, t.scale ?? 0) : null;
    case 'smallint':
      return integer(-32768n, 32767n, 2);
    case 'integer':
      return integer(-2147483648n, 2147483647n, 4);
    case 'bigint':
      return integer(-9223372036854775808n, 9223372036854775807n, 8);
    case 'uuid':
      return uuid(col);
    case 'double':
      return double;
    case 'boolean':
      return bool;
    case 'bytea':
      return blob;
    case 'text':
    case 'varchar':
    case 'char':
      return text(col);
    default:
      return null;
  }
}

/** The binary COPY fields of a sqlite-to-pg column (engine/copy-batch.ts BinaryFields). */
export const sqliteToPgBinaryFields = {
  encoderFor: binaryEncoderFor,
  directFor: directBinaryWriter,
  /** the uuid writer takes only dashed uuids, the text writers only texts, which the codec hands back as they are */
  passesThrough: (col: PlannedColumn): boolean => PASS_THROUGH.has(col.pgType.kind) && directBinaryWriter(col) !== null,
};
