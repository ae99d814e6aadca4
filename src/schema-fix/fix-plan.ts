/**
 * The fix plan: the statements that align a SQLite database with PostgreSQL under the
 * mappings, grouped by table, with the data checks that must pass before they run.
 * Planned by plan-sqlite-fix.ts, rendered as scripts/fix-sqlite-schema.sql by
 * render-fix-script.ts, applied (after a backup, in one transaction) by apply-fix-script.ts.
 */

export interface FixStatement {
  sql: string;
  comment: string | null;
}

export interface PreCheck {
  kind: 'not_null' | 'foreign_key' | 'primary_key';
  table: string;
  column: string | null;
  /** SELECT returning one row {n: number}: rows that would make the fix fail */
  sql: string;
  /** e.g. "customers.email holds NULL but PostgreSQL declares it NOT NULL" */
  describe: string;
}

export interface TableFix {
  /** SQLite name */
  table: string;
  action: 'create' | 'add_columns' | 'rebuild' | 'index';
  /** the drift it fixes, human text */
  reasons: string[];
  statements: FixStatement[];
  preChecks: PreCheck[];
}

export interface FixPlan {
  tables: TableFix[];
  /** drift the script does not touch, with why (e.g. SQLite-only columns are kept; PostgreSQL-side findings) */
  leftAlone: string[];
}

/**
 * What the schema model does not carry but a faithful table rebuild needs: the stored
 * SQL of the table, its indexes and its triggers (12-step procedure, steps 3 and 8).
 * Read by readSqliteSchemaSource(); optional input to planSqliteFix().
 */
export interface SqliteTableSource {
  /** CREATE TABLE text from sqlite_master */
  createSql: string | null;
  /** explicit indexes (CREATE INDEX), with their stored SQL */
  indexes: { name: string; sql: string }[];
  triggers: { name: string; sql: string }[];
  /** COLLATE of each column that declares one, keyed by lower-cased column name */
  collations: Record<string, string>;
}

/** Keyed by SQLite table name. */
export type SqliteSchemaSource = ReadonlyMap<string, SqliteTableSource>;
