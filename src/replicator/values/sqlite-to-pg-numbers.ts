/**
 * SQLite values into PostgreSQL integer, numeric and floating-point columns (part of
 * sqlite-to-pg.ts's codec): exact decimal text, never rounded on the way; a value the
 * column would round, truncate or refuse is Rejected with its reason.
 */
import type { PlannedColumn } from '../run-plan.js';
import { Rejected, type Codec, type PgText, type SqliteValue } from './codec.js';
import { decimalText, numberToDecimal, parseDecimal, scaledDecimalText, significantFraction, type DecimalParts } from './decimal-text.js';
import { describeValue, showValue, typeLabel } from './reason-text.js';

type ToPg = Codec<SqliteValue, PgText>;

export function integerCodec(col: PlannedColumn, min: bigint, max: bigint): ToPg {
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
      if (!p) return new Rejected(`${describeValue(v)} in ${where}`);
      if (significantFraction(p) !== '') return new Rejected(`fractional value ${showValue(v)} in ${where}`);
      big = BigInt(p.negative ? `-${p.int}` : p.int);
    } else {
      return new Rejected(`${describeValue(v)} in ${where}`);
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

export function numericCodec(col: PlannedColumn): ToPg {
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
      return new Rejected(`${describeValue(v)} in ${where}`);
    }
    if (!parts) return new Rejected(`${describeValue(v)} in ${where}`);
    return check(parts, showValue(v)) ?? decimalText(parts);
  };
}

const FLOAT_WORDS: ReadonlyMap<string, string> = new Map([...NUMERIC_WORDS, ['-nan', 'NaN']]);

export function floatCodec(col: PlannedColumn): ToPg {
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
    if (typeof v !== 'string') return new Rejected(`${describeValue(v)} in ${where}`);
    const word = FLOAT_WORDS.get(v.trim().toLowerCase());
    if (word) return word;
    if (!parseDecimal(v)) return new Rejected(`${describeValue(v)} in ${where}`);
    const n = Number(v);
    if (!Number.isFinite(n) || outOfRange(n)) return new Rejected(`value ${showValue(v)} out of range for ${where}`);
    return v.trim();
  };
}
