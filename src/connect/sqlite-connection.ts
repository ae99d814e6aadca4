/**
 * Opening a SQLite file the way every part of replicate expects: a clear error for a
 * missing file or a file that is not SQLite (better-sqlite3 would otherwise create an
 * empty database, or fail later with SQLITE_NOTADB), foreign keys enforced, and a busy
 * timeout so the app that owns the file can keep writing while we sync.
 */
import type Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ConnectionError, errorCode, FileMissingError, NotSqliteError, SqliteBusyError } from '../errors.js';

/** Every SQLite 3 database file starts with these 16 bytes (fileformat2.html, 1.3). */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** How long a statement waits for another process's write lock on the file before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * better-sqlite3 is CommonJS. Node 20 imports a CommonJS package into an ES module by first
 * scanning its files for their exports (cjs-module-lexer), then loading them; require()
 * only loads them: about 10 ms less of a quick incremental run's start (bench case d).
 */
const requireCjs = createRequire(import.meta.url);
let driver: typeof Database | null = null;

/**
 * The addon file, when it is where an install builds it (build/Release) and no file that
 * the `bindings` package tries before it exists (build/, build/Debug/): the file better-sqlite3
 * would load anyway. Without it, better-sqlite3 finds the addon through `bindings`, which
 * captures a stack trace to find the package and requires candidate paths until one loads:
 * 4-30 ms of every start on this machine (bench case d). Anything else: undefined, and
 * better-sqlite3 searches as it always does.
 */
let addonPath: string | undefined | null = null;
function nativeBinding(): string | undefined {
  if (addonPath !== null) return addonPath;
  addonPath = undefined;
  try {
    const build = join(dirname(requireCjs.resolve('better-sqlite3/package.json')), 'build');
    const file = 'better_sqlite3.node';
    if (existsSync(join(build, 'Release', file)) && !existsSync(join(build, file)) && !existsSync(join(build, 'Debug', file))) addonPath = join(build, 'Release', file);
  } catch {
    // not resolvable from here (bundled elsewhere): better-sqlite3's own search
  }
  return addonPath;
}

function isInMemory(path: string): boolean {
  return path === ':memory:' || path === '';
}

/** Reads the first bytes; returns why the file is not SQLite, or null when it is. */
function notSqliteReason(path: string): string | null {
  const stat = statSync(path);
  if (stat.isDirectory()) return 'it is a directory';
  if (stat.size === 0) return 'the file is empty';
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    const read = readSync(fd, head, 0, head.length, 0);
    if (read < head.length) return `the file is only ${stat.size} bytes long`;
  } finally {
    closeSync(fd);
  }
  return head.equals(SQLITE_HEADER) ? null : 'it does not start with the SQLite file header';
}

function fileExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

export function openSqlite(path: string, opts: { readonly?: boolean; create?: boolean } = {}): Database.Database {
  const readonly = opts.readonly ?? false;
  const create = (opts.create ?? false) && !readonly;
  if (!isInMemory(path)) {
    if (!fileExists(path)) {
      if (!create) throw new FileMissingError(path, 'SQLite database');
    } else {
      const reason = notSqliteReason(path);
      // An empty file is what some tools leave behind for a database to be; only
      // accept it when asked to create one.
      const emptyAndCreating = reason === 'the file is empty' && create;
      if (reason && !emptyAndCreating) throw new NotSqliteError(path, reason);
    }
  }

  let db: Database.Database;
  try {
    driver ??= requireCjs('better-sqlite3') as typeof Database;
    const addon = nativeBinding();
    db = new driver(path, { readonly, fileMustExist: !create && !isInMemory(path), ...(addon ? { nativeBinding: addon } : {}) });
  } catch (err) {
    throw openFailure(path, err);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (!readonly) db.pragma('foreign_keys = ON');
    // Reading the schema is the first point where a corrupt or encrypted file fails.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    db.close();
    throw openFailure(path, err);
  }
  return db;
}

/**
 * better-sqlite3 builds SQLite with a 16 MB page cache per connection (SQLite's own default
 * is 2 MB). A connection that only reads a source fills all of it during a run (a table's
 * row count, a first load's scan) and keeps it: 16 MB of RSS per connection, two of them
 * in a sqlite-to-pg load (the run's and its reader thread's). Each page of such a scan is
 * read once, so a cache as big as SQLite's default reads no more from the file (which the
 * OS caches anyway) while keyset reads keep their index's inner pages.
 */
export const SQLITE_SOURCE_CACHE_KIB = 2048;

/** Sizes `db`'s page cache for reading a source (SQLITE_SOURCE_CACHE_KIB); lowering it frees the pages above it. */
export function useSourcePageCache(db: Database.Database): void {
  db.pragma(`cache_size = -${SQLITE_SOURCE_CACHE_KIB}`);
}

function openFailure(path: string, err: unknown): Error {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return new NotSqliteError(path, message);
  // busy_timeout ran out: someone else's transaction still holds the file (BEGIN EXCLUSIVE, a writer that never commits)
  if (code?.startsWith('SQLITE_BUSY')) {
    return new ConnectionError(
      `another process holds a lock on the file and did not let go of it within ${BUSY_TIMEOUT_MS / 1000} s (${code}: ${message})`,
      'sqlite',
      'locked',
      path,
      null,
      { cause: err },
    );
  }
  return new ConnectionError(`could not open SQLite database ${path}: ${message}`, 'sqlite', 'other', path, null, {
    cause: err,
  });
}

/**
 * SQLITE_BUSY (or one of its extended codes) from `db` as a SqliteBusyError naming the file
 * and the table in progress; any other error as it is. `waitedMs`: a single statement's
 * wait unless the caller retried it.
 */
export function namedSqliteBusy(error: unknown, db: Database.Database, table: string | null, waitedMs = BUSY_TIMEOUT_MS): unknown {
  if (!errorCode(error)?.startsWith('SQLITE_BUSY')) return error;
  return new SqliteBusyError(db.name, waitedMs, table, { cause: error });
}
