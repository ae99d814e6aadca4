/**
 * Exact decimal numbers as text: parsing, exponent expansion and the shortest text of a
 * double, without ever passing a value through arithmetic on doubles. Shared by the
 * numeric and epoch conversions.
 */

export interface DecimalParts {
  negative: boolean;
  /** integer digits without leading zeros; '0' for zero */
  int: string;
  /** fractional digits as written (trailing zeros kept: '12.10' keeps its scale) */
  frac: string;
}

/** Exponents beyond this are not expanded (a value with 10^1000 digits is not data). */
const MAX_EXPONENT = 1000;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * '12.10', '-0.5', '+7', '.5', '5.', '1e3', ' 12 ' -> parts; null when the text is not a
 * decimal number. Leading zeros are dropped, the written scale is kept.
 */
export function parseDecimal(text: string): DecimalParts | null {
  const s = text.trim();
  let i = 0;
  let negative = false;
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    i = 1;
  }
  const intStart = i;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  let int = s.slice(intStart, i);
  let frac = '';
  if (s[i] === '.') {
    const fracStart = ++i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    frac = s.slice(fracStart, i);
  }
  if (int === '' && frac === '') return null;
  let exponent = 0;
  if (s[i] === 'e' || s[i] === 'E') {
    i++;
    const expStart = i;
    if (s[i] === '-' || s[i] === '+') i++;
    const digitsStart = i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    if (i === digitsStart) return null;
    exponent = Number(s.slice(expStart, i));
    if (Math.abs(exponent) > MAX_EXPONENT) return null;
  }
  if (i !== s.length) return null;
  if (exponent > 0) {
    const moved = frac.slice(0, exponent).padEnd(exponent, '0');
    int += moved;
    frac = frac.slice(exponent);
  } else if (exponent < 0) {
    const shift = -exponent;
    const padded = int.padStart(shift, '0');
    frac = padded.slice(padded.length - shift) + frac;
    int = padded.slice(0, padded.length - shift);
  }
  int = int.replace(/^0+/, '') || '0';
  return { negative, int, frac };
}

/** Fractional digits that matter: trailing zeros do not. */
export function significantFraction(p: DecimalParts): string {
  return p.frac.replace(/0+$/, '');
}

export function isZero(p: DecimalParts): boolean {
  return p.int === '0' && significantFraction(p) === '';
}

/** Parts -> text; a negative zero is written '0'. */
export function decimalText(p: DecimalParts): string {
  const body = p.frac === '' ? p.int : `${p.int}.${p.frac}`;
  return p.negative && !isZero(p) ? `-${body}` : body;
}

/**
 * The shortest decimal text that reads back as the same double (String(n)), with any
 * exponent expanded: 1e21 -> '1000000000000000000000', 1e-7 -> '0.0000001'.
 */
export function numberToDecimal(n: number): string {
  const shortest = String(n);
  if (!shortest.includes('e')) return shortest;
  const parts = parseDecimal(shortest);
  return parts ? decimalText(parts) : shortest;
}

/** 10^scale for the scales scaledInteger takes (0 to 6) */
export const SCALE_POW10: readonly number[] = [1, 10, 100, 1000, 10000, 100000, 1000000];

/**
 * v * 10^scale as an integer m, for a REAL with at most `scale` (0 to 6) decimal places and
 * |m| below 2^31: m is v * 10^scale rounded, kept only when m / 10^scale is v again. Then the
 * decimal m * 10^-scale reads back as v, and no other decimal of at most `scale` places does
 * (they lie 10^-scale apart, far more than v's rounding step at this size), so its digits,
 * trailing zeros dropped, are the shortest text of v, as String(v) gives it. Null: not such a value.
 */
export function scaledInteger(v: number, scale: number): number | null {
  const p = SCALE_POW10[scale];
  if (p === undefined) return null;
  const m = Math.round(v * p);
  return m / p !== v || m >= 2147483648 || m <= -2147483648 ? null : m;
}

/** Whether an integer part (>= 0) has at most precision - scale digits, none for 0 (the codec's plainFits); true without a precision. */
export function integerPartFits(int: number, precision: number | undefined, scale: number): boolean {
  if (precision === undefined) return true;
  let digits = 0;
  for (let x = int; x > 0; x = Math.floor(x / 10)) digits++;
  return digits <= precision - scale;
}

/** The places a `scale`-digit fraction (an integer below 10^scale) keeps once its trailing zeros are dropped: 0 for 0. */
export function fractionPlaces(frac: number, scale: number): number {
  if (frac === 0) return 0;
  let places = scale;
  for (let f = frac; f % 10 === 0; f /= 10) places--;
  return places;
}

/**
 * String(v) for a REAL that scaledInteger takes, without V8's shortest-digits search (case a
 * spent 5% of its reader thread there). Null: not such a value.
 */
export function scaledDecimalText(v: number, scale: number): string | null {
  const m = scaledInteger(v, scale);
  if (m === null) return null;
  if (m === 0) return '0'; // -0 too, as String(-0)
  if (scale === 0) return String(m);
  const negative = m < 0;
  let digits = String(negative ? -m : m);
  if (digits.length <= scale) digits = '0'.repeat(scale + 1 - digits.length) + digits;
  const point = digits.length - scale;
  let end = digits.length;
  while (end > point && digits.charCodeAt(end - 1) === 48) end--;
  const text = end === point ? digits.slice(0, point) : `${digits.slice(0, point)}.${digits.slice(point, end)}`;
  return negative ? '-' + text : text;
}
