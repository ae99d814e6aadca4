/**
 * Reading timestamps into fields, exact to the microsecond and without a JS Date:
 * ISO-8601-like text (PostgreSQL's output and what SQLite apps write) and epoch
 * seconds or milliseconds, with the calendar arithmetic (proleptic Gregorian, as
 * PostgreSQL uses) on integers. Formatting the fields is in time-convert.ts.
 */
import { parseDecimal } from './decimal-text.js';

export interface Timestamp {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0..999999 */
  micro: number;
  /** seconds east of UTC; null when the value carries no zone (naive) */
  offset: number | null;
  /** false for a date without a time of day */
  hasTime: boolean;
  /** how the text separated date and time, and how it spelled its zone (for profiling) */
  separator: 'T' | ' ' | null;
  zone: 'z' | 'offset' | null;
}

/** Why a text or number is not a timestamp (callers add the column and value). */
export type TimeProblem = string;

export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
export const daysInMonth = (y: number, m: number): number => (m === 2 && isLeap(y) ? 29 : (DAYS_IN_MONTH[m - 1] ?? 0));

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date `days` after 1970-01-01 (civil_from_days). */
export function civilFromDays(days: number): [year: number, month: number, day: number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** Whole seconds since 1970-01-01T00:00:00Z; a naive value counts as UTC. */
export function epochSeconds(ts: Timestamp): number {
  const days = daysFromCivil(ts.year, ts.month, ts.day);
  return days * 86400 + ts.hour * 3600 + ts.minute * 60 + ts.second - (ts.offset ?? 0);
}

export function fromEpochSeconds(seconds: number, micro: number): Timestamp {
  const days = Math.floor(seconds / 86400);
  let rest = seconds - days * 86400;
  const [year, month, day] = civilFromDays(days);
  const hour = Math.floor(rest / 3600);
  rest -= hour * 3600;
  const minute = Math.floor(rest / 60);
  return { year, month, day, hour, minute, second: rest - minute * 60, micro, offset: 0, hasTime: true, separator: null, zone: 'z' };
}

/** The same instant in UTC (offset 0); a naive value keeps its digits and stays naive. */
export function toUtc(ts: Timestamp): Timestamp {
  if (ts.offset === null || (ts.offset === 0 && ts.second < 60 && ts.hour < 24)) return ts;
  return fromEpochSeconds(epochSeconds(ts), ts.micro);
}

/** the number the `count` digits at `at` make, or -1 when one of them is not a digit */
export function readDigits(s: string, at: number, count: number): number {
  let v = 0;
  for (let k = 0; k < count; k++) {
    const c = s.charCodeAt(at + k);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

const CH_T = 84;
const CH_t = 116;
const CH_SPACE = 32;
const CH_DASH = 45;
const CH_PLUS = 43;
const CH_COLON = 58;
const CH_DOT = 46;
const CH_COMMA = 44;
const CH_Z = 90;
const CH_z = 122;

/** The offset read by readOffset, in seconds, and where it ended (module state: no allocation per value). */
let offsetRead = 0;

/** '05', '05:30', '0530', '05:30:15' at `at` -> the index after it, or -1; the value lands in offsetRead. */
function readOffset(s: string, at: number): number {
  const h = readDigits(s, at, 2);
  if (h < 0) return -1;
  let i = at + 2;
  let m = 0;
  let sec = 0;
  const c = s.charCodeAt(i);
  if (c === CH_COLON || isDigit(c)) {
    if (c === CH_COLON) i++;
    m = readDigits(s, i, 2);
    if (m < 0) return -1;
    i += 2;
    if (s.charCodeAt(i) === CH_COLON) {
      sec = readDigits(s, i + 1, 2);
      if (sec < 0) return -1;
      i += 3;
    }
  }
  if (h > 15 || m > 59 || sec > 59) return -1;
  offsetRead = h * 3600 + m * 60 + sec;
  return i;
}

/**
 * Parses ISO-8601-like text: PostgreSQL's output (DateStyle ISO: '2025-11-05
 * 10:15:30.123456+00', '+05:30', ' BC') and what SQLite apps write ('2025-11-05T10:15:30.123Z',
 * '2025-11-05 10:15:30', '2025-11-05'). Fractions beyond microseconds must be zeros.
 * Hot path of every timestamp: char codes and locals, one object at the end.
 */
export function parseTimestampText(text: string): Timestamp | TimeProblem {
  const s = isSpaceCode(text.charCodeAt(0)) || isSpaceCode(text.charCodeAt(text.length - 1)) ? text.trim() : text;
  const n = s.length;
  let i = 0;
  let year = 0;
  for (let c = s.charCodeAt(0); isDigit(c); c = s.charCodeAt(++i)) year = year * 10 + (c - 48);
  if (i < 4 || s.charCodeAt(i) !== CH_DASH) return 'not a date';
  const month = readDigits(s, i + 1, 2);
  if (month < 0 || s.charCodeAt(i + 3) !== CH_DASH) return 'not a date';
  const day = readDigits(s, i + 4, 2);
  if (day < 0) return 'not a date';
  i += 6;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let micro = 0;
  let offset: number | null = null;
  let separator: Timestamp['separator'] = null;
  let zone: Timestamp['zone'] = null;
  const c = s.charCodeAt(i);
  if ((c === CH_T || c === CH_t || c === CH_SPACE) && isDigit(s.charCodeAt(i + 1))) {
    separator = c === CH_SPACE ? ' ' : 'T';
    hour = readDigits(s, i + 1, 2);
    if (hour < 0 || s.charCodeAt(i + 3) !== CH_COLON) return 'not a time of day';
    minute = readDigits(s, i + 4, 2);
    if (minute < 0) return 'not a time of day';
    i += 6;
    if (s.charCodeAt(i) === CH_COLON) {
      second = readDigits(s, i + 1, 2);
      if (second < 0) return 'not a time of day';
      i += 3;
      const d = s.charCodeAt(i);
      if (d === CH_DOT || d === CH_COMMA) {
        const start = ++i;
        let scale = 100000;
        let excess = false;
        for (let f = s.charCodeAt(i); isDigit(f); f = s.charCodeAt(++i)) {
          if (scale >= 1) micro += (f - 48) * scale;
          else if (f !== 48) excess = true;
          scale /= 10;
        }
        if (i === start) return 'empty fraction of a second';
        if (excess) return 'finer than a microsecond (PostgreSQL would round it)';
      }
    }
    if (s.charCodeAt(i) === CH_SPACE) {
      const next = s.charCodeAt(i + 1);
      if (next === CH_PLUS || next === CH_DASH || next === CH_Z) i++;
    }
    const z = s.charCodeAt(i);
    if (z === CH_Z || z === CH_z) {
      offset = 0;
      zone = 'z';
      i++;
    } else if (z === CH_PLUS || z === CH_DASH) {
      const end = readOffset(s, i + 1);
      if (end < 0) return 'not a time zone offset';
      offset = z === CH_DASH ? -offsetRead : offsetRead;
      zone = 'offset';
      i = end;
    }
  }
  if (i !== n) return s.endsWith(' BC') && n - i === 3 ? 'a BC date' : 'unexpected text after the value';
  return validate({ year, month, day, hour, minute, second, micro, offset, hasTime: separator !== null, separator, zone });
}

function isSpaceCode(c: number): boolean {
  return c === CH_SPACE || (c >= 9 && c <= 13);
}

function validate(ts: Timestamp): Timestamp | TimeProblem {
  if (ts.year < 1) return 'year 0 does not exist';
  if (ts.month < 1 || ts.month > 12) return `month ${ts.month} out of range`;
  if (ts.day < 1 || ts.day > daysInMonth(ts.year, ts.month)) return `day ${ts.day} out of range for the month`;
  const midnight24 = ts.hour === 24 && ts.minute === 0 && ts.second === 0 && ts.micro === 0;
  if ((ts.hour > 23 && !midnight24) || ts.minute > 59 || ts.second > 60) return 'time of day out of range';
  return ts;
}

/** Largest epoch (seconds) PostgreSQL's timestamp holds, about year 294276. */
const MAX_EPOCH_SECONDS = 9_224_318_015_999;
/** Epoch values at least this large are milliseconds (1e11 s would be the year 5138). */
const MS_THRESHOLD = 1e11;

export type EpochUnit = 's' | 'ms';

/** The unit a bare number most likely counts, when the column's format does not say. */
export function guessEpochUnit(v: bigint | number): EpochUnit {
  const abs = typeof v === 'bigint' ? (v < 0n ? -v : v) : Math.abs(v);
  return abs >= MS_THRESHOLD ? 'ms' : 's';
}

function fromMicros(total: bigint): Timestamp | TimeProblem {
  let seconds = total / 1_000_000n;
  let micro = total % 1_000_000n;
  if (micro < 0n) {
    micro += 1_000_000n;
    seconds -= 1n;
  }
  if (seconds > BigInt(MAX_EPOCH_SECONDS) || seconds < -BigInt(MAX_EPOCH_SECONDS)) return 'epoch value out of range';
  const ts = fromEpochSeconds(Number(seconds), Number(micro));
  ts.zone = null;
  return ts.year < 1 ? 'a BC date' : ts;
}

/**
 * Epoch seconds or milliseconds as an integer, a REAL (rounded to the microsecond: a
 * double is an approximation anyway) or decimal text (exact: extra nonzero digits are refused).
 */
export function timestampFromEpoch(v: bigint | number | string, unit: EpochUnit): Timestamp | TimeProblem {
  const scale = unit === 's' ? 1_000_000n : 1000n;
  if (typeof v === 'bigint') return fromMicros(v * scale);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return 'not a finite number';
    if (Number.isSafeInteger(v)) return fromMicros(BigInt(v) * scale);
  }
  const parts = parseDecimal(typeof v === 'number' ? String(v) : v);
  if (!parts) return 'not a number';
  const digits = unit === 's' ? 6 : 3;
  const frac = parts.frac.slice(0, digits).padEnd(digits, '0');
  const excess = parts.frac.slice(digits);
  let roundUp = false;
  if (/[1-9]/.test(excess)) {
    if (typeof v === 'string') return 'finer than a microsecond (PostgreSQL would round it)';
    roundUp = excess.charCodeAt(0) >= 53; // '5'
  }
  let magnitude = BigInt(parts.int) * scale + BigInt(frac);
  if (roundUp) magnitude += 1n;
  return fromMicros(parts.negative ? -magnitude : magnitude);
}
