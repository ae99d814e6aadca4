/**
 * PostgreSQL text -> the value bound into SQLite. The codec is chosen once per column
 * (from its PostgreSQL type, then the SQLite side's declared kind and date format), so
 * the per-value work is one closure call. Integers become BigInt (never a double);
 * numeric stays exact decimal text unless the SQLite column is REAL.
 * DESIGN.md "Replication semantics", Fidelity.
 */
import type { CanonicalKind } from '../../model/schema.js';
import type { PlannedColumn } from '../run-plan.js';
import { Rejected, type Codec, type PgText, type SqliteValue } from './codec.js';
import { pgArrayToJson } from './pg-array.js';
import { formatForSqlite, pgUtcTextToIso, type PgTimeKind } from './time-convert.js';
import { parseTimestampText } from './timestamp-parse.js';
import { DEFAULT_TIME_FORMAT, type TimeFormat } from './time-format.js';

type ToSqlite = Codec<PgText, SqliteValue>;

/** SQLite kinds whose columns keep text as text (TEXT or BLOB affinity): PostgreSQL's text goes in as is. */
const TEXT_KEEPING: ReadonlySet<CanonicalKind> = new Set(['text', 'varchar', 'char', 'untyped', 'unknown', 'uuid', 'enum']);
const REAL_KINDS: ReadonlySet<CanonicalKind> = new Set(['real', 'double']);

const passText: ToSqlite = (v) => v;

const toBigInt: ToSqlite = (v) => (v === null ? null : BigInt(v));

const toBoolean: ToSqlite = (v) => (v === null ? null : v === 't' ? 1n : 0n);

/** SQLite has no NaN (it would store NULL): the text 'NaN' stays text in a REAL column, so it survives. */
const toFloat: ToSqlite = (v) => (v === null ? null : v === 'NaN' ? 'NaN' : Number(v));

/** numeric into INTEGER/NUMERIC affinity: the text itself, but for NaN and the infinities */
const numericAsText = (nan: () => Rejected): ToSqlite => (v) => {
  if (v === null) return null;
  if (v === 'NaN') return nan();
  if (v === 'Infinity' || v === '-Infinity') return Number(v);
  return v;
};

function numericCodec(col: PlannedColumn): ToSqlite {
  const kind = col.sqliteType.kind;
  if (TEXT_KEEPING.has(kind)) return passText;
  const nan = (): Rejected => new Rejected(`numeric NaN cannot be stored in SQLite ${kind} column ${col.sqlite} (SQLite has no NaN)`);
  if (REAL_KINDS.has(kind)) {
    // lossy by design: verify reported that REAL cannot hold numeric exactly
    return (v) => (v === null ? null : v === 'NaN' ? nan() : Number(v));
  }
  // INTEGER/NUMERIC affinity converts the text itself, exactly when it fits (the verify warns when not)
  return numericAsText(nan);
}

/**
 * How the reader thread may convert a column's values from PostgreSQL's bytes without
 * making a string of them (io/postgres-read-bytes.ts), giving what this column's codec
 * gives: 'text' (the text as is), 'numeric' (a number's text, unless NaN or an
 * infinity), 'integer' (a BigInt), 'boolean' (1n for 't', else 0n), a timestamp's ISO
 * form in `format` (where pgUtcTextToIso has one), or 'none' (the codec, on the text).
 * It is the same choice of codec as pgToSqliteCodec makes.
 */
export type ByteConversion = 'text' | 'numeric' | 'integer' | 'boolean' | { timestamp: TimeFormat } | 'none';

export function byteConversion(col: PlannedColumn): ByteConversion {
  if (col.pgType.array) return 'none';
  const kind = col.pgType.kind;
  const sqliteKind = col.sqliteType.kind;
  if (kind === 'numeric') return TEXT_KEEPING.has(sqliteKind) ? 'text' : REAL_KINDS.has(sqliteKind) ? 'none' : 'numeric';
  if (kind === 'timestamp' || kind === 'timestamptz') return { timestamp: col.sqliteFormat ?? DEFAULT_TIME_FORMAT };
  const codec = pgToSqliteCodec(col);
  return codec === passText ? 'text' : codec === toBigInt ? 'integer' : codec === toBoolean ? 'boolean' : 'none';
}

/** '\x0102' (hex, bytea_output = hex) or the escape format ('a\\b\001'). */
export function decodeBytea(text: string): Buffer {
  if (text.startsWith('\\x')) return Buffer.from(text.slice(2), 'hex');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 92) {
      bytes.push(c);
      continue;
    }
    if (text[i + 1] === '\\') {
      bytes.push(92);
      i++;
    } else {
      bytes.push(parseInt(text.slice(i + 1, i + 4), 8));
      i += 3;
    }
  }
  return Buffer.from(bytes);
}

const toBlob: ToSqlite = (v) => (v === null ? null : decodeBytea(v));

function timeCodec(col: PlannedColumn, kind: PgTimeKind): ToSqlite {
  const format: TimeFormat = col.sqliteFormat ?? (kind === 'date' ? 'date' : DEFAULT_TIME_FORMAT);
  return (v) => {
    if (v === null) return null;
    if (v === 'infinity' || v === '-infinity') {
      return new Rejected(`PostgreSQL ${kind} '${v}' has no ${format} form for SQLite column ${col.sqlite}`);
    }
    const fast = kind === 'date' ? null : pgUtcTextToIso(v, format);
    if (fast !== null) return fast;
    const ts = parseTimestampText(v);
    if (typeof ts === 'string') return new Rejected(`${kind} '${v}' cannot be written to SQLite column ${col.sqlite}: ${ts}`);
    const out = formatForSqlite(ts, format);
    return out instanceof Rejected ? new Rejected(`${kind} '${v}' cannot be written to SQLite column ${col.sqlite}: ${out.reason}`) : out;
  };
}

function arrayCodec(col: PlannedColumn): ToSqlite {
  const element = col.pgType.kind;
  return (v) => {
    if (v === null) return null;
    const json = pgArrayToJson(v, element);
    return typeof json === 'string' ? json : new Rejected(`array '${v}' for SQLite column ${col.sqlite}: ${json.problem}`);
  };
}

/** The conversion for one column, PostgreSQL -> SQLite. */
export function pgToSqliteCodec(col: PlannedColumn): Codec<PgText, SqliteValue> {
  if (col.pgType.array) return arrayCodec(col);
  const sqliteKind = col.sqliteType.kind;
  switch (col.pgType.kind) {
    case 'smallint':
    case 'integer':
    case 'bigint':
      return TEXT_KEEPING.has(sqliteKind) ? passText : toBigInt;
    case 'numeric':
      return numericCodec(col);
    case 'real':
    case 'double':
      return TEXT_KEEPING.has(sqliteKind) ? passText : toFloat;
    case 'boolean':
      return toBoolean;
    case 'bytea':
      return toBlob;
    case 'timestamp':
    case 'timestamptz':
    case 'date':
      return timeCodec(col, col.pgType.kind);
    default:
      // text, varchar, char, enum, json, jsonb, uuid, time, timetz, interval: text as is
      return passText;
  }
}
