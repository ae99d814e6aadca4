/**
 * SQLite type knowledge as data: what a declared column type means (its intent, e.g.
 * DECIMAL(12,2) is money even though SQLite stores it with NUMERIC affinity), which
 * affinity SQLite gives it, and what to declare for a PostgreSQL type.
 */
import type { CanonicalKind, CanonicalType } from '../../model/schema.js';
import { readTypeParams, splitTypeText, type ParamReading } from './type-text.js';

interface SqliteTypeRow {
  /** matched against the upper-cased name with parameters removed and spaces collapsed */
  pattern: RegExp;
  kind: CanonicalKind;
  params: ParamReading;
}

/** First match wins. Parameters a row does not read (INT(11), TEXT(100)) are ignored. */
const DECLARED_TYPES: readonly SqliteTypeRow[] = [
  { pattern: /^(INT|INTEGER|MEDIUMINT|INT4|SIGNED INT|SIGNED INTEGER)$/, kind: 'integer', params: 'none' },
  { pattern: /^(BIGINT|INT8|UNSIGNED BIG INT|UNSIGNED BIGINT|BIG INT)$/, kind: 'bigint', params: 'none' },
  { pattern: /^(SMALLINT|TINYINT|INT2)$/, kind: 'smallint', params: 'none' },
  { pattern: /^(DECIMAL|NUMERIC|DEC)$/, kind: 'numeric', params: 'precision-scale' },
  { pattern: /^(FLOAT4)$/, kind: 'real', params: 'none' },
  // SQLite's REAL is an 8-byte IEEE double whatever the name says.
  { pattern: /^(REAL|DOUBLE|DOUBLE PRECISION|FLOAT|FLOAT8)$/, kind: 'double', params: 'none' },
  { pattern: /^(BOOLEAN|BOOL)$/, kind: 'boolean', params: 'none' },
  { pattern: /^(TIMESTAMPTZ|TIMESTAMP WITH TIME ZONE|DATETIMETZ)$/, kind: 'timestamptz', params: 'fraction' },
  { pattern: /^(DATETIME|TIMESTAMP|TIMESTAMP WITHOUT TIME ZONE)$/, kind: 'timestamp', params: 'fraction' },
  { pattern: /^DATE$/, kind: 'date', params: 'none' },
  { pattern: /^(TIMETZ|TIME WITH TIME ZONE)$/, kind: 'timetz', params: 'fraction' },
  { pattern: /^(TIME|TIME WITHOUT TIME ZONE)$/, kind: 'time', params: 'fraction' },
  { pattern: /^INTERVAL$/, kind: 'interval', params: 'none' },
  { pattern: /^(TEXT|CLOB|NTEXT|LONGTEXT|MEDIUMTEXT|TINYTEXT)$/, kind: 'text', params: 'none' },
  {
    pattern: /^(VARCHAR|CHARACTER VARYING|NVARCHAR|VARYING CHARACTER|NATIONAL CHARACTER VARYING|VARCHAR2|NVARCHAR2)$/,
    kind: 'varchar',
    params: 'length',
  },
  { pattern: /^(CHAR|CHARACTER|NCHAR|NATIVE CHARACTER|NATIONAL CHARACTER)$/, kind: 'char', params: 'length' },
  { pattern: /^(BLOB|BYTEA|BINARY|VARBINARY|LONGBLOB)$/, kind: 'bytea', params: 'none' },
  { pattern: /^JSON$/, kind: 'json', params: 'none' },
  { pattern: /^JSONB$/, kind: 'jsonb', params: 'none' },
  { pattern: /^(UUID|GUID|UNIQUEIDENTIFIER)$/, kind: 'uuid', params: 'none' },
];

/** The canonical type a SQLite declared type stands for. */
export function parseSqliteType(declared: string): CanonicalType {
  if (declared.trim() === '') return { kind: 'untyped' };
  const { words, numbers } = splitTypeText(declared);
  const base = words.toUpperCase();
  const row = DECLARED_TYPES.find((r) => r.pattern.test(base));
  if (!row) return { kind: 'unknown' };
  return { kind: row.kind, ...readTypeParams(row.params, numbers) };
}

export type SqliteAffinity = 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC';

/** https://www.sqlite.org/datatype3.html section 3.1, in its order; first match wins. */
const AFFINITY_RULES: readonly { contains: readonly string[]; affinity: SqliteAffinity }[] = [
  { contains: ['INT'], affinity: 'INTEGER' },
  { contains: ['CHAR', 'CLOB', 'TEXT'], affinity: 'TEXT' },
  { contains: ['BLOB'], affinity: 'BLOB' },
  { contains: ['REAL', 'FLOA', 'DOUB'], affinity: 'REAL' },
];

export function sqliteAffinity(declared: string): SqliteAffinity {
  const upper = declared.toUpperCase();
  if (upper.trim() === '') return 'BLOB'; // rule 3: no declared type
  const rule = AFFINITY_RULES.find((r) => r.contains.some((s) => upper.includes(s)));
  return rule ? rule.affinity : 'NUMERIC';
}

/**
 * Largest numeric precision NUMERIC affinity keeps exactly: SQLite converts such
 * text to a REAL (8-byte double, 15 significant digits), so wider decimals go to TEXT.
 */
const MAX_EXACT_NUMERIC_PRECISION = 15;

/**
 * What a careful SQLite app declares for each canonical kind. Types with NUMERIC
 * affinity are avoided for text-shaped values (uuid, json): SQLite would turn '123'
 * into an integer.
 */
const DECLARE_FOR: Record<CanonicalKind, (t: CanonicalType) => string> = {
  smallint: () => 'INTEGER',
  integer: () => 'INTEGER',
  bigint: () => 'BIGINT',
  numeric: (t) => {
    if (t.precision === undefined || t.precision > MAX_EXACT_NUMERIC_PRECISION) return 'TEXT';
    return `NUMERIC(${t.precision},${t.scale ?? 0})`;
  },
  real: () => 'REAL',
  double: () => 'REAL',
  boolean: () => 'BOOLEAN',
  text: () => 'TEXT',
  varchar: (t) => (t.length !== undefined ? `VARCHAR(${t.length})` : 'TEXT'),
  char: (t) => (t.length !== undefined ? `CHAR(${t.length})` : 'TEXT'),
  uuid: () => 'TEXT',
  json: () => 'TEXT',
  jsonb: () => 'TEXT',
  bytea: () => 'BLOB',
  date: () => 'DATE',
  time: () => 'TEXT',
  timetz: () => 'TEXT',
  timestamp: () => 'DATETIME',
  timestamptz: () => 'DATETIME',
  interval: () => 'TEXT',
  enum: () => 'TEXT',
  untyped: () => '',
  unknown: () => 'TEXT',
};

/** The declared type to write in a SQLite CREATE TABLE / ADD COLUMN for `type`. */
export function sqliteDeclaredTypeFor(type: CanonicalType): string {
  if (type.array) return 'TEXT'; // arrays travel as JSON text
  return DECLARE_FOR[type.kind](type);
}
