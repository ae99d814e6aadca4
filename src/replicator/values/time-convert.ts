/**
 * Timestamps between PostgreSQL's text and the formats SQLite apps keep them in, exact to
 * the microsecond. No JS Date anywhere: values are read into fields (timestamp-parse.ts)
 * and written back digit by digit; epoch values come from integer arithmetic.
 * DESIGN.md "Replication semantics", Fidelity.
 */
import { Rejected, type SqliteValue } from './codec.js';
import { daysInMonth, epochSeconds, isDigit, timestampFromEpoch, toUtc, type EpochUnit, type Timestamp } from './timestamp-parse.js';
import type { TimeFormat } from './time-format.js';

const CH_SPACE = 32;
const CH_DASH = 45;
const CH_COLON = 58;
const CH_DOT = 46;

const PAD2: readonly string[] = Array.from({ length: 100 }, (_, k) => String(k).padStart(2, '0'));
const pad2 = (v: number): string => PAD2[v] ?? String(v);
const pad4 = (v: number): string => (v >= 1000 ? String(v) : String(v).padStart(4, '0'));
const pad6 = (v: number): string => String(v).padStart(6, '0');

/** '.123' for millisecond precision, '.123456' below it; '' for none when `always` is false. */
function fraction(micro: number, always: boolean): string {
  if (micro === 0 && !always) return '';
  return micro % 1000 === 0 ? '.' + String(micro / 1000).padStart(3, '0') : '.' + pad6(micro);
}

const datePart = (ts: Timestamp): string => `${pad4(ts.year)}-${pad2(ts.month)}-${pad2(ts.day)}`;
const clock = (ts: Timestamp): string => `${pad2(ts.hour)}:${pad2(ts.minute)}:${pad2(ts.second)}`;

function offsetText(seconds: number, withSeconds: boolean): string {
  const sign = seconds < 0 ? '-' : '+';
  const abs = Math.abs(seconds);
  const h = pad2(Math.floor(abs / 3600));
  const m = Math.floor((abs % 3600) / 60);
  const s = abs % 60;
  if (withSeconds) return s ? `${sign}${h}:${pad2(m)}:${pad2(s)}` : m ? `${sign}${h}:${pad2(m)}` : `${sign}${h}`;
  return `${sign}${h}:${pad2(m)}`;
}

/** A double holding `text` exactly enough that reading it back gives the same microsecond, or null. */
function realEpoch(text: string, unit: EpochUnit, expected: Timestamp): number | null {
  const n = Number(text);
  const back = timestampFromEpoch(n, unit);
  return typeof back !== 'string' && epochSeconds(back) === epochSeconds(expected) && back.micro === expected.micro ? n : null;
}

function epochValue(ts: Timestamp, unit: EpochUnit): SqliteValue | Rejected {
  const whole = epochSeconds(ts);
  // the common cases in plain integer arithmetic; BigInt only for fractions and far dates
  if (ts.micro === 0 && unit === 's') return BigInt(whole);
  if (ts.micro % 1000 === 0 && unit === 'ms') {
    const ms = whole * 1000 + ts.micro / 1000;
    if (Number.isSafeInteger(ms)) return BigInt(ms);
  }
  const seconds = BigInt(whole);
  const total = seconds * 1_000_000n + BigInt(ts.micro);
  const scale = unit === 's' ? 1_000_000n : 1000n;
  if (total % scale === 0n) return total / scale;
  const negative = total < 0n;
  const abs = negative ? -total : total;
  const digits = unit === 's' ? 6 : 3;
  const text = `${negative ? '-' : ''}${abs / scale}.${String(abs % scale).padStart(digits, '0')}`;
  const n = realEpoch(text, unit, ts);
  return n ?? new Rejected(`a REAL cannot hold ${text} ${unit === 's' ? 'seconds' : 'milliseconds'} exactly`);
}

