/**
 * A SQLite value (as better-sqlite3 returns it with safeIntegers) -> PostgreSQL input
 * text for COPY or a parameter. Every value PostgreSQL would refuse, or would store
 * differently (round, truncate), is Rejected here with its reason, so one bad value
 * sends its row to the reject ledger instead of failing a whole batch.
 * The codec is chosen once per column; DESIGN.md "Replication semantics", Rejects.
 */
import { TextDecoder } from 'node:util';
import type { CanonicalType } from '../../model/schema.js';
import type { PlannedColumn } from '../run-plan.js';
import { Rejected, type Codec, type PgText, type SqliteValue } from './codec.js';
import { decimalText, numberToDecimal, parseDecimal, scaledDecimalText, significantFraction, type DecimalParts } from './decimal-text.js';
import { jsonToPgArray, type ElementConverter } from './pg-array.js';
import { isoUtcMillis, pgTimestampText, pgTimestampTextFrom, type PgTimeKind } from './time-convert.js';
import { guessEpochUnit, parseTimestampText, timestampFromEpoch, type EpochUnit, type Timestamp } from './timestamp-parse.js';

type ToPg = Codec<SqliteValue, PgText>;

const LABELS: Partial<Record<CanonicalType['kind'], string>> = { double: 'double precision', timestamptz: 'timestamptz' };

/** 'numeric(12,2)', 'character varying(40)', 'integer': how the reason names the type. */
export function typeLabel(t: CanonicalType): string {
  let label: string = LABELS[t.kind] ?? t.kind;
  if (t.kind === 'numeric' && t.precision !== undefined) label += `(${t.precision},${t.scale ?? 0})`;
  if ((t.kind === 'varchar' || t.kind === 'char') && t.length !== undefined) label += `(${t.length})`;
  return t.array ? `${label}[]` : label;
}

const SHOWN_CHARS = 40;

/** A value as a reason quotes it: text in quotes (cut short), numbers as they are. */
export function showValue(v: SqliteValue): string {
  if (v === null) return 'NULL';
  if (Buffer.isBuffer(v)) return `a ${v.length}-byte BLOB`;
  if (typeof v !== 'string') return String(v);
  const cut = v.length > SHOWN_CHARS ? v.slice(0, SHOWN_CHARS) + '…' : v;
  return `'${cut.replace(/\u0000/g, '\\0')}'`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function blobText(b: Buffer): string | null {
  try {
    return utf8.decode(b);
  } catch {
    return null;
  }
}

const what = (v: SqliteValue): string => (typeof v === 'string' ? `text ${showValue(v)}` : `value ${showValue(v)}`);

function integerCodec(col: PlannedColumn, min: bigint, max: bigint): ToPg {
  const where = `${typeLabel(col.pgType)} column ${col.pg}`;
  const range = (b: bigint): Rejected | null => (b < min || b > max ? new Rejected(`value ${b} out of range for ${where}`) : null);
  return (v) => {
    if (v === null) return null;
    if (typeof v === 'bigint') return range(v) ?? String(v);
    let big: bigint;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return new Rejected(`value ${v} in ${where}`);
      if (!Number.isInteger(v)) return new Rejected(`fractional value ${v} in ${where}`);
      big = BigInt(v);
    } else if (typeof v === 'string') {
      const p = parseDecimal(v);
      if (!p) return new Rejected(`${what(v)} in ${where}`);
      if (significantFraction(p) !== '') return new Rejected(`fractional value ${showValue(v)} in ${where}`);
      big = BigInt(p.negative ? `-${p.int}` : p.int);
    } else {
      return new Rejected(`${what(v)} in ${where}`);
    }
    return range(big) ?? String(big);
  };
}

const NUMERIC_WORDS: ReadonlyMap<string, string> = new Map([
  ['nan', 'NaN'],
  ['infinity', 'Infinity'],
  ['+infinity', 'Infinity'],
  ['inf', 'Infinity'],
  ['+inf', 'Infinity'],
  ['-infinity', '-Infinity'],
  ['-inf', '-Infinity'],
]);

