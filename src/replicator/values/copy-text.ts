/**
 * One row of PostgreSQL's COPY text format (the default of COPY ... FROM STDIN): values
 * separated by tabs, NULL as \N, and backslash, tab, newline and carriage return
 * escaped, so any text (a note with a newline, a path with backslashes) arrives as it was.
 */
import type { PgText } from './codec.js';

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES = /[\\\t\n\r]/g;
const ESCAPED: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value as COPY text carries it. */
export function escapeCopyText(value: string): string {
  // most values need nothing: test before paying for a replace
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPES, (c) => ESCAPED[c] ?? c) : value;
}

/** The line for one row, '\n' included. Values never hold NUL: the codecs reject it first. */
export function encodeCopyRow(values: readonly PgText[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) line += '\t';
    line += v === null || v === undefined ? '\\N' : escapeCopyText(v);
  }
  return line + '\n';
}

