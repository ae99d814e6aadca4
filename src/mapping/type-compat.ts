/**
 * The type-compatibility table: for a SQLite column paired with a PostgreSQL column,
 * whether values cross each way losslessly, lossily (with the reason) or not at all,
 * and the value transform the replicator applies. Data, not branches: add a row here
 * to teach the tool a new pair. See DESIGN.md "Replication semantics", Fidelity.
 *
 * "Lossless" means every value of the declared type has a faithful representation on
 * the other side; a value that does not match its declared type (text in an INTEGER
 * column) is the replicator's reject ledger's business, not a schema mismatch.
 */
import type { CanonicalKind, CanonicalType, Column } from '../model/schema.js';
import type { Transform } from './table-mapping.js';

export type CompatLevel = 'lossless' | 'lossy' | 'incompatible';

export interface DirectionCompat {
  level: CompatLevel;
  /** why, for lossy and incompatible: "REAL cannot hold numeric(12,2) exactly" */
  reason: string | null;
}

export interface PairCompat {
  toPostgres: DirectionCompat;
  toSqlite: DirectionCompat;
  transform: Transform;
}

/** PostgreSQL arrays are matched as one kind, whatever their element type. */
type PgKey = CanonicalKind | 'array';

/** `[level, reason template]`; templates use {sqlite}, {postgres}, {pgPrecision}, {pgScale}. */
type Rule = readonly [CompatLevel, string?];

interface CompatRow {
  sqlite: readonly CanonicalKind[];
  postgres: readonly PgKey[];
  toPostgres: Rule;
  toSqlite: Rule;
  transform: Transform;
  /** a row that only applies to some parameters (precision, scale) */
  when?: (sqlite: CanonicalType, pg: CanonicalType) => boolean;
}

const INTS = ['smallint', 'integer', 'bigint'] as const;
const TEXTS = ['text', 'varchar', 'char'] as const;
const FLOATS = ['real', 'double'] as const;
const TIMESTAMPS = ['timestamp', 'timestamptz'] as const;
const LOSSLESS: Rule = ['lossless'];

/** SQLite NUMERIC affinity keeps a decimal exactly only up to 15 significant digits. */
const SQLITE_EXACT_DIGITS = 15;
const fitsSqliteNumeric = (_s: CanonicalType, pg: CanonicalType): boolean =>
  pg.precision !== undefined && pg.precision <= SQLITE_EXACT_DIGITS;
const sqliteDecimalFitsPg = (s: CanonicalType, pg: CanonicalType): boolean =>
  pg.precision === undefined ||
  (s.precision !== undefined && s.precision - (s.scale ?? 0) <= pg.precision - (pg.scale ?? 0) && (s.scale ?? 0) <= (pg.scale ?? 0));

