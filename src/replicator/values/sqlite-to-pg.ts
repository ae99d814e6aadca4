/**
 * A SQLite value (as better-sqlite3 returns it with safeIntegers) -> PostgreSQL input
 * text for COPY or a parameter. Every value PostgreSQL would refuse, or would store
 * differently (round, truncate), is Rejected here with its reason, so one bad value
 * sends its row to the reject ledger instead of failing a whole batch.
 * The codec is chosen once per column; DESIGN.md "Replication semantics", Rejects.
 */
import type { CanonicalType } from '../../model/schema.js';
import type { PlannedColumn } from '../run-plan.js';
import { Rejected, type Codec, type PgText, type SqliteValue } from './codec.js';
import { jsonToPgArray, type ElementConverter } from './pg-array.js';
import { describeValue, showValue, typeLabel } from './reason-text.js';
import { floatCodec, integerCodec, numericCodec } from './sqlite-to-pg-numbers.js';
import { enumCodec, jsonCodec, textCodec } from './sqlite-to-pg-text.js';
import { timeCodec } from './sqlite-to-pg-time.js';

type ToPg = Codec<SqliteValue, PgText>;

const TRUE_WORDS = new Set(['t', 'true', '1', 'y', 'yes', 'on']);
const FALSE_WORDS = new Set(['f', 'false', '0', 'n', 'no', 'off']);

function booleanCodec(col: PlannedColumn): ToPg {
  const reject = (v: SqliteValue): Rejected => new Rejected(`${describeValue(v)} in boolean column ${col.pg} (expected 0 or 1)`);
  return (v) => {
    if (v === null) return null;
    if (typeof v === 'bigint') return v === 1n ? 't' : v === 0n ? 'f' : reject(v);
    if (typeof v === 'number') return v === 1 ? 't' : v === 0 ? 'f' : reject(v);
    if (typeof v === 'string') {
      const w = v.trim().toLowerCase();
      return TRUE_WORDS.has(w) ? 't' : FALSE_WORDS.has(w) ? 'f' : reject(v);
    }
    return reject(v);
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_COMPACT = /^[0-9a-f]{32}$/i;

/**
 * Is `v` the dashed 8-4-4-4-12 form (`lowerOnly`: in lowercase hex digits, PostgreSQL's own
 * output)? Checked by char code: the regex took a third of a uuid-heavy table's conversion.
 */
export function dashedUuid(v: string, lowerOnly = false): boolean {
  if (v.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = v.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (!lowerOnly && c >= 65 && c <= 70))) return false;
  }
  return true;
}

function uuidCodec(col: PlannedColumn): ToPg {
  return (v) => {
    if (v === null) return null;
    if (typeof v === 'string' && dashedUuid(v)) return v;
    if (Buffer.isBuffer(v) && v.length === 16) {
      const h = v.toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    if (typeof v === 'string' && (UUID.test(v) || UUID_COMPACT.test(v))) return v;
    return new Rejected(`${describeValue(v)} is not a uuid (uuid column ${col.pg})`);
  };
}

const byteaCodec: ToPg = (v) => {
  if (v === null) return null;
  const bytes = Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8');
  return '\\x' + bytes.toString('hex');
};

const HEX_BYTEA = /^\\x([0-9a-fA-F]{2})*$/;

function arrayCodec(col: PlannedColumn): ToPg {
  const element = sqliteToPgCodec({ ...col, pgType: { ...col.pgType, array: false } });
  const jsonElements = col.pgType.kind === 'json' || col.pgType.kind === 'jsonb';
  const hexBytea = col.pgType.kind === 'bytea';
  const where = `${typeLabel(col.pgType)} column ${col.pg}`;
  const convert: ElementConverter = (node) => {
    if (node.t === 'null') return null;
    let input: string;
    if (jsonElements) input = node.raw;
    else if (node.t === 'string') input = node.value;
    else if (node.t === 'array' || node.t === 'object') return { problem: `a JSON ${node.t} cannot be an element of ${where}` };
    else input = node.raw; // numbers as written, true/false as words
    // bytea elements travel in JSON as PostgreSQL's own hex text
    if (hexBytea && HEX_BYTEA.test(input)) return input;
    const out = element(input);
    return out instanceof Rejected ? { problem: `element: ${out.reason}` } : out;
  };
  return (v) => {
    if (v === null) return null;
    if (typeof v !== 'string') return new Rejected(`${describeValue(v)} is not a JSON array (${where})`);
    if (v.includes('\u0000')) return new Rejected(`NUL byte cannot be stored in PostgreSQL text (${where})`);
    const out = jsonToPgArray(v, convert, !jsonElements);
    return typeof out === 'string' ? out : new Rejected(`${showValue(v)} in ${where}: ${out.problem}`);
  };
}

/** The conversion for one column, SQLite -> PostgreSQL, driven by the PostgreSQL type. */
export function sqliteToPgCodec(col: PlannedColumn): Codec<SqliteValue, PgText> {
  if (col.pgType.array) return arrayCodec(col);
  switch (col.pgType.kind) {
    case 'smallint':
      return integerCodec(col, -32768n, 32767n);
    case 'integer':
      return integerCodec(col, -2147483648n, 2147483647n);
    case 'bigint':
      return integerCodec(col, -9223372036854775808n, 9223372036854775807n);
    case 'numeric':
      return numericCodec(col);
    case 'real':
    case 'double':
      return floatCodec(col);
    case 'boolean':
      return booleanCodec(col);
    case 'json':
    case 'jsonb':
      return jsonCodec(col);
    case 'uuid':
      return uuidCodec(col);
    case 'bytea':
      return byteaCodec;
    case 'enum':
      return enumCodec(col);
    case 'timestamp':
    case 'timestamptz':
    case 'date':
      return timeCodec(col, col.pgType.kind);
    default:
      // text, varchar, char, time, timetz, interval, and types we do not know: text
      return textCodec(col);
  }
}

/** Kinds whose codec only ever makes digits, signs, words and separators of its own. */
const PLAIN_TEXT_KINDS: ReadonlySet<CanonicalType['kind']> = new Set(['smallint', 'integer', 'bigint', 'numeric', 'real', 'double', 'boolean', 'uuid', 'timestamp', 'timestamptz', 'date']);

/** Does this column's PostgreSQL text never hold a backslash, tab, newline or carriage return (nothing for COPY to escape)? */
export function plainCopyText(col: PlannedColumn): boolean {
  return !col.pgType.array && PLAIN_TEXT_KINDS.has(col.pgType.kind);
}
