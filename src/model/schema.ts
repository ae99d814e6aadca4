/**
 * The one normalized schema model that both introspectors fill and everything else
 * reads. Dialect-specific knowledge stops at the introspector; see DESIGN.md
 * "The three jobs", 1.
 */

export type Side = 'sqlite' | 'postgres';

/**
 * Canonical type kinds, named after PostgreSQL's types because they are the richer
 * set. A SQLite declared type is parsed into the kind it means (DECIMAL(12,2) ->
 * numeric 12,2; DATETIME -> timestamp), see src/mapping/types/.
 */
export type CanonicalKind =
  | 'smallint'
  | 'integer'
  | 'bigint'
  | 'numeric'
  | 'real'
  | 'double'
  | 'boolean'
  | 'text'
  | 'varchar'
  | 'char'
  | 'uuid'
  | 'json'
  | 'jsonb'
  | 'bytea'
  | 'date'
  | 'time'
  | 'timetz'
  | 'timestamp'
  | 'timestamptz'
  | 'interval'
  | 'enum'
  | 'untyped' // SQLite column declared without a type (BLOB affinity, holds anything)
  | 'unknown'; // a type we do not know (PostgreSQL geometry, a SQLite "FOO" type)

export interface CanonicalType {
  kind: CanonicalKind;
  /** numeric precision, varchar/char length, time/timestamp fractional digits */
  precision?: number;
  scale?: number;
  length?: number;
  /** true for a PostgreSQL array of `kind` (e.g. text[]) */
  array?: boolean;
  /** labels for kind 'enum' */
  enumValues?: string[];
  /** PostgreSQL domain name when the column is declared with a domain over `kind` */
  domain?: string;
}

export type FkAction = 'NO ACTION' | 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'SET DEFAULT';

export interface GeneratedSpec {
  /** SQLite has VIRTUAL and STORED; PostgreSQL 15 only STORED */
  storage: 'stored' | 'virtual';
  expression: string;
}

export interface Column {
  name: string;
  /** 1-based position in the table */
  ordinal: number;
  /** the type as written in the database: 'DATETIME', 'numeric(12,2)', 'character varying(40)' */
  declaredType: string;
  type: CanonicalType;
  nullable: boolean;
  /** default expression as the database reports it, or null */
  default: string | null;
  generated: GeneratedSpec | null;
  /**
   * Values filled by the database: PostgreSQL identity ('always' | 'by default'),
   * serial (nextval default) reported as 'by default', and SQLite's INTEGER PRIMARY
   * KEY rowid alias reported as 'by default'.
   */
  identity: 'always' | 'by default' | null;
}

export interface ForeignKey {
  /** constraint name when the database has one (SQLite FKs are unnamed) */
  name: string | null;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: FkAction;
  onUpdate: FkAction;
}

export interface Index {
  name: string;
  /** column names in key order; an expression key is kept as its text in `expressions` */
  columns: string[];
  expressions: string[];
  unique: boolean;
  /** 'pk' and 'unique' indexes back a constraint; 'index' is a plain CREATE INDEX */
  origin: 'pk' | 'unique' | 'index';
  partial: boolean;
}

export interface CheckConstraint {
  name: string | null;
  expression: string;
}

export interface Table {
  name: string;
  columns: Column[];
  /** primary key columns in key order, or null when the table has none */
  primaryKey: string[] | null;
  uniques: string[][];
  foreignKeys: ForeignKey[];
  indexes: Index[];
  checks: CheckConstraint[];
}

export interface SchemaModel {
  side: Side;
  /** PostgreSQL schema name ('public' by default); 'main' for SQLite */
  schema: string;
  /** sorted by name */
  tables: Table[];
}

export function findTable(model: SchemaModel, name: string): Table | undefined {
  return model.tables.find((t) => t.name === name);
}

export function findColumn(table: Table, name: string): Column | undefined {
  return table.columns.find((c) => c.name === name);
}
