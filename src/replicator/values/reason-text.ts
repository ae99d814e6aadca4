/**
 * How a reject's reason names a PostgreSQL column's type and quotes the SQLite value it
 * refused, the same way in every conversion and source check.
 */
import type { CanonicalType } from '../../model/schema.js';
import type { SqliteValue } from './codec.js';

const LABELS: Partial<Record<CanonicalType['kind'], string>> = { double: 'double precision', timestamptz: 'timestamptz' };

/** 'numeric(12,2)', 'character varying(40)', 'integer': how the reason names the type. */
export function typeLabel(t: CanonicalType): string {
  let label: string = LABELS[t.kind] ?? t.kind;
  if (t.kind === 'numeric' && t.precision !== undefined) label += `(${t.precision},${t.scale ?? 0})`;
  if ((t.kind === 'varchar' || t.kind === 'char') && t.length !== undefined) label += `(${t.length})`;
  return t.array ? `${label}[]` : label;
}

const SHOWN_CHARS = 40;

/** A value as a reason quotes it: text in quotes (cut short), numbers as they are. */
export function showValue(v: SqliteValue): string {
  if (v === null) return 'NULL';
  if (Buffer.isBuffer(v)) return `a ${v.length}-byte BLOB`;
  if (typeof v !== 'string') return String(v);
  const cut = v.length > SHOWN_CHARS ? v.slice(0, SHOWN_CHARS) + '…' : v;
  return `'${cut.replace(/\u0000/g, '\\0')}'`;
}

/** A value as a reason names it: "text 'abc'", "value 12", "value a 16-byte BLOB". */
export const describeValue = (v: SqliteValue): string => (typeof v === 'string' ? `text ${showValue(v)}` : `value ${showValue(v)}`);
