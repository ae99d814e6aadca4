/**
 * Conversions the reader thread makes straight from PostgreSQL's bytes (a COPY tuple field,
 * io/postgres-copy-rows.ts) for the commonest values of a pg-to-sqlite load, without a
 * string per value: each gives exactly what the column's codec (values/pg-to-sqlite.ts)
 * gives for the same text, or says it cannot (-1 / null) and the codec runs on the text.
 */
import type { TimeFormat } from '../values/time-format.js';

const DASH = 0x2d;
const SPACE = 0x20;
const DOT = 0x2e;
const PLUS = 0x2b;
const ZERO = 0x30;
const NINE = 0x39;
const ASCII_END = 0x80;
const T = 0x54;
const Z = 0x5a;
const COLON = 0x3a;

/** The BigInt the codec makes of an integer's text (BigInt(text)) for plain digits up to 15 of them, else null. */
export function integerFromBytes(from: Buffer, s: number, e: number): bigint | null {
  let i = s;
  const negative = from[i] === DASH;
  if (negative) i++;
  const digits = e - i;
  if (digits < 1 || digits > 15) return null;
  let n = 0;
  for (; i < e; i++) {
    const c = from[i] as number;
    if (c < ZERO || c > NINE) return null;
    n = n * 10 + (c - ZERO);
  }
  // exact: 15 digits stay below 2^53
  return BigInt(negative ? -n : n);
}

function put(to: Buffer, w: number, from: Buffer, s: number, n: number): number {
  for (let i = 0; i < n; i++) to[w++] = from[s + i] as number;
  return w;
}

/**
 * values/time-convert.ts pgUtcTextToIso on bytes: PostgreSQL's UTC (or zoneless) text of
 * a timestamp written into `to` at `w` in `format`; the end of what was written, or -1
 * wherever pgUtcTextToIso gives null (then the codec runs on the text). ASCII only, so
 * the character positions it reads are byte positions. Needs 40 bytes of room at `w`.
 */
export function isoTimestampBytes(from: Buffer, s: number, e: number, format: TimeFormat, to: Buffer, w: number): number {
  const n = e - s;
  if (n < 19 || from[s + 4] !== DASH || from[s + 10] !== SPACE) return -1;
  for (let i = s; i < e; i++) if ((from[i] as number) >= ASCII_END) return -1;
  const end = from[e - 3] === PLUS && from[e - 2] === ZERO && from[e - 1] === ZERO ? n - 3 : n;
  if (end !== 19 && (n <= 19 || from[s + 19] !== DOT)) return -1;
  let nonZero = false;
  for (let i = 20; i < end; i++) {
    const c = from[s + i] as number;
    if (c < ZERO || c > NINE || i > 25) return -1;
    if (c !== ZERO) nonZero = true;
  }
  if (format !== 'iso-t-z' && format !== 'iso-t-offset' && format !== 'iso-t-naive' && format !== 'iso-space') return -1;
  w = put(to, w, from, s, 10);
  to[w++] = format === 'iso-space' ? SPACE : T;
  w = put(to, w, from, s + 11, 8);
  if (nonZero) {
    // the fraction's digits padded to 6; three of them when the last three are zeros
    const digits = end - 20;
    const six = (i: number): number => (i < digits ? (from[s + 20 + i] as number) : ZERO);
    const keep = six(3) === ZERO && six(4) === ZERO && six(5) === ZERO ? 3 : 6;
    to[w++] = DOT;
    for (let i = 0; i < keep; i++) to[w++] = six(i);
  } else if (format !== 'iso-space') {
    to[w++] = DOT;
    to[w++] = ZERO;
    to[w++] = ZERO;
    to[w++] = ZERO;
  }
  if (format === 'iso-t-z') {
    to[w++] = Z;
  } else if (format === 'iso-t-offset') {
    to[w++] = PLUS;
    to[w++] = ZERO;
    to[w++] = ZERO;
    to[w++] = COLON;
    to[w++] = ZERO;
    to[w++] = ZERO;
  }
  return w;
}
