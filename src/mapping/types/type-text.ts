/**
 * Splitting a written type name into its words and its numbers, shared by the SQLite
 * and PostgreSQL type tables: "timestamp(3) with time zone" -> "timestamp with time
 * zone" + [3]; "DECIMAL ( 12, 2 )" -> "DECIMAL" + [12, 2].
 */
import type { CanonicalType } from '../../model/schema.js';

/** How a type table row reads the numbers in parentheses. */
export type ParamReading = 'none' | 'length' | 'precision-scale' | 'fraction';

export function splitTypeText(text: string): { words: string; numbers: number[] } {
  const params = /\(([^)]*)\)/.exec(text);
  const numbers = params?.[1]
    ? params[1]
        .split(',')
        .map((p) => Number(p.trim()))
        .filter((n) => Number.isInteger(n))
    : [];
  const words = text.replace(/\([^)]*\)/, ' ').replace(/\s+/g, ' ').trim();
  return { words, numbers };
}

export function readTypeParams(reading: ParamReading, numbers: number[]): Partial<CanonicalType> {
  const [first, second] = numbers;
  switch (reading) {
    case 'length':
      return first !== undefined ? { length: first } : {};
    case 'precision-scale':
      return first !== undefined ? { precision: first, scale: second ?? 0 } : {};
    case 'fraction':
      return first !== undefined ? { precision: first } : {};
    case 'none':
      return {};
  }
}