/** First matching row wins: put parameter-specific rows before general ones. */
export const TYPE_COMPAT: readonly CompatRow[] = [
  // integers: SQLite stores every INTEGER in 64 bits, so the PostgreSQL side sets the range.
  { sqlite: INTS, postgres: ['bigint'], toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'int8-bigint' },
  { sqlite: ['smallint', 'integer'], postgres: ['integer'], toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'none' },
  { sqlite: ['bigint'], postgres: ['integer'], toPostgres: ['lossy', 'SQLite {sqlite} values beyond ±2^31 do not fit {postgres}; such rows are rejected'], toSqlite: LOSSLESS, transform: 'none' },
  { sqlite: ['smallint'], postgres: ['smallint'], toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'none' },
  { sqlite: ['integer', 'bigint'], postgres: ['smallint'], toPostgres: ['lossy', 'SQLite {sqlite} values beyond ±32767 do not fit smallint; such rows are rejected'], toSqlite: LOSSLESS, transform: 'none' },
  { sqlite: INTS, postgres: ['numeric'], toPostgres: LOSSLESS, toSqlite: ['lossy', 'SQLite {sqlite} drops the fraction of {postgres}'], transform: 'decimal-text', when: (_s, pg) => (pg.scale ?? 0) === 0 },
  { sqlite: INTS, postgres: ['numeric'], toPostgres: LOSSLESS, toSqlite: ['lossy', 'SQLite {sqlite} cannot hold the fraction of {postgres}'], transform: 'decimal-text' },
  { sqlite: [...INTS, 'boolean'], postgres: ['boolean'], toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'bool-int' },
  { sqlite: ['boolean'], postgres: INTS, toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'none' },
  { sqlite: INTS, postgres: FLOATS, toPostgres: ['lossy', 'integers beyond 2^53 lose precision in {postgres}'], toSqlite: ['lossy', 'SQLite {sqlite} drops the fraction of {postgres}'], transform: 'none' },

  // decimals: exact text or NUMERIC affinity; REAL only approximates.
  { sqlite: ['numeric'], postgres: ['numeric'], toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'decimal-text', when: (s, pg) => fitsSqliteNumeric(s, pg) && sqliteDecimalFitsPg(s, pg) },
  { sqlite: ['numeric'], postgres: ['numeric'], toPostgres: LOSSLESS, toSqlite: ['lossy', 'SQLite {sqlite} keeps 15 significant digits; declare the column TEXT to keep {postgres} exact'], transform: 'decimal-text', when: sqliteDecimalFitsPg },
  { sqlite: ['numeric'], postgres: ['numeric'], toPostgres: ['lossy', 'SQLite {sqlite} values are rounded to {postgres}'], toSqlite: LOSSLESS, transform: 'decimal-text', when: fitsSqliteNumeric },
  { sqlite: ['numeric'], postgres: ['numeric'], toPostgres: ['lossy', 'SQLite {sqlite} values are rounded to {postgres}'], toSqlite: ['lossy', 'SQLite {sqlite} keeps 15 significant digits; declare the column TEXT to keep {postgres} exact'], transform: 'decimal-text' },
  { sqlite: TEXTS, postgres: ['numeric'], toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'decimal-text' },
  { sqlite: FLOATS, postgres: ['numeric'], toPostgres: ['lossy', 'binary floating-point values are rounded to {postgres}'], toSqlite: ['lossy', 'SQLite {sqlite} cannot hold {postgres} exactly'], transform: 'decimal-real' },
  { sqlite: ['numeric'], postgres: FLOATS, toPostgres: ['lossy', 'decimals are rounded to binary floating point in {postgres}'], toSqlite: LOSSLESS, transform: 'none' },

  // floating point
  { sqlite: FLOATS, postgres: ['double'], toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'none' },
  { sqlite: FLOATS, postgres: ['real'], toPostgres: ['lossy', 'PostgreSQL real keeps about 6 significant digits of SQLite {sqlite}'], toSqlite: LOSSLESS, transform: 'none' },

  // text-like values that SQLite stores as text
  { sqlite: [...TEXTS, 'untyped'], postgres: [...TEXTS, 'time', 'timetz', 'interval'], toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'none' },
  { sqlite: [...TEXTS, 'untyped'], postgres: ['uuid'], toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'uuid-text' },
  { sqlite: [...TEXTS, 'untyped'], postgres: ['enum'], toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'enum-text' },
  { sqlite: ['uuid'], postgres: ['uuid', ...TEXTS], toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'uuid-text' },
  { sqlite: [...TEXTS, 'json', 'jsonb'], postgres: ['json', 'jsonb'], toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'json-text' },
  { sqlite: ['json', 'jsonb'], postgres: TEXTS, toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'none' },
  { sqlite: [...TEXTS, 'json', 'jsonb'], postgres: ['array'], toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'array-json' },

  // dates and times: SQLite keeps them as text in the format the column already uses
  { sqlite: [...TIMESTAMPS, ...TEXTS], postgres: TIMESTAMPS, toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'timestamp-text' },
  { sqlite: ['date', ...TEXTS], postgres: ['date'], toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'date-text' },
  { sqlite: TIMESTAMPS, postgres: ['date'], toPostgres: ['lossy', 'the time of day in SQLite {sqlite} is dropped by PostgreSQL date'], toSqlite: LOSSLESS, transform: 'date-text' },
  { sqlite: ['date'], postgres: TIMESTAMPS, toPostgres: LOSSLESS, toSqlite: ['lossy', 'SQLite {sqlite} is meant for dates; the time of day of {postgres} would be kept as text'], transform: 'timestamp-text' },
  { sqlite: ['time'], postgres: ['time', 'timetz', ...TEXTS], toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'none' },
  { sqlite: TIMESTAMPS, postgres: TEXTS, toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'none' },

  // binary
  { sqlite: ['bytea', 'untyped'], postgres: ['bytea'], toPostgres: LOSSLESS, toSqlite: LOSSLESS, transform: 'bytea-blob' },
  { sqlite: TEXTS, postgres: ['bytea'], toPostgres: ['lossy', 'SQLite {sqlite} holds text; binary values may not be valid UTF-8'], toSqlite: ['lossy', 'binary {postgres} values stored in a SQLite {sqlite} column may not be valid UTF-8'], transform: 'bytea-blob' },

  // an untyped SQLite column takes anything, but may hand PostgreSQL values it rejects
  { sqlite: ['untyped'], postgres: [...INTS, 'numeric', ...FLOATS, 'boolean', 'json', 'jsonb', 'date', ...TIMESTAMPS, 'array'], toPostgres: ['lossy', 'an untyped SQLite column may hold values that {postgres} rejects'], toSqlite: LOSSLESS, transform: 'none' },

  // text in a numeric PostgreSQL column: numbers survive, other text is rejected
  { sqlite: TEXTS, postgres: [...INTS, ...FLOATS], toPostgres: ['lossy', 'SQLite {sqlite} text that is not a number is rejected by {postgres}'], toSqlite: LOSSLESS, transform: 'none' },
  { sqlite: [...INTS, 'numeric', ...FLOATS, 'boolean'], postgres: TEXTS, toPostgres: LOSSLESS, toSqlite: ['lossy', 'PostgreSQL {postgres} text that is not a number would be stored as text in SQLite {sqlite}'], transform: 'none' },
];