/**
 * A timestamp in a SQLite column's format. A zoned value is written in UTC (or with its
 * offset for 'iso-t-offset'); a naive value keeps its digits (it is never shifted), and
 * formats that need a zone or an epoch read it as UTC. The ISO-with-T formats always
 * carry milliseconds (microseconds when the value has them), as JS's toISOString() writes
 * them; 'iso-space' and 'date', SQLite's own styles, carry a fraction only when it is
 * not zero. A Rejected carries only the problem; callers name the column.
 */
export function formatForSqlite(value: Timestamp, format: TimeFormat): SqliteValue | Rejected {
  if (format === 'epoch-s') return epochValue(value, 's');
  if (format === 'epoch-ms') return epochValue(value, 'ms');
  const keepOffset = format === 'iso-t-offset' && value.offset !== null && value.offset % 60 === 0;
  const ts = keepOffset ? value : toUtc(value);
  if (ts.year > 9999) return new Rejected(`year ${ts.year} does not fit the four-digit year of ${format}`);
  switch (format) {
    case 'iso-t-z':
      return `${datePart(ts)}T${clock(ts)}${fraction(ts.micro, true)}Z`;
    case 'iso-t-offset':
      return `${datePart(ts)}T${clock(ts)}${fraction(ts.micro, true)}${offsetText(keepOffset ? (ts.offset ?? 0) : 0, false)}`;
    case 'iso-t-naive':
      return `${datePart(ts)}T${clock(ts)}${fraction(ts.micro, true)}`;
    case 'iso-space':
      return `${datePart(ts)} ${clock(ts)}${fraction(ts.micro, false)}`;
    case 'date': {
      // a date column keeps dates; a time of day, if any, is kept rather than dropped
      const midnight = ts.hour === 0 && ts.minute === 0 && ts.second === 0 && ts.micro === 0;
      return midnight ? datePart(ts) : `${datePart(ts)} ${clock(ts)}${fraction(ts.micro, false)}`;
    }
  }
}

function trimZeros(digits: string): string {
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  return digits.slice(0, end);
}

/**
 * PostgreSQL's own output in UTC ('2025-11-05 10:15:30.123456+00') or without zone,
 * straight into an ISO text format by slicing: the common case of every pg-to-sqlite
 * timestamp, with the same result as parse + formatForSqlite. null for any other shape
 * (an offset, a BC or five-digit year) or format: the general path takes those.
 */
export function pgUtcTextToIso(text: string, format: TimeFormat): string | null {
  const n = text.length;
  if (n < 19 || text.charCodeAt(4) !== CH_DASH || text.charCodeAt(10) !== CH_SPACE) return null;
  const end = text.endsWith('+00') ? n - 3 : n;
  if (end !== 19 && text.charCodeAt(19) !== CH_DOT) return null;
  let nonZero = false;
  for (let i = 20; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c) || i > 25) return null;
    if (c !== 48) nonZero = true;
  }
  let frac = '';
  if (nonZero) {
    const six = text.slice(20, end).padEnd(6, '0');
    frac = six.endsWith('000') ? '.' + six.slice(0, 3) : '.' + six;
  }
  const date = text.slice(0, 10);
  const clock = text.slice(11, 19);
  switch (format) {
    case 'iso-t-z':
      return `${date}T${clock}${frac || '.000'}Z`;
    case 'iso-t-offset':
      return `${date}T${clock}${frac || '.000'}+00:00`;
    case 'iso-t-naive':
      return `${date}T${clock}${frac || '.000'}`;
    case 'iso-space':
      return `${date} ${clock}${frac}`;
    default:
      return null;
  }
}

export type PgTimeKind = 'timestamp' | 'timestamptz' | 'date';

/**
 * pgTimestampText for a value parsed from `text`, by slicing `text` when it is an ISO
 * shape whose digits are the answer (four-digit year, seconds, '.' fraction, Z or no
 * zone): '2025-11-05T10:15:30.120Z' -> '2025-11-05 10:15:30.12+00', the same text the
 * fields would give. The common case of every sqlite-to-pg timestamp; other shapes are
 * formatted from the fields.
 */
