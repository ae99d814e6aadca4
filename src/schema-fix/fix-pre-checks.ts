/**
 * The data checks a fix must pass before it runs: each is one SELECT returning {n}, the
 * rows that would make the change fail (NULLs under a new NOT NULL, orphans under a new
 * foreign key, duplicates under a new primary key). They run against the table as it is.
 */
import { quoteIdent } from '../sql/quote.js';
import type { PreCheck } from './fix-plan.js';

const q = quoteIdent;
const list = (cols: readonly string[]): string => `(${cols.join(', ')})`;

export function notNullCheck(table: string, column: string): PreCheck {
  return {
    kind: 'not_null',
    table,
    column,
    sql: `SELECT count(*) AS n FROM ${q(table)} WHERE ${q(column)} IS NULL`,
    describe: `${table}.${column} holds NULL but PostgreSQL declares it NOT NULL`,
  };
}

export function primaryKeyNullCheck(table: string, column: string, key: readonly string[]): PreCheck {
  return {
    kind: 'not_null',
    table,
    column,
    sql: `SELECT count(*) AS n FROM ${q(table)} WHERE ${q(column)} IS NULL`,
    describe: `${table}.${column} holds NULL but is part of the primary key ${list(key)} PostgreSQL declares`,
  };
}

/** A key column SQLite does not have yet: every existing row would get NULL in it. */
export function newKeyColumnCheck(table: string, column: string): PreCheck {
  return {
    kind: 'primary_key',
    table,
    column,
    sql: `SELECT count(*) AS n FROM ${q(table)}`,
    describe: `${table}.${column} is missing in SQLite and part of PostgreSQL's primary key, so existing rows have no value for it`,
  };
}

/** Rows whose key value is shared with another row. */
export function duplicateKeyCheck(table: string, key: readonly string[]): PreCheck {
  const cols = key.map(q).join(', ');
  return {
    kind: 'primary_key',
    table,
    column: key.length === 1 ? (key[0] ?? null) : null,
    sql: `SELECT coalesce(sum(c), 0) AS n FROM (SELECT count(*) AS c FROM ${q(table)} GROUP BY ${cols} HAVING count(*) > 1)`,
    describe: `${table} has rows sharing the same ${list(key)}, the primary key PostgreSQL declares`,
  };
}

export interface OrphanCheckInput {
  table: string;
  columns: readonly string[];
  parent: string;
  parentColumns: readonly string[];
  /** false when the parent table or its key columns do not exist yet: every non-NULL child value is then an orphan */
  parentExists: boolean;
}

/** Child rows (all FK columns non-NULL, as SQLite checks them) with no parent row. */
export function orphanCheck(fk: OrphanCheckInput): PreCheck {
  const notNull = fk.columns.map((c) => `c.${q(c)} IS NOT NULL`).join(' AND ');
  const first = fk.parentColumns[0] ?? '';
  const on = fk.columns.map((c, i) => `p.${q(fk.parentColumns[i] ?? '')} = c.${q(c)}`).join(' AND ');
  const sql = fk.parentExists
    ? `SELECT count(*) AS n FROM ${q(fk.table)} AS c LEFT JOIN ${q(fk.parent)} AS p ON ${on} WHERE p.${q(first)} IS NULL AND ${notNull}`
    : `SELECT count(*) AS n FROM ${q(fk.table)} AS c WHERE ${notNull}`;
  const cols = fk.columns.length === 1 ? `.${fk.columns[0] ?? ''}` : list(fk.columns);
  return {
    kind: 'foreign_key',
    table: fk.table,
    column: fk.columns.length === 1 ? (fk.columns[0] ?? null) : null,
    sql,
    describe: `${fk.table}${cols} holds values missing from ${fk.parent}${list(fk.parentColumns)}, which PostgreSQL requires (foreign key)`,
  };
}