const INCOMPATIBLE = 'SQLite {sqlite} and PostgreSQL {postgres} hold different kinds of values';

function render(template: string, sqlite: Column, pg: Column): string {
  return template
    .replaceAll('{sqlite}', sqlite.declaredType || 'untyped')
    .replaceAll('{postgres}', pg.declaredType)
    .replaceAll('{pgPrecision}', String(pg.type.precision ?? ''))
    .replaceAll('{pgScale}', String(pg.type.scale ?? ''));
}

function direction(rule: Rule, sqlite: Column, pg: Column): DirectionCompat {
  const [level, template] = rule;
  return { level, reason: template ? render(template, sqlite, pg) : null };
}

export function pgKey(type: CanonicalType): PgKey {
  return type.array ? 'array' : type.kind;
}

/** How values of a SQLite column and its paired PostgreSQL column cross each way. */
export function compareTypes(sqlite: Column, pg: Column): PairCompat {
  const key = pgKey(pg.type);
  const row = TYPE_COMPAT.find(
    (r) => r.sqlite.includes(sqlite.type.kind) && r.postgres.includes(key) && (!r.when || r.when(sqlite.type, pg.type)),
  );
  if (!row) {
    const incompatible = direction(['incompatible', INCOMPATIBLE], sqlite, pg);
    return { toPostgres: incompatible, toSqlite: incompatible, transform: 'none' };
  }
  return {
    toPostgres: direction(row.toPostgres, sqlite, pg),
    toSqlite: direction(row.toSqlite, sqlite, pg),
    transform: row.transform,
  };
}