function numericCodec(col: PlannedColumn): ToPg {
  const { precision, scale = 0 } = col.pgType;
  const where = `${typeLabel(col.pgType)} column ${col.pg}`;
  const check = (p: DecimalParts, shown: string): Rejected | null => {
    if (precision === undefined) return null;
    const fraction = significantFraction(p);
    if (fraction.length > Math.max(scale, 0)) {
      return new Rejected(`value ${shown} has more than ${Math.max(scale, 0)} decimal places for ${where} (PostgreSQL would round it)`);
    }
    if (scale < 0 && p.int !== '0' && !p.int.endsWith('0'.repeat(-scale))) {
      return new Rejected(`value ${shown} would be rounded to a multiple of 10^${-scale} by ${where}`);
    }
    const intDigits = p.int === '0' ? 0 : p.int.length;
    return intDigits > precision - scale ? new Rejected(`value ${shown} out of range for ${where}`) : null;
  };
  const special = (word: string): PgText | Rejected =>
    word !== 'NaN' && precision !== undefined ? new Rejected(`${word} does not fit ${where}`) : word;
  /**
   * A REAL (money stored as 12.5) whose String() is plain decimal text, when it fits the
   * column as it is: that text, with no parsing (the common case, every row); null
   * otherwise, for the full check and its reason. String() never writes trailing zeros,
   * a '+' or '-0', so it is already the text decimalText would give.
   */
  const plainFits = (v: number): string | null => {
    const text = (scale >= 0 ? scaledDecimalText(v, scale) : null) ?? String(v);
    if (text.includes('e')) return null;
    if (precision === undefined) return text;
    if (scale < 0) return null;
    const dot = text.indexOf('.');
    const sign = text.charCodeAt(0) === 45 ? 1 : 0;
    const intEnd = dot < 0 ? text.length : dot;
    const intDigits = intEnd - sign === 1 && text.charCodeAt(sign) === 48 ? 0 : intEnd - sign;
    const fracDigits = dot < 0 ? 0 : text.length - dot - 1;
    return fracDigits <= scale && intDigits <= precision - scale ? text : null;
  };
  return (v) => {
    if (v === null) return null;
    let parts: DecimalParts | null;
    if (typeof v === 'bigint') {
      const text = String(v);
      parts = v < 0n ? { negative: true, int: text.slice(1), frac: '' } : { negative: false, int: text, frac: '' };
      return check(parts, text) ?? text;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return special(String(v));
      const fast = plainFits(v);
      if (fast !== null) return fast;
      parts = parseDecimal(numberToDecimal(v));
    } else if (typeof v === 'string') {
      const word = NUMERIC_WORDS.get(v.trim().toLowerCase());
      if (word) return special(word);
      parts = parseDecimal(v);
    } else {
      return new Rejected(`${what(v)} in ${where}`);
    }
    if (!parts) return new Rejected(`${what(v)} in ${where}`);
    return check(parts, showValue(v)) ?? decimalText(parts);
  };
}

const FLOAT_WORDS: ReadonlyMap<string, string> = new Map([...NUMERIC_WORDS, ['-nan', 'NaN']]);

function floatCodec(col: PlannedColumn): ToPg {
  const where = `${typeLabel(col.pgType)} column ${col.pg}`;
  const single = col.pgType.kind === 'real';
  // float4 overflows and underflows are errors in PostgreSQL, not roundings
  const outOfRange = (n: number): boolean => single && ((Number.isFinite(n) && !Number.isFinite(Math.fround(n))) || (n !== 0 && Math.fround(n) === 0));
  return (v) => {
    if (v === null) return null;
    if (typeof v === 'number') {
      if (outOfRange(v)) return new Rejected(`value ${v} out of range for ${where}`);
      return Object.is(v, -0) ? '-0' : String(v); // String() is the shortest text that reads back the same
    }
    if (typeof v === 'bigint') return outOfRange(Number(v)) ? new Rejected(`value ${v} out of range for ${where}`) : String(v);
    if (typeof v !== 'string') return new Rejected(`${what(v)} in ${where}`);
    const word = FLOAT_WORDS.get(v.trim().toLowerCase());
    if (word) return word;
    if (!parseDecimal(v)) return new Rejected(`${what(v)} in ${where}`);
    const n = Number(v);
    if (!Number.isFinite(n) || outOfRange(n)) return new Rejected(`value ${showValue(v)} out of range for ${where}`);
    return v.trim();
  };
}

