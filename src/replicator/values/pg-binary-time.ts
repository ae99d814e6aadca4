/**
 * timestamp, timestamptz and date in binary COPY: int8 microseconds, or int4 days, since
 * 2000-01-01 (UTC for timestamptz), with +-infinity as int8's (int4's) two extremes, as
 * PostgreSQL's receive functions read them. Read from the text sqlite-to-pg.ts's codec
 * makes (time-convert.ts pgTimestampText: four-digit year, seconds, a fraction of up to six
 * digits, '+00' or an offset), or straight from an ISO millisecond text. Any other shape
 * (a five-digit year, a leap second) is refused (false): that batch goes as text.
 * Proleptic Gregorian days, like PostgreSQL's date2j.
 */
import type { CopyBytes } from './copy-bytes.js';
import { daysFromCivil, daysInMonth, isDigit, readDigits } from './timestamp-parse.js';

/** 1970-01-01 to 2000-01-01 */
const PG_EPOCH_DAYS = 10957;
/** |seconds| below this keep seconds * 10^6 + micro a safe integer */
const SAFE_SECONDS = 9_000_000_000;

/** days since 2000-01-01 of 'YYYY-MM-DD' at the start of `s` (a real date, year 1 to 9999), or null */
function datePrefix(s: string): number | null {
  if (s.length < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return null;
  const y = readDigits(s, 0, 4);
  const m = readDigits(s, 5, 2);
  const d = readDigits(s, 8, 2);
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return daysFromCivil(y, m, d) - PG_EPOCH_DAYS;
}

/** int8 microseconds of a day count, seconds into the day and microseconds */
function writeMicros(out: CopyBytes, days: number, seconds: number, micro: number): void {
  const total = days * 86400 + seconds;
  if (total > -SAFE_SECONDS && total < SAFE_SECONDS) out.int64(total * 1_000_000 + micro);
  else out.int64Big(BigInt(total) * 1_000_000n + BigInt(micro));
}

const INT8_MAX = 0x7fffffffffffffffn;
const INT8_MIN = -0x8000000000000000n;

/**
 * A timestamp's text as the codec makes it: 'YYYY-MM-DD HH:MM:SS[.ffffff]', with for
 * timestamptz '+00' or '+HH[:MM[:SS]]' / '-...'; 'infinity', '-infinity'. False: another shape.
 */
export function timestampBinary(s: string, zoned: boolean, out: CopyBytes): boolean {
  if (s === 'infinity' || s === '-infinity') {
    out.int64Big(s === 'infinity' ? INT8_MAX : INT8_MIN);
    return true;
  }
  const days = datePrefix(s);
  if (days === null || s.length < 19 || s.charCodeAt(10) !== 32 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return false;
  const h = readDigits(s, 11, 2);
  const mi = readDigits(s, 14, 2);
  const sec = readDigits(s, 17, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return false;
  let i = 19;
  let micro = 0;
  if (s.charCodeAt(i) === 46) {
    let places = 0;
    for (i++; isDigit(s.charCodeAt(i)); i++, places++) micro = micro * 10 + (s.charCodeAt(i) - 48);
    if (places === 0 || places > 6) return false;
    for (; places < 6; places++) micro *= 10;
  }
  let offset = 0;
  if (i < s.length) {
    if (!zoned) return false;
    const sign = s.charCodeAt(i);
    if (sign !== 43 && sign !== 45) return false;
    const parts = [0, 0, 0];
    let k = 0;
    for (i++; k < 3; k++) {
      const v = readDigits(s, i, 2);
      if (v < 0) return false;
      parts[k] = v;
      i += 2;
      if (i === s.length) break;
      if (s.charCodeAt(i) !== 58) return false;
      i++;
    }
    if (i !== s.length) return false;
    const [oh = 0, om = 0, os = 0] = parts;
    if (oh > 15 || om > 59 || os > 59) return false;
    offset = (sign === 45 ? -1 : 1) * (oh * 3600 + om * 60 + os);
  }
  writeMicros(out, days, h * 3600 + mi * 60 + sec - offset, micro);
  return true;
}

/**
 * 'YYYY-MM-DDTHH:MM:SS.mmmZ', as JS's toISOString() writes it, with a real date and time
 * (exactly what time-convert.ts isIsoUtcMillis accepts, which the codec's fast path takes):
 * the instant, checked and read in one pass; false, with nothing written, for anything else.
 * Small-integer arithmetic only: each digit's `d | (9 - d)` is negative when it is no digit,
 * and all of them ORed together say whether any was (NaN digits made every value a double).
 */
export function isoMillisBinary(v: string, out: CopyBytes): boolean {
  if (v.length !== 24 || v.charCodeAt(23) !== 90 || v.charCodeAt(10) !== 84 || v.charCodeAt(19) !== 46) return false;
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) return false;
  const y0 = v.charCodeAt(0) - 48;
  const y1 = v.charCodeAt(1) - 48;
  const y2 = v.charCodeAt(2) - 48;
  const y3 = v.charCodeAt(3) - 48;
  const mo0 = v.charCodeAt(5) - 48;
  const mo1 = v.charCodeAt(6) - 48;
  const d0 = v.charCodeAt(8) - 48;
  const d1 = v.charCodeAt(9) - 48;
  const h0 = v.charCodeAt(11) - 48;
  const h1 = v.charCodeAt(12) - 48;
  const mi0 = v.charCodeAt(14) - 48;
  const mi1 = v.charCodeAt(15) - 48;
  const s0 = v.charCodeAt(17) - 48;
  const s1 = v.charCodeAt(18) - 48;
  const ms0 = v.charCodeAt(20) - 48;
  const ms1 = v.charCodeAt(21) - 48;
  const ms2 = v.charCodeAt(22) - 48;
  const any =
    y0 | (9 - y0) | y1 | (9 - y1) | y2 | (9 - y2) | y3 | (9 - y3) | mo0 | (9 - mo0) | mo1 | (9 - mo1) | d0 | (9 - d0) | d1 | (9 - d1) |
    h0 | (9 - h0) | h1 | (9 - h1) | mi0 | (9 - mi0) | mi1 | (9 - mi1) | s0 | (9 - s0) | s1 | (9 - s1) | ms0 | (9 - ms0) | ms1 | (9 - ms1) | ms2 | (9 - ms2);
  if (any < 0) return false;
  const hour = h0 * 10 + h1;
  const minute = mi0 * 10 + mi1;
  const second = s0 * 10 + s1;
  if (hour > 23 || minute > 59 || second > 59) return false;
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const month = mo0 * 10 + mo1;
  const day = d0 * 10 + d1;
  const date = year * 10000 + month * 100 + day;
  // a table read in timestamp order meets the same date row after row
  if (date !== lastDate) {
    if (!(year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month))) return false;
    lastDate = date;
    lastDays = daysFromCivil(year, month, day) - PG_EPOCH_DAYS;
  }
  writeMicros(out, lastDays, hour * 3600 + minute * 60 + second, (ms0 * 100 + ms1 * 10 + ms2) * 1000);
  return true;
}

/** the last date isoMillisBinary read (YYYYMMDD, a real one) and its days since 2000-01-01 */
let lastDate = -1;
let lastDays = 0;

/** A date's text as the codec makes it: 'YYYY-MM-DD', 'infinity', '-infinity'. False: another shape. */
export function dateBinary(s: string, out: CopyBytes): boolean {
  if (s === 'infinity' || s === '-infinity') {
    out.int32(s === 'infinity' ? 0x7fffffff : -0x80000000);
    return true;
  }
  const days = s.length === 10 ? datePrefix(s) : null;
  if (days === null) return false;
  out.int32(days);
  return true;
}
