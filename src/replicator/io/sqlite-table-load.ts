/**
 * First load of an empty SQLite table (pg-to-sqlite), the way `sqlite3 .import` into a
 * fresh file is fast: the whole table in one transaction, rows by plain INSERT, and the
 * table's secondary indexes dropped at the start and created again from their own SQL
 * after the last row, so each is built once from sorted keys instead of being updated
 * at random places batch after batch.
 *
 * Why this keeps the file safe for the app that owns it: BEGIN IMMEDIATE holds the
 * file's write lock from the DROP INDEX to the COMMIT, so no other connection ever sees
 * the table without its indexes or with part of its rows, and no other writer can add a
 * row meanwhile. What is set aside is only non-UNIQUE indexes the schema created with
 * CREATE INDEX: the primary key, UNIQUE constraints and UNIQUE indexes stay in place and
 * are checked row by row as in any run, so a row that breaks one goes to the reject
 * ledger with SQLite's reason, and foreign keys are checked as they always are. A crash
 * or a kill rolls the whole table back (the next run starts it again from nothing); a
 * Ctrl+C stops after the current batch and commits what is loaded, with its checkpoint.
 *
 * Foreign keys SQLite would check row by row are checked per batch instead, set-based
 * (sqlite-parent-check.ts), with SQLite's enforcement switched off for this connection
 * from the BEGIN to the COMMIT; the write lock held all that time is what makes the check
 * exact (no other connection can delete a parent meanwhile), and enforcement is switched
 * on again before anything else runs on the connection.
 *
 * The price: the app's own writes to this file wait for the whole table (they wait for
 * each batch otherwise), and in rollback-journal mode its reads too once the load
 * outgrows the page cache (SQLite then takes the exclusive lock to spill pages; WAL
 * readers never wait), so the plan says which tables load this way. Only a table that
 * is empty when its turn comes, and whose keys are not translated (the key lookups of a
 * translated key may need an index this would set aside).
 */
import type Database from 'better-sqlite3';
import { quoteIdent } from '../../sql/quote.js';
import type { TablePlan } from '../run-plan.js';
import type { TargetTransaction, WholeTableLoad } from './batch-io.js';
import { sqliteParentCheck, type ParentCheck } from './sqlite-parent-check.js';
import { createSqliteWriter } from './sqlite-writer.js';

interface SetAside {
  name: string;
  sql: string;
}

/** Non-UNIQUE indexes made by CREATE INDEX (sql is NULL for the ones SQLite made for a constraint). */
function secondaryIndexes(db: Database.Database, table: string): SetAside[] {
  return db
    .prepare(
      `SELECT m.name, m.sql FROM sqlite_master AS m JOIN pragma_index_list(?) AS l ON l.name = m.name
        WHERE m.type = 'index' AND m.tbl_name = ? AND m.sql IS NOT NULL AND l."unique" = 0 ORDER BY m.name`,
    )
    .all(table, table) as SetAside[];
}

/** A batch is a savepoint inside the table's transaction. */
function savepointTransaction(db: Database.Database): TargetTransaction {
  const begin = db.prepare('SAVEPOINT replicate_load_batch');
  const release = db.prepare('RELEASE replicate_load_batch');
  const rollbackTo = db.prepare('ROLLBACK TO replicate_load_batch');
  return {
    async begin() {
      begin.run();
    },
    async commit() {
      release.run();
    },
    async rollback() {
      if (!db.inTransaction) return;
      rollbackTo.run();
      release.run();
    },
  };
}

/** The whole-table load for this table, or null when it does not apply (the table holds rows, its keys are translated, ...). */
export function sqliteWholeTableLoad(db: Database.Database, table: TablePlan): WholeTableLoad | null {
  if (table.keyTranslation || table.deferredColumns.length > 0) return null;
  const t = quoteIdent(table.sqliteTable);
  if (db.prepare(`SELECT 1 FROM ${t} LIMIT 1`).get() !== undefined) return null;
  const indexes = secondaryIndexes(db, table.sqliteTable);
  let open = false;
  let dropped: SetAside[] = [];
  const built = new Set<string>();
  /** the batch check standing in for SQLite's FK enforcement while this load holds the file */
  let parents: ParentCheck | null = null;
  const enforced = (): boolean => Number(db.pragma('foreign_keys', { simple: true })) === 1;
  const planned = enforced() ? sqliteParentCheck(db, table) : null;
  const what = indexes.length > 0 ? `, indexes ${indexes.map((i) => i.name).join(', ')} built after the rows` : '';
  const fks = planned ? `, foreign keys (${planned.describe}) checked per batch instead of per row` : '';
  /** SQLite's enforcement back on once the transaction is over (a no-op inside one) */
  const enforceAgain = (): void => {
    if (parents === null) return;
    parents = null;
    db.pragma('foreign_keys = ON');
  };
  const lockFile = (): void => {
    db.prepare('BEGIN IMMEDIATE').run();
    open = true;
  };
  const endTransaction = (how: 'COMMIT' | 'ROLLBACK'): void => {
    db.prepare(how).run();
    open = false;
    enforceAgain();
  };
  return {
    writer: createSqliteWriter(db, table, { insert: 'plain', parentCheck: () => parents }),
    batches: savepointTransaction(db),
    note: `empty in SQLite: loaded in one transaction${what}${fks} (the file's other writers wait until it commits)`,
    async begin() {
      // the switch only works outside a transaction; the check is made again under the lock
      const check = enforced() ? sqliteParentCheck(db, table) : null;
      if (check) db.pragma('foreign_keys = OFF');
      parents = check;
      try {
        lockFile();
      } catch (e) {
        enforceAgain();
        throw e;
      }
      if (parents && !sqliteParentCheck(db, table)) {
        // the schema changed since: SQLite enforces them as always
        endTransaction('ROLLBACK');
        lockFile();
      }
      // under the write lock now: a row the app wrote since the plan means the normal path (upserts)
      if (db.prepare(`SELECT 1 FROM ${t} LIMIT 1`).get() !== undefined) {
        endTransaction('ROLLBACK');
        return false;
      }
      // read again under the lock: the app may have changed them since
      dropped = secondaryIndexes(db, table.sqliteTable);
      for (const i of dropped) db.prepare(`DROP INDEX ${quoteIdent(i.name)}`).run();
      return true;
    },
    async commit() {
      if (!open) return;
      for (const i of dropped) {
        if (built.has(i.name)) continue;
        db.prepare(i.sql).run();
        built.add(i.name);
      }
      // a COMMIT refused with SQLITE_BUSY (readers still on the file) leaves the transaction open: the caller retries it
      endTransaction('COMMIT');
    },
    async rollback() {
      if (!open) return;
      open = false;
      if (db.inTransaction) db.prepare('ROLLBACK').run();
      enforceAgain();
    },
  };
}