export function pgTimestampTextFrom(text: string, ts: Timestamp, kind: PgTimeKind): string {
  const n = text.length;
  const end = ts.zone === 'z' ? n - 1 : n;
  const sliceable =
    kind !== 'date' &&
    ts.separator !== null &&
    ts.zone !== 'offset' &&
    ts.second < 60 &&
    ts.hour < 24 &&
    n >= 19 &&
    text.charCodeAt(4) === CH_DASH &&
    text.charCodeAt(16) === CH_COLON &&
    (end === 19 || text.charCodeAt(19) === CH_DOT) &&
    isDigit(text.charCodeAt(end - 1));
  if (!sliceable) return pgTimestampText(ts, kind);
  let last = end;
  while (last > 20 && text.charCodeAt(last - 1) === 48) last--;
  const base = text.slice(0, 10) + ' ' + text.slice(11, 19) + (last > 20 ? text.slice(19, last) : '');
  return kind === 'timestamptz' ? base + '+00' : base;
}

/**
 * PostgreSQL input text. timestamptz keeps the value's own offset ('+00' for UTC and
 * for naive values); timestamp is naive (a zoned value is converted to UTC first, as
 * PostgreSQL casts in a UTC session); date keeps the written date.
 */
export function pgTimestampText(value: Timestamp, kind: PgTimeKind): string {
  if (kind === 'date') return datePart(value);
  const ts = kind === 'timestamp' ? toUtc(value) : value;
  const frac = ts.micro === 0 ? '' : '.' + trimZeros(pad6(ts.micro));
  const base = `${datePart(ts)} ${clock(ts)}${frac}`;
  if (kind === 'timestamp') return base;
  return ts.offset === null || ts.offset === 0 ? base + '+00' : base + offsetText(ts.offset, true);
}

const d = (s: string, i: number): number => s.charCodeAt(i) - 48;
const digits = (s: string, from: number, to: number): boolean => {
  for (let i = from; i < to; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
};

/**
 * Is `v` 'YYYY-MM-DDTHH:MM:SS.mmmZ', as JS's toISOString() writes it and most apps store it,
 * with a real date and time? Checked in place; isoUtcMillis cuts it.
 */
export function isIsoUtcMillis(v: string): boolean {
  if (v.length !== 24 || v.charCodeAt(23) !== 90 || v.charCodeAt(10) !== 84 || v.charCodeAt(19) !== 46) return false;
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) return false;
  if (!digits(v, 0, 4) || !digits(v, 5, 7) || !digits(v, 8, 10) || !digits(v, 11, 13) || !digits(v, 14, 16) || !digits(v, 17, 19) || !digits(v, 20, 23)) return false;
  const year = d(v, 0) * 1000 + d(v, 1) * 100 + d(v, 2) * 10 + d(v, 3);
  const month = d(v, 5) * 10 + d(v, 6);
  const day = d(v, 8) * 10 + d(v, 9);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  return d(v, 11) * 10 + d(v, 12) <= 23 && d(v, 14) * 10 + d(v, 15) <= 59 && d(v, 17) * 10 + d(v, 18) <= 59;
}

/** Where the fraction of an isIsoUtcMillis text ends once its trailing zeros are dropped (19: no fraction). */
export function isoMillisFractionEnd(v: string): number {
  return v.charCodeAt(22) !== 48 ? 23 : v.charCodeAt(21) !== 48 ? 22 : v.charCodeAt(20) !== 48 ? 21 : 19;
}

/**
 * An isIsoUtcMillis text as PostgreSQL input (sqlite-to-pg-time.ts's fast path): the text
 * pgTimestampTextFrom gives for it after a full parse; null for anything else (which
 * takes the full parse).
 */
export function isoUtcMillis(v: string, zoned: boolean): string | null {
  if (!isIsoUtcMillis(v)) return null;
  // trailing zeros of the fraction dropped, as pgTimestampTextFrom does
  return v.slice(0, 10) + ' ' + v.slice(11, 19) + v.slice(19, isoMillisFractionEnd(v)) + (zoned ? '+00' : '');
}