const TRUE_WORDS = new Set(['t', 'true', '1', 'y', 'yes', 'on']);
const FALSE_WORDS = new Set(['f', 'false', '0', 'n', 'no', 'off']);

function booleanCodec(col: PlannedColumn): ToPg {
  const reject = (v: SqliteValue): Rejected => new Rejected(`${what(v)} in boolean column ${col.pg} (expected 0 or 1)`);
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

/** Code points, not UTF-16 units: PostgreSQL counts characters. */
function charLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      n--;
      i++;
    }
  }
  return n;
}

/** Text of any SQLite value for a text-like column; null with a reason when it has none. */
function asText(v: Exclude<SqliteValue, null>, where: string): string | Rejected {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (Buffer.isBuffer(v)) {
    const decoded = blobText(v);
    if (decoded === null) return new Rejected(`${showValue(v)} that is not UTF-8 text in ${where}`);
    s = decoded;
  } else s = String(v);
  if (s.includes('\u0000')) return new Rejected(`NUL byte cannot be stored in PostgreSQL text (${where}): ${showValue(s)}`);
  return s;
}

/** The length limit of a varchar(n) or char(n) column, in characters; undefined: none (text, varchar without n). */
export function textLengthLimit(type: CanonicalType): number | undefined {
  return type.kind === 'varchar' || type.kind === 'char' ? type.length : undefined;
}

function textCodec(col: PlannedColumn): ToPg {
  const where = `${typeLabel(col.pgType)} column ${col.pg}`;
  const limit = textLengthLimit(col.pgType);
  return (v) => {
    if (v === null) return null;
    const s = asText(v, where);
    if (s instanceof Rejected || limit === undefined || s.length <= limit) return s;
    // PostgreSQL drops excess trailing spaces silently and refuses anything else
    const n = charLength(s);
    if (n > limit && charLength(s.replace(/ +$/, '')) > limit) {
      return new Rejected(`text of ${n} characters is longer than ${where}: ${showValue(s)}`);
    }
    return s;
  };
}

function enumCodec(col: PlannedColumn): ToPg {
  const text = textCodec(col);
  const labels = new Set(col.pgType.enumValues ?? []);
  if (labels.size === 0) return text;
  return (v) => {
    const s = text(v);
    if (typeof s !== 'string' || labels.has(s)) return s;
    return new Rejected(`${showValue(s)} is not a value of enum column ${col.pg} (${[...labels].join(', ')})`);
  };
}

/** A \u0000 escape that is not itself an escaped backslash: jsonb refuses it. */
const NUL_ESCAPE = /(^|[^\\])(\\\\)*\\u0000/;

function jsonCodec(col: PlannedColumn): ToPg {
  const where = `${typeLabel(col.pgType)} column ${col.pg}`;
  const jsonb = col.pgType.kind === 'jsonb';
  return (v) => {
    if (v === null) return null;
    if (typeof v === 'number' && !Number.isFinite(v)) return new Rejected(`value ${v} is not JSON (${where})`);
    const s = asText(v, where);
    if (s instanceof Rejected) return s;
    try {
      JSON.parse(s);
    } catch {
      return new Rejected(`${what(v)} is not valid JSON for ${where}`);
    }
    if (jsonb && s.includes('\\u0000') && NUL_ESCAPE.test(s)) return new Rejected(`\\u0000 cannot be stored in ${where}`);
    return s;
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
    return new Rejected(`${what(v)} is not a uuid (uuid column ${col.pg})`);
  };
}

