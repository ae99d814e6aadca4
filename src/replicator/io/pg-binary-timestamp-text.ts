/**
 * A timestamp or timestamptz in PostgreSQL's binary form (int64 microseconds from
 * 2000-01-01 00:00:00 UTC), for the reader thread: its binary form spares the server
 * timestamptz_out per value. timestampText writes the text the server itself sends for it
 * in a session with TimeZone UTC and DateStyle ISO (connect/postgres-session.ts): `YYYY-MM-DD
 * HH:MM:SS[.ffffff without trailing zeros]`, `+00` for timestamptz, years of more than four
 * digits in full, ` BC` after everything for years before 1, `infinity` and `-infinity`.
 * isoFromBinary writes the commonest values straight in the column's ISO format, exactly as
 * postgres-read-bytes.ts isoTimestampBytes would from that text (or says it cannot: -1).
 */
import type { TimeFormat } from '../values/time-format.js';
import { civilFromDays } from '../values/timestamp-parse.js';

const MICROS_PER_DAY = 86_400_000_000;
/** days from 1970-01-01 to 2000-01-01 (PostgreSQL's epoch) */
const DAYS_1970_TO_2000 = 10_957;
const ZERO = 0x30;
const INFINITY = Buffer.from('infinity', 'latin1');
const BC = Buffer.from(' BC', 'latin1');
/** the most a timestamp's text takes: a six-digit year, the fraction, the zone, ' BC' */
export const TIMESTAMP_TEXT_ROOM = 40;

const YEAR = 0;
const MONTH = 1;
const DAY = 2;
const HOUR = 3;
const MINUTE = 4;
const SECOND = 5;
const FRACTION = 6;
/** the fields of the value being written (one thread, one value at a time) */
const f = new Int32Array(7);

/** The fields of the timestamp at bytes[s..s+8) into `f`; false for infinity (1) or -infinity (-1). */
function fields(bytes: Buffer, s: number): number {
  const hi = bytes.readInt32BE(s);
  const lo = bytes.readUInt32BE(s + 4);
  if (hi === 0x7fffffff && lo === 0xffffffff) return 1;
  if (hi === -0x80000000 && lo === 0) return -1;
  let days: number;
  let micros: number;
  const approx = hi * 4294967296 + lo;
  if (Math.abs(approx) < Number.MAX_SAFE_INTEGER) {
    // exact in a double: split into whole days and the microseconds of the day
    days = Math.floor(approx / MICROS_PER_DAY);
    micros = approx - days * MICROS_PER_DAY;
    if (micros < 0) {
      days -= 1;
      micros += MICROS_PER_DAY;
    } else if (micros >= MICROS_PER_DAY) {
      days += 1;
      micros -= MICROS_PER_DAY;
    }
  } else {
    const all = bytes.readBigInt64BE(s);
    const perDay = BigInt(MICROS_PER_DAY);
    let d = all / perDay;
    let m = all % perDay;
    if (m < 0n) {
      d -= 1n;
      m += perDay;
    }
    days = Number(d);
    micros = Number(m);
  }
  // the proleptic Gregorian date (year 0 is 1 BC)
  const [year, month, day] = civilFromDays(days + DAYS_1970_TO_2000);
  f[YEAR] = year;
  f[MONTH] = month;
  f[DAY] = day;
  const seconds = Math.floor(micros / 1_000_000);
  f[HOUR] = (seconds / 3600) | 0;
  f[MINUTE] = ((seconds / 60) | 0) % 60;
  f[SECOND] = seconds % 60;
  f[FRACTION] = micros - seconds * 1_000_000;
  return 0;
}

/** `YYYY-MM-DD?HH:MM:SS` of `f` (a year of 1-9999) with `sep` between date and time */
function dateTime(to: Buffer, w: number, sep: number): number {
  w = pair(to, w, (f[YEAR] as number) / 100);
  return monthOn(to, pair(to, w, (f[YEAR] as number) % 100), sep);
}

