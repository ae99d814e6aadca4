/**
 * PostgreSQL type knowledge as data: what a format_type() name means as a canonical
 * type, and what to declare in PostgreSQL for a canonical type (used when tables are
 * created from a SQLite schema).
 */
import type { CanonicalKind, CanonicalType } from '../../model/schema.js';
import { readTypeParams, splitTypeText, type ParamReading } from './type-text.js';

interface PostgresTypeRow {
  /** matched against the lower-cased format_type() text with parameters removed */
  pattern: RegExp;
  kind: CanonicalKind;
  params: ParamReading;
}

/** format_type() spells the SQL-standard names; the aliases cover hand-written input. */
const FORMATTED_TYPES: readonly PostgresTypeRow[] = [
  { pattern: /^(smallint|int2)$/, kind: 'smallint', params: 'none' },
  { pattern: /^(integer|int|int4)$/, kind: 'integer', params: 'none' },
  { pattern: /^(bigint|int8)$/, kind: 'bigint', params: 'none' },
  { pattern: /^(numeric|decimal)$/, kind: 'numeric', params: 'precision-scale' },
  { pattern: /^(real|float4)$/, kind: 'real', params: 'none' },
  { pattern: /^(double precision|float8|float)$/, kind: 'double', params: 'none' },
  { pattern: /^(boolean|bool)$/, kind: 'boolean', params: 'none' },
  // citext and name compare differently but hold plain text.
  { pattern: /^(text|citext|name)$/, kind: 'text', params: 'none' },
  { pattern: /^(character varying|varchar)$/, kind: 'varchar', params: 'length' },
  { pattern: /^(character|char|bpchar)$/, kind: 'char', params: 'length' },
  { pattern: /^uuid$/, kind: 'uuid', params: 'none' },
  { pattern: /^json$/, kind: 'json', params: 'none' },
  { pattern: /^jsonb$/, kind: 'jsonb', params: 'none' },
  { pattern: /^bytea$/, kind: 'bytea', params: 'none' },
  { pattern: /^date$/, kind: 'date', params: 'none' },
  { pattern: /^(time|time without time zone)$/, kind: 'time', params: 'fraction' },
  { pattern: /^(timetz|time with time zone)$/, kind: 'timetz', params: 'fraction' },
  { pattern: /^(timestamp|timestamp without time zone)$/, kind: 'timestamp', params: 'fraction' },
  { pattern: /^(timestamptz|timestamp with time zone)$/, kind: 'timestamptz', params: 'fraction' },
  // "interval", "interval day to second(3)", ...
  { pattern: /^interval( .*)?$/, kind: 'interval', params: 'none' },
];

/** typtype letters from pg_type that decide the kind before the name does */
const KIND_BY_TYPTYPE: Readonly<Record<string, CanonicalKind>> = { e: 'enum' };

function parseScalar(formatted: string, typtype: string | undefined, enumValues: string[] | undefined): CanonicalType {
  const byTyptype = typtype !== undefined ? KIND_BY_TYPTYPE[typtype] : undefined;
  if (byTyptype === 'enum') return { kind: 'enum', enumValues: enumValues ?? [] };
  const { words, numbers } = splitTypeText(formatted);
  // format_type() qualifies a type outside the search_path: public.citext -> citext
  const base = words.toLowerCase().replace(/^[a-z_][a-z0-9_$]*\./, '');
  const row = FORMATTED_TYPES.find((r) => r.pattern.test(base));
  if (!row) return { kind: 'unknown' };
  return { kind: row.kind, ...readTypeParams(row.params, numbers) };
}

/**
 * The canonical type of a PostgreSQL column. `formatted` is format_type() of the
 * column's type, or of the domain's base type when `domain` is given; for arrays
 * `typtype`/`enumValues` describe the element and `elementFormatted` is its
 * format_type() (otherwise the "[]" is stripped from `formatted`).
 */
export function parsePostgresType(input: {
  formatted: string;
  typtype?: string;
  enumValues?: string[];
  domain?: string;
  elementFormatted?: string;
}): CanonicalType {
  const trimmed = input.formatted.trim();
  const isArray = trimmed.endsWith('[]');
  const scalarText = isArray ? (input.elementFormatted ?? trimmed.replace(/(\[\])+$/, '')) : trimmed;
  const type = parseScalar(scalarText, input.typtype, input.enumValues);
  if (isArray) type.array = true;
  if (input.domain) type.domain = input.domain;
  return type;
}

/** What to declare in PostgreSQL for each canonical kind. */
const DECLARE_FOR: Record<CanonicalKind, (t: CanonicalType) => string> = {
  smallint: () => 'smallint',
  integer: () => 'integer',
  bigint: () => 'bigint',
  numeric: (t) =>
    t.precision === undefined ? 'numeric' : t.scale ? `numeric(${t.precision},${t.scale})` : `numeric(${t.precision})`,
  real: () => 'real',
  double: () => 'double precision',
  boolean: () => 'boolean',
  text: () => 'text',
  varchar: (t) => (t.length !== undefined ? `character varying(${t.length})` : 'character varying'),
  char: (t) => (t.length !== undefined ? `character(${t.length})` : 'character(1)'),
  uuid: () => 'uuid',
  json: () => 'json',
  jsonb: () => 'jsonb',
  bytea: () => 'bytea',
  date: () => 'date',
  time: (t) => (t.precision !== undefined ? `time(${t.precision}) without time zone` : 'time without time zone'),
  timetz: (t) => (t.precision !== undefined ? `time(${t.precision}) with time zone` : 'time with time zone'),
  timestamp: (t) =>
    t.precision !== undefined ? `timestamp(${t.precision}) without time zone` : 'timestamp without time zone',
  timestamptz: (t) =>
    t.precision !== undefined ? `timestamp(${t.precision}) with time zone` : 'timestamp with time zone',
  interval: () => 'interval',
  // The enum type itself may not exist on the target; its labels still fit in text.
  enum: () => 'text',
  // An untyped SQLite column or a type we do not know: text keeps what was written.
  untyped: () => 'text',
  unknown: () => 'text',
};

/** The PostgreSQL type to declare for `type` (a domain is declared as its base type). */
export function postgresDeclaredTypeFor(type: CanonicalType): string {
  const scalar = DECLARE_FOR[type.kind](type);
  return type.array ? `${scalar}[]` : scalar;
}