const byteaCodec: ToPg = (v) => {
  if (v === null) return null;
  const bytes = Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8');
  return '\\x' + bytes.toString('hex');
};

/**
 * A date column's value as PostgreSQL date text: PostgreSQL would drop a time of day (and
 * ignore an offset) silently, so only midnight, naive or in UTC, is the date; `epoch`: the
 * value was a number of that unit.
 */
function dateText(v: SqliteValue, ts: Timestamp, where: string, epoch: EpochUnit | null): PgText | Rejected {
  const midnight = ts.hour === 0 && ts.minute === 0 && ts.second === 0 && ts.micro === 0;
  if (!ts.hasTime || (midnight && (ts.offset === null || ts.offset === 0))) return pgTimestampText(ts, 'date');
  const instant = epoch ? `, which is ${pgTimestampText(ts, 'timestamptz')} as epoch ${epoch === 's' ? 'seconds' : 'milliseconds'}` : '';
  return new Rejected(`PostgreSQL date has no time of day; got ${showValue(v)}${instant} in ${where}`);
}

function timeCodec(col: PlannedColumn, kind: PgTimeKind): ToPg {
  const format = col.sqliteFormat;
  const epochFormat = format === 'epoch-s' ? 's' : format === 'epoch-ms' ? 'ms' : null;
  const where = `${kind} column ${col.pg}`;
  const date = kind === 'date';
  return (v) => {
    if (v === null) return null;
    let ts: Timestamp | string;
    let epoch: EpochUnit | null = null;
    if (typeof v === 'string') {
      const fast = date ? null : isoUtcMillis(v, kind === 'timestamptz');
      if (fast !== null) return fast;
      ts = parseTimestampText(v);
      if (typeof ts !== 'string') return date ? dateText(v, ts, where, null) : pgTimestampTextFrom(v, ts, kind);
      const word = v.trim().toLowerCase();
      if (word === 'infinity' || word === '-infinity') return word;
      if (epochFormat && parseDecimal(v)) ts = timestampFromEpoch(v.trim(), (epoch = epochFormat));
    } else if (typeof v === 'bigint' || typeof v === 'number') {
      // a number is a date or time only in a column kept as epoch numbers; in one kept as text its unit is a guess
      // (19000: days? seconds?). A timestamp column never profiled (no format) still reads it by its size
      if (!epochFormat && (date || format !== null)) {
        return new Rejected(`value ${showValue(v)} is not a ${kind}: ${where} is kept in SQLite as ${format ?? 'date'} text, not as epoch seconds or milliseconds`);
      }
      ts = timestampFromEpoch(v, (epoch = epochFormat ?? guessEpochUnit(v)));
    } else {
      return new Rejected(`${what(v)} is not a ${kind} (${where})`);
    }
    if (typeof ts === 'string') return new Rejected(`${what(v)} is not a ${kind} (${ts}) for ${where}`);
    return date ? dateText(v, ts, where, epoch) : pgTimestampText(ts, kind);
  };
}

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
    if (typeof v !== 'string') return new Rejected(`${what(v)} is not a JSON array (${where})`);
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

/** Kinds whose codec above only ever makes digits, signs, words and separators of its own. */
const PLAIN_TEXT_KINDS: ReadonlySet<CanonicalType['kind']> = new Set(['smallint', 'integer', 'bigint', 'numeric', 'real', 'double', 'boolean', 'uuid', 'timestamp', 'timestamptz', 'date']);

/** Does this column's PostgreSQL text never hold a backslash, tab, newline or carriage return (nothing for COPY to escape)? */
export function plainCopyText(col: PlannedColumn): boolean {
  return !col.pgType.array && PLAIN_TEXT_KINDS.has(col.pgType.kind);
}