/** `-MM-DD?HH:MM:SS` of `f` */
function monthOn(to: Buffer, w: number, sep: number): number {
  to[w++] = 0x2d;
  w = pair(to, w, f[MONTH] as number);
  to[w++] = 0x2d;
  w = pair(to, w, f[DAY] as number);
  to[w++] = sep;
  w = pair(to, w, f[HOUR] as number);
  to[w++] = 0x3a;
  w = pair(to, w, f[MINUTE] as number);
  to[w++] = 0x3a;
  return pair(to, w, f[SECOND] as number);
}

/** `.` and `places` (3 or 6) digits of the fraction */
function fraction(to: Buffer, w: number, places: number): number {
  const us = f[FRACTION] as number;
  to[w++] = 0x2e;
  w = pair(to, w, us / 10_000);
  w = pair(to, w, (us / 100) % 100);
  w = pair(to, w, us % 100);
  return places === 6 ? w : w - 3;
}

/** Writes the timestamp at bytes[s..s+8) as PostgreSQL's text into `to` at `w`; the end. */
export function timestampText(bytes: Buffer, s: number, withZone: boolean, to: Buffer, w: number): number {
  const infinite = fields(bytes, s);
  if (infinite !== 0) {
    if (infinite < 0) to[w++] = 0x2d;
    return w + INFINITY.copy(to, w);
  }
  const year = f[YEAR] as number;
  const bc = year <= 0;
  const shown = bc ? 1 - year : year;
  if (shown > 9999) {
    w = monthOn(to, w + to.write(String(shown), w, 'latin1'), 0x20);
  } else {
    w = pair(to, w, shown / 100);
    w = monthOn(to, pair(to, w, shown % 100), 0x20);
  }
  if (f[FRACTION] !== 0) {
    w = fraction(to, w, 6);
    while (to[w - 1] === ZERO) w--;
  }
  if (withZone) {
    to[w++] = 0x2b;
    to[w++] = ZERO;
    to[w++] = ZERO;
  }
  if (bc) w += BC.copy(to, w);
  return w;
}

/**
 * Writes the timestamp at bytes[s..s+8) in `format` into `to` at `w`, as isoTimestampBytes
 * writes it from the server's text; the end, or -1 where isoTimestampBytes gives -1 for
 * that text (infinities, years before 1 or after 9999, other formats). Needs 40 bytes of room.
 */
export function isoFromBinary(bytes: Buffer, s: number, format: TimeFormat, to: Buffer, w: number): number {
  if (format !== 'iso-t-z' && format !== 'iso-t-offset' && format !== 'iso-t-naive' && format !== 'iso-space') return -1;
  if (fields(bytes, s) !== 0) return -1;
  const year = f[YEAR] as number;
  if (year < 1 || year > 9999) return -1;
  w = dateTime(to, w, format === 'iso-space' ? 0x20 : 0x54);
  const us = f[FRACTION] as number;
  if (us !== 0) w = fraction(to, w, us % 1000 === 0 ? 3 : 6);
  else if (format !== 'iso-space') w = fraction(to, w, 3);
  if (format === 'iso-t-z') {
    to[w++] = 0x5a;
  } else if (format === 'iso-t-offset') {
    to[w++] = 0x2b;
    to[w++] = ZERO;
    to[w++] = ZERO;
    to[w++] = 0x3a;
    to[w++] = ZERO;
    to[w++] = ZERO;
  }
  return w;
}

/** each of 0-99 as two ASCII digits, the first in the high byte */
const PAIRS = Uint16Array.from({ length: 100 }, (_, n) => ((ZERO + ((n / 10) | 0)) << 8) | (ZERO + (n % 10)));

/** `n` (0-99; a fraction is cut off) as two digits */
function pair(to: Buffer, w: number, n: number): number {
  const p = PAIRS[n | 0] as number;
  to[w] = p >> 8;
  to[w + 1] = p & 0xff;
  return w + 2;
}
