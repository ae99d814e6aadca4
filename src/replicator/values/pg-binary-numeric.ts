/**
 * numeric in binary COPY: ndigits, weight, sign, dscale (int2 each), then ndigits base-10000
 * digits, as numeric_recv reads them. dscale is the number of fraction digits the text
 * wrote, trailing zeros included, because numeric_in keeps exactly that (and both apply
 * the column's typmod after: numeric(12,2) makes 12.5 into 12.50 either way). Zero is
 * positive with no digits, as numeric_in stores '-0.00'. Infinity is left to text COPY
 * (false): servers before 14 have no binary form for it.
 */
import type { CopyBytes } from './copy-bytes.js';
import { SCALE_POW10 } from './decimal-text.js';

const POSITIVE = 0x0000;
const NEGATIVE = 0x4000;
const NAN = 0xc000;
/** longer texts go as text COPY (a value with a thousand digits is not a common case) */
const MAX_CHARS = 1000;

/** base-10000 digits of one value, reused */
const groups: number[] = [];

/** the header and digits of `groups` (most significant first, the first at `weight`), zero groups at either end dropped */
function writeGroups(out: CopyBytes, negative: boolean, weight: number, dscale: number): void {
  let from = 0;
  let to = groups.length;
  while (from < to && groups[from] === 0) {
    from++;
    weight--;
  }
  while (to > from && groups[to - 1] === 0) to--;
  const n = to - from;
  out.int16(n);
  out.int16(n === 0 ? 0 : weight);
  out.int16(n === 0 || !negative ? POSITIVE : NEGATIVE);
  out.int16(dscale);
  for (let i = from; i < to; i++) out.int16(groups[i] as number);
}

/** The digits of `s` from `from` to `to` (ASCII digits) as base-10000 groups aligned at `from` - `lead` (lead: zeros in front). */
function pushDigits(s: string, from: number, to: number, lead: number, trail: number): void {
  let g = 0;
  let k = lead;
  for (let i = from; i < to; i++) {
    g = g * 10 + (s.charCodeAt(i) - 48);
    if (++k === 4) {
      groups.push(g);
      g = 0;
      k = 0;
    }
  }
  if (trail > 0) {
    for (let t = 0; t < trail; t++) g *= 10;
    groups.push(g);
  }
}

/** A numeric's text as the codec makes it ('-12.50', '0', 'NaN'). False: another shape. */
export function numericBinary(s: string, out: CopyBytes): boolean {
  if (s === 'NaN') {
    out.int16(0);
    out.int16(0);
    out.int16(NAN);
    out.int16(0);
    return true;
  }
  const n = s.length;
  if (n === 0 || n > MAX_CHARS) return false;
  const negative = s.charCodeAt(0) === 45;
  let i = negative ? 1 : 0;
  const intStart = i;
  while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  const intEnd = i;
  let fracEnd = i;
  if (i < n) {
    if (s.charCodeAt(i) !== 46) return false;
    for (i++; i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57; ) i++;
    if (i !== n) return false;
    fracEnd = n;
  }
  const intDigits = intEnd - intStart;
  const fracStart = fracEnd === intEnd ? intEnd : intEnd + 1;
  const fracDigits = fracEnd - fracStart;
  if (intDigits === 0 && fracDigits === 0) return false;
  groups.length = 0;
  const lead = (4 - (intDigits % 4)) % 4;
  pushDigits(s, intStart, intEnd, lead, 0);
  const weight = groups.length - 1;
  pushDigits(s, fracStart, fracEnd, 0, (4 - (fracDigits % 4)) % 4);
  writeGroups(out, negative, weight, fracDigits);
  return true;
}

/** the base-10000 digits of a scaled value at weights 2, 1, 0, -1, -2 */
const SCALED = new Int32Array(5);

/**
 * The numeric m * 10^-scale (|m| below 2^31, scale 0 to 6) written with `places` fraction
 * digits: what numericBinary gives for the text with `places` digits after the point,
 * without making that text (REAL money, every row of a first load).
 */
export function scaledNumericBinary(m: number, scale: number, places: number, out: CopyBytes): void {
  const p = SCALE_POW10[scale] as number;
  const abs = m < 0 ? -m : m;
  const int = Math.floor(abs / p);
  const frac = abs - int * p;
  const d = SCALED;
  d[0] = Math.floor(int / 100000000);
  d[1] = Math.floor(int / 10000) % 10000;
  d[2] = int % 10000;
  if (scale <= 4) {
    d[3] = frac * (SCALE_POW10[4 - scale] as number);
    d[4] = 0;
  } else {
    const eight = frac * (SCALE_POW10[8 - scale] as number);
    d[3] = Math.floor(eight / 10000);
    d[4] = eight % 10000;
  }
  let first = 0;
  while (first < 5 && d[first] === 0) first++;
  let last = 4;
  while (last >= first && d[last] === 0) last--;
  const n = last - first + 1;
  const buf = out.reserve(8 + 2 * n);
  let at = out.length;
  const sign = n === 0 || m > 0 ? POSITIVE : NEGATIVE;
  const weight = n === 0 ? 0 : 2 - first;
  buf[at++] = 0;
  buf[at++] = n;
  buf[at++] = (weight >> 8) & 0xff;
  buf[at++] = weight & 0xff;
  buf[at++] = sign >> 8;
  buf[at++] = 0;
  buf[at++] = (places >> 8) & 0xff;
  buf[at++] = places & 0xff;
  for (let k = first; k <= last; k++) {
    const g = d[k] as number;
    buf[at++] = g >> 8;
    buf[at++] = g & 0xff;
  }
  out.length = at;
}

/** An integer numeric (|n| below 2^53) with no fraction digits: what numericBinary gives for String(n). */
export function integerNumericBinary(n: number, out: CopyBytes): void {
  const abs = n < 0 ? -n : n;
  const d = SCALED;
  // at most 16 digits: four groups, at weights 3 to 0
  d[0] = Math.floor(abs / 1e12);
  d[1] = Math.floor(abs / 1e8) % 10000;
  d[2] = Math.floor(abs / 1e4) % 10000;
  d[3] = abs % 10000;
  let first = 0;
  while (first < 4 && d[first] === 0) first++;
  let last = 3;
  while (last >= first && d[last] === 0) last--;
  const count = last - first + 1;
  const buf = out.reserve(8 + 2 * count);
  let at = out.length;
  const weight = count === 0 ? 0 : 3 - first;
  buf[at++] = 0;
  buf[at++] = count;
  buf[at++] = 0;
  buf[at++] = weight;
  buf[at++] = count === 0 || n > 0 ? POSITIVE >> 8 : NEGATIVE >> 8;
  buf[at++] = 0;
  buf[at++] = 0;
  buf[at++] = 0;
  for (let k = first; k <= last; k++) {
    const g = d[k] as number;
    buf[at++] = g >> 8;
    buf[at++] = g & 0xff;
  }
  out.length = at;
}
