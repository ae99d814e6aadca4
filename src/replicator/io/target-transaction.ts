/**
 * The target transaction a batch, its ledger entries and its checkpoint commit in together
 * (DESIGN.md "Atomic checkpoints"). Writers never commit; this does.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { TargetTransaction } from './batch-io.js';

export function postgresTransaction(client: pg.Client): TargetTransaction {
  return {
    async begin() {
      await client.query('BEGIN');
    },
    async commit() {
      await client.query('COMMIT');
    },
    async rollback() {
      await client.query('ROLLBACK');
    },
  };
}

/**
 * IMMEDIATE takes the write lock at BEGIN: a reader that later wants to write could
 * otherwise fail with SQLITE_BUSY halfway through a batch when the app writes too.
 * Foreign keys stay immediate: a row whose parent is missing is refused on its own (and
 * retried after the rest of its batch, see row-isolation.ts) instead of failing the
 * whole commit.
 */
export function sqliteTransaction(db: Database.Database): TargetTransaction {
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  return {
    async begin() {
      begin.run();
    },
    async commit() {
      commit.run();
    },
    async rollback() {
      // SQLite may already have rolled back on its own (a conflict clause of ROLLBACK, a full disk)
      if (db.inTransaction) rollback.run();
    },
  };
}
