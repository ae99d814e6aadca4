/**
 * Parent keys a run loaded whole into a SQLite file (sqlite-table-load.ts), so the per-batch
 * parent check of a later table (sqlite-parent-check.ts) asks SQLite only about the keys
 * not known: order lines then look up no order the run itself just wrote.
 *
 * Why a known key is exact, though each table commits on its own and the app may write
 * between two of them: SQLite's `PRAGMA data_version` changes on a connection exactly
 * when another connection (any process) committed to the file since the connection last
 * looked (https://sqlite.org/pragma.html#pragma_data_version); our own commits leave it
 * alone. It is read right after each table's BEGIN IMMEDIATE, under the write lock, so no
 * one can commit between that reading and our COMMIT: the same value at the next table's
 * BEGIN IMMEDIATE means no one else committed in between, and every key we committed is
 * still there. A different value forgets every key (a deletion, or anything else; the
 * check then asks SQLite as it always did). Another connection of ours that commits to the
 * file only makes the value change: forgetting is always safe.
 *
 * What our own writes could delete or change is ruled out too: the writer never deletes a
 * row and its upsert is ON CONFLICT DO UPDATE (never INSERT OR REPLACE), the state store
 * writes only its own tables, and the known keys are used only while the file has no
 * trigger and no table declares ON CONFLICT REPLACE (either could delete a parent when we
 * write), and only for a parent column no ON UPDATE action of the parent's own FKs could
 * rewrite, in a table declaring no conflict clause (ON CONFLICT IGNORE would drop a row
 * silently) and without generated columns (the stored key is then the bound one). Keys
 * are compared with their type, as SQLite compares them, and only where the parent check
 * takes the FK over (same affinity on both sides, BINARY collation).
 */
import type Database from 'better-sqlite3';
import { KnownParents, type KnownKeys } from '../engine/known-parents.js';
import type { TablePlan } from '../run-plan.js';
import type { TargetRow } from './batch-io.js';
import { uniqueBinary } from './sqlite-parent-check.js';

/** May known keys be trusted in this file at all? (read under the write lock) */
function fileAllows(db: Database.Database): boolean {
  const triggers = Number(db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'trigger'`).pluck().get());
  if (triggers > 0) return false;
  const sql = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL`).pluck().all() as string[];
  return !sql.some((s) => /\bREPLACE\b/i.test(s));
}

/** The column of `table` other tables' single-column FKs reference, when its keys can be known; else null. */
function trackedColumn(db: Database.Database, table: string): string | null {
  const sql = String(db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`).pluck().get(table) ?? '');
  if (sql === '' || /\bON\s+CONFLICT\b/i.test(sql)) return null;
  const generated = Number(db.prepare(`SELECT count(*) FROM pragma_table_xinfo(?) WHERE hidden IN (2, 3)`).pluck().get(table));
  if (generated > 0) return null;
  const referenced = db
    .prepare(
      `SELECT f."to" AS ref FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS f
        WHERE m.type = 'table' AND m.name <> ? AND f."table" = ? AND f."to" IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM pragma_foreign_key_list(m.name) AS g WHERE g.id = f.id AND g.seq > 0)
        ORDER BY m.name, f.id`,
    )
    .pluck()
    .all(table, table) as string[];
  const own = db.prepare(`SELECT "from" AS col, on_update FROM pragma_foreign_key_list(?)`).all(table) as { col: string; on_update: string }[];
  for (const ref of referenced) {
    // an ON UPDATE action of the table's own FK could rewrite the key when our upsert updates the row it points at
    if (own.some((f) => f.col === ref && !/^(NO ACTION|RESTRICT)$/i.test(f.on_update))) continue;
    if (uniqueBinary(db, table, ref)) return ref;
  }
  return null;
}

/** One per run (and per reconnect: a new one knows nothing) on the target file's connection. */
export class SqliteKnownParents {
  private readonly known = new KnownParents(undefined, true);
  /** data_version read under our previous write lock, or null before the first */
  private version: number | null = null;
  private allowed = false;

  constructor(private readonly db: Database.Database) {}

  /** Right after a table's BEGIN IMMEDIATE: forget every key if anyone else committed since the last one. */
  locked(): void {
    const version = Number(this.db.pragma('data_version', { simple: true }));
    this.allowed = fileAllows(this.db);
    if (version !== this.version || !this.allowed) this.known.forgetAll();
    this.version = version;
  }

  /** For the plan: would keys of `table`'s `column` loaded by this run be trusted, as the file is now? */
  wouldKnow(table: string, column: string): boolean {
    return fileAllows(this.db) && this.columnOf(table) === column;
  }

  /** read afresh each time (under the lock at a load's start): another connection may have changed the schema */
  private columnOf(table: string): string | null {
    return trackedColumn(this.db, table);
  }

  /** Keys known in `table`'s `column` (SQLite names), or null. */
  keysOf(table: string, column: string): KnownKeys | null {
    return this.allowed ? this.known.keysOf(table, [column]) : null;
  }

  /** What remembers the rows of `plan`'s table as its batches land, or null when its keys are not known. */
  loading(plan: TablePlan): LoadedKeys | null {
    const table = plan.sqliteTable;
    const column = this.columnOf(table);
    const at = column === null ? -1 : plan.columns.findIndex((c) => c.sqlite === column);
    if (column === null || at < 0) return null;
    this.known.track(table, column, at);
    const known = this.known;
    let batch: (readonly TargetRow[])[] = [];
    return {
      landed: (rows) => {
        if (this.allowed) batch.push(rows);
      },
      batchCommitted: () => {
        for (const rows of batch) known.remember(table, rows);
        batch = [];
      },
      batchRolledBack: () => {
        batch = [];
      },
      // the table's transaction rolled back: none of its keys are there
      tableRolledBack: () => {
        batch = [];
        known.forget(table);
      },
    };
  }
}

/** A table's keys as its whole load goes: batches are savepoints, the table one transaction. */
export interface LoadedKeys {
  /** rows the writer inserted in the open batch */
  landed(rows: readonly TargetRow[]): void;
  batchCommitted(): void;
  batchRolledBack(): void;
  tableRolledBack(): void;
}
