/**
 * What a SQLite table's own definition says that its writers must respect: which columns
 * are its rowid or generated, which UNIQUE index an upsert can name, and whether it
 * declares its own conflict handling. Read from SQLite's pragmas and the table's SQL.
 */
import type Database from 'better-sqlite3';
import { sqliteTableSql } from '../../introspect/sqlite-catalog.js';

/** Is there a UNIQUE index (or primary key) on exactly these columns, so ON CONFLICT can use it? */
export function hasUniqueOn(db: Database.Database, table: string, columns: readonly string[]): boolean {
  const want = [...columns].sort().join('\u0000');
  const info = db.prepare(`SELECT name, pk FROM pragma_table_xinfo(?) WHERE pk > 0 ORDER BY pk`).all(table) as { name: string; pk: number }[];
  if (info.length > 0 && info.map((c) => c.name).sort().join('\u0000') === want) return true;
  const indexes = db.prepare(`SELECT name FROM pragma_index_list(?) WHERE "unique" = 1 AND partial = 0`).pluck().all(table) as string[];
  return indexes.some((name) => {
    const cols = db.prepare(`SELECT name FROM pragma_index_info(?)`).pluck().all(name) as (string | null)[];
    return cols.every((c) => c !== null) && cols.sort().join('\u0000') === want;
  });
}

/** Generated columns cannot be written: hidden 2 (virtual) or 3 (stored) in table_xinfo. */
export function generatedColumns(db: Database.Database, table: string): Set<string> {
  return new Set(db.prepare(`SELECT name FROM pragma_table_xinfo(?) WHERE hidden IN (2, 3)`).pluck().all(table) as string[]);
}

/** The column that is the table's rowid (a lone INTEGER PRIMARY KEY), or null. */
export function rowidAlias(db: Database.Database, table: string): string | null {
  const pk = db.prepare(`SELECT name, type FROM pragma_table_xinfo(?) WHERE pk > 0`).all(table) as { name: string; type: string }[];
  const withoutRowid = /\bWITHOUT\s+ROWID\b/i.test(sqliteTableSql(db, table));
  return pk.length === 1 && pk[0]?.type.toUpperCase() === 'INTEGER' && !withoutRowid ? pk[0].name : null;
}

/**
 * `OR FAIL ` for a plain load's multi-row INSERT, unless the table declares its own
 * conflict handling. A multi-row INSERT that may stop halfway (ABORT, the default) runs
 * under a statement journal: before each statement changes a page, SQLite copies the
 * page to the transaction's sub-journal, which outgrows its 64 KiB in memory within a
 * batch (the batch's savepoint keeps it open) and goes to a temp file: about 240,000 page
 * writes (1 GB) in the bench's 1M-row load. FAIL keeps the rows a refused statement
 * wrote before the refusal, so SQLite needs no statement journal; the batch's own
 * savepoint (writeRows) is what undoes a refused batch, as it always did, before its rows
 * are written one by one (plain INSERTs). A table whose CREATE TABLE says ON CONFLICT
 * (IGNORE, REPLACE, ...) keeps the plain INSERT: the statement's clause would override the
 * table's, and every batch holding such a conflict would go row by row.
 */
export function manyRowsConflict(db: Database.Database, table: string): string {
  return /\bON\s+CONFLICT\b/i.test(sqliteTableSql(db, table)) ? '' : 'OR FAIL ';
}
