/**
 * The sample point-of-sale schema pair (tests/fixtures/pos): a central PostgreSQL
 * database and a terminal's drifted SQLite file. Tests, the fix-script example and
 * `replicate demo` load it from here. README.md in that folder lists the planted drift.
 */
import Database from 'better-sqlite3';
import type pg from 'pg';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { errorCode, FileMissingError, QueryError } from '../errors.js';

export interface PosFixturePaths {
  postgresSchema: string;
  sqliteSchema: string;
  sqliteData: string;
  postgresData: string;
  /** optional extra rows: customers without an email (the NOT NULL fix is refused) */
  sqliteNullEmails: string;
}

/**
 * Both src/demo/ (tests) and dist/demo/ (the installed package) sit two levels below
 * the package root, and the package ships tests/fixtures/pos, so one relative URL works.
 */
const fixtureDir = new URL('../../tests/fixtures/pos/', import.meta.url);

export function posFixturePaths(): PosFixturePaths {
  const path = (name: string): string => fileURLToPath(new URL(name, fixtureDir));
  return {
    postgresSchema: path('postgres.sql'),
    sqliteSchema: path('sqlite.sql'),
    sqliteData: path('sqlite-data.sql'),
    postgresData: path('postgres-data.sql'),
    sqliteNullEmails: path('sqlite-data-null-emails.sql'),
  };
}

function readFixture(path: string): string {
  if (!existsSync(path)) throw new FileMissingError(path, 'POS sample fixture file');
  return readFileSync(path, 'utf8');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Create the terminal database: schema (and rows) in one transaction, FKs enforced. */
function loadSqlite(sqlitePath: string, scripts: string[]): void {
  if (existsSync(sqlitePath) && statSync(sqlitePath).size > 0) {
    // loading on top of an existing database would mix rows; refuse rather than guess
    throw new QueryError(`${sqlitePath} already exists and is not empty; the POS fixture needs a new file`, 'sqlite', null, null);
  }
  const db = new Database(sqlitePath);
  try {
    db.pragma('foreign_keys = ON');
    db.exec('BEGIN');
    try {
      for (const sql of scripts) db.exec(sql);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw new QueryError(`loading the POS fixture into ${sqlitePath} failed: ${errorText(err)}`, 'sqlite', null, null, { cause: err });
    }
  } finally {
    db.close();
  }
}

/** Create the central database in the client's current database, all or nothing. */
async function loadPostgres(client: pg.Client, scripts: string[]): Promise<void> {
  await client.query('BEGIN');
  try {
    for (const sql of scripts) await client.query(sql);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw new QueryError(`loading the POS fixture into PostgreSQL failed: ${errorText(err)}`, 'postgres', null, errorCode(err) ?? null, {
      cause: err,
    });
  }
}

/**
 * Create both sides of the sample: the drifted terminal database at `sqlitePath` (a new
 * file) and the central schema in `pg`'s database (schema `public`, which must not yet
 * hold these tables). `withData` (default true) also loads the sample rows.
 */
export async function loadPosFixture(opts: { sqlitePath: string; pg: pg.Client; withData?: boolean }): Promise<void> {
  const paths = posFixturePaths();
  const withData = opts.withData ?? true;
  const sqliteScripts = [readFixture(paths.sqliteSchema)];
  const pgScripts = [readFixture(paths.postgresSchema)];
  if (withData) {
    sqliteScripts.push(readFixture(paths.sqliteData));
    pgScripts.push(readFixture(paths.postgresData));
  }
  loadSqlite(opts.sqlitePath, sqliteScripts);
  await loadPostgres(opts.pg, pgScripts);
}
