/**
 * What the writers, the parent check and the state store ask of a SQLite file's catalog
 * by table name: does the table exist, and the CREATE TABLE text it was made with (for
 * what the pragmas do not report: WITHOUT ROWID, ON CONFLICT clauses, deferrable FKs).
 */
import type Database from 'better-sqlite3';

/** Whether `name` is a table of the file (views and indexes are not). */
export function sqliteTableExists(db: Database.Database, name: string): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;
}

/** The table's CREATE TABLE text as SQLite keeps it; '' when there is no such table. */
export function sqliteTableSql(db: Database.Database, name: string): string {
  return String(db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`).pluck().get(name) ?? '');
}
