/**
 * Writes batches into a SQLite target inside the caller's open transaction: one prepared
 * upsert run per row, values bound as they are (integers as BigInt, so nothing passes
 * through a double). An update that would change nothing is skipped (`WHERE row IS NOT
 * excluded row`), so the app's own update triggers do not fire for unchanged rows.
 *
 * The happy path runs the rows plainly under one savepoint. When a row is refused (NOT
 * NULL, CHECK, a value SQLite cannot bind), the batch goes back to that savepoint and is
 * redone row by row, each under its own savepoint: refused rows are reported with SQLite's
 * error code, the others are written. A row refused for a missing parent is tried again
 * after the rest of its batch, which may have brought the parent.
 *
 * `insertOnlyColumns` (a cycle's deferred FK columns) are written when a row is inserted
 * and left out of the upsert's UPDATE; the second pass sets them with `updateColumns`, one
 * prepared UPDATE per row (only where the values differ).
 */
import type Database from 'better-sqlite3';
import { errorCode } from '../../errors.js';
import { quoteIdent } from '../../sql/quote.js';
import type { TablePlan } from '../run-plan.js';
import { keyString, type BatchWriter, type RowRejection, type TargetRow, type WriteOutcome } from './batch-io.js';
import { keyValueSql, encodeKeyTuples } from './sqlite-key-json.js';
import type { ParentCheck } from './sqlite-parent-check.js';
import { storesUtf8 } from './sqlite-slice-insert.js';
import { resolveRows } from './text-slices.js';
import { sqliteTableSql } from '../../introspect/sqlite-catalog.js';
import { buildColumnUpdate, buildRowWriter, sqliteColumn, type RowWriter } from './sqlite-row-writers.js';

const ROW_ERROR_PREFIXES = ['SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_TOOBIG'];
const FK_VIOLATION = 'SQLITE_CONSTRAINT_FOREIGNKEY';

/** A refusal caused by the row's values, or null for anything else (busy, I/O, a closed file). */
function rowFailure(e: unknown): { code: string | null; message: string } | null {
  if (!(e instanceof Error)) return null;
  // better-sqlite3 refuses to bind a value it cannot represent (a BigInt beyond 64 bits) with these
  if (e instanceof RangeError || e instanceof TypeError) return { code: null, message: e.message };
  const code = errorCode(e);
  return code !== undefined && ROW_ERROR_PREFIXES.some((p) => code.startsWith(p)) ? { code, message: e.message } : null;
}


export interface SqliteWriterOptions {
  /**
   * columns (PostgreSQL names) written on INSERT only, never by the upsert's UPDATE: a
   * cycle's deferred FK columns, NULL in the first pass, so an incremental run does not
   * overwrite the value the second pass set
   */
  insertOnlyColumns?: readonly string[];
  /**
   * 'plain': INSERT without ON CONFLICT, for a table loaded whole into an empty table
   * (sqlite-table-load.ts), where no row can already be there. Default 'upsert'.
   */
  insert?: 'plain' | 'upsert';
  /**
   * a plain load's FK check done per batch while SQLite's own enforcement is off
   * (sqlite-parent-check.ts), or null while SQLite enforces them; asked at each write
   */
  parentCheck?: () => ParentCheck | null;
  /**
   * a cursor column (PostgreSQL name): a row whose SQLite copy holds a greater cursor is
   * left as it is, and counted (WriteOutcome.keptNewer). A pull meets rows the terminal has
   * edited since it last pushed (above all when it reads again below its checkpoint,
   * engine/push-seen.ts): those edits stay, to be pushed. DESIGN.md "Conflicts": latest-wins.
   */
  keepNewer?: string | null;
}

/** keptNewer only when some row was kept, so other outcomes read as before */
function outcome(written: number, rejected: RowRejection[], kept: number): WriteOutcome {
  return kept > 0 ? { written, rejected, keptNewer: kept } : { written, rejected };
}


export function createSqliteWriter(db: Database.Database, table: TablePlan, opts?: SqliteWriterOptions): BatchWriter {
  const insertOnly = new Set((opts?.insertOnlyColumns ?? []).map((c) => sqliteColumn(table, c)));
  let writer: RowWriter | null = null;
  const columnUpdates = new Map<string, ReturnType<typeof buildColumnUpdate>>();
  const savepoint = db.prepare('SAVEPOINT replicate_batch');
  const rollbackTo = db.prepare('ROLLBACK TO replicate_batch');
  const release = db.prepare('RELEASE replicate_batch');
  const exists = new Map<string, Database.Statement>();
  // SQLite names the column only in its message: "NOT NULL constraint failed: items.name"
  const notNullPrefix = `NOT NULL constraint failed: ${table.sqliteTable}.`;

  /** Run one row under its own savepoint; the refusal, or null when it was written. */
  const rowAlone = (w: RowWriter, row: TargetRow, index: number): RowRejection | null => {
    const kept = w.kept;
    savepoint.run();
    try {
      w.run(row);
      release.run();
      return null;
    } catch (e) {
      const f = rowFailure(e);
      if (!f || !db.inTransaction) throw e;
      rollbackTo.run();
      release.run();
      w.kept = kept;
      const column = f.message.startsWith(notNullPrefix) ? f.message.slice(notNullPrefix.length) : null;
      return { index, column, reason: f.message, code: f.code };
    }
  };

  /** The batch under one savepoint; on a refusal, row by row. `parentFirst`: a missing parent ends it at once (tryWrite). */
  function writeRows(rows: TargetRow[], parentFirst: false): WriteOutcome;
  function writeRows(rows: TargetRow[], parentFirst: boolean): WriteOutcome | 'missing-parent';
  function writeRows(rows: TargetRow[], parentFirst: boolean): WriteOutcome | 'missing-parent' {
    if (rows.length === 0) return { written: 0, rejected: [] };
    const w = (writer ??= buildRowWriter(db, table, insertOnly, opts?.insert === 'plain', opts?.parentCheck ?? (() => null), opts?.keepNewer ? sqliteColumn(table, opts.keepNewer) : null));
    // only a plain load binds TEXT values as slices of their batch (takesTextSlices); anything else takes the strings
    if (!w.runAll) resolveRows(rows);
    const kept = w.kept;
    savepoint.run();
    try {
      if (w.runAll) w.runAll(rows);
      else for (const row of rows) w.run(row);
      release.run();
      return outcome(rows.length, [], w.kept - kept);
    } catch (e) {
      // a declared ON CONFLICT ROLLBACK clause ends the caller's transaction: nothing to isolate then
      const f = rowFailure(e);
      if (!f || !db.inTransaction) throw e;
      rollbackTo.run();
      release.run();
      w.kept = kept;
      if (parentFirst && f.code === FK_VIOLATION) return 'missing-parent';
    }
    // row by row: every value decoded, the batch's text in one call
    resolveRows(rows);
    let rejected: RowRejection[] = [];
    for (let i = 0; i < rows.length; i++) {
      const r = rowAlone(w, rows[i] as TargetRow, i);
      if (r) rejected.push(r);
    }
    // rows ahead of their parent in the batch: again, while that still lands rows
    for (let landed = rows.length - rejected.length; landed > 0; ) {
      const waiting = rejected.filter((r) => r.code === FK_VIOLATION);
      if (waiting.length === 0) break;
      const still = waiting.map((r) => rowAlone(w, rows[r.index] as TargetRow, r.index)).filter((r): r is RowRejection => r !== null);
      landed = waiting.length - still.length;
      rejected = [...rejected.filter((r) => r.code !== FK_VIOLATION), ...still].sort((a, b) => a.index - b.index);
    }
    return outcome(rows.length - rejected.length, rejected, w.kept - kept);
  }

  return {
    takesTextSlices: opts?.insert === 'plain' && storesUtf8(db),
    async write(rows) {
      return writeRows(rows, false);
    },

    async tryWrite(rows) {
      return writeRows(rows, true);
    },

    async updateColumns(columns, rows, keepNewer) {
      if (rows.length === 0 || columns.length === 0) return { written: 0, rejected: [] };
      const id = JSON.stringify([columns, keepNewer ?? null]);
      let w = columnUpdates.get(id);
      if (!w) {
        w = buildColumnUpdate(db, table, columns, keepNewer ?? null);
        columnUpdates.set(id, w);
      }
      const before = w.changes();
      savepoint.run();
      try {
        for (const row of rows) w.run(row);
        release.run();
        return { written: w.changes() - before, rejected: [] };
      } catch (e) {
        if (!rowFailure(e) || !db.inTransaction) throw e;
        rollbackTo.run();
        release.run();
      }
      // row by row: a refused row is only ever its own values (a parent deleted meanwhile, a CHECK)
      const retried = w.changes();
      const rejected: RowRejection[] = [];
      for (let i = 0; i < rows.length; i++) {
        const r = rowAlone(w, rows[i] as TargetRow, i);
        if (r) rejected.push(r);
      }
      return { written: w.changes() - retried, rejected };
    },

    async enforcesForeignKey(columns, parentTable, parentColumns) {
      if (Number(db.pragma('foreign_keys', { simple: true })) !== 1) return false;
      // a deferred constraint refuses only at COMMIT: with one anywhere in the table, trust none
      const sql = sqliteTableSql(db, table.sqliteTable);
      if (/\bINITIALLY\s+DEFERRED\b/i.test(sql)) return false;
      const list = db.prepare(`SELECT id, "table" AS parent, "from" AS col, "to" AS ref FROM pragma_foreign_key_list(?) ORDER BY id, seq`).all(table.sqliteTable) as { id: number; parent: string; col: string; ref: string | null }[];
      const byId = new Map<number, typeof list>();
      for (const f of list) byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
      // a reference without column names (the parent's primary key) is left to the guard
      return [...byId.values()].some(
        (f) => f.length === columns.length && f[0]?.parent === parentTable && f.every((c, i) => c.col === columns[i] && c.ref !== null && c.ref === parentColumns[i]),
      );
    },

    isMissingParent(code) {
      return code === FK_VIOLATION;
    },

    async existingKeys(parent, columns, keys) {
      const found = new Set<string>();
      if (keys.length === 0) return found;
      const id = JSON.stringify([parent, columns]);
      let stmt = exists.get(id);
      if (!stmt) {
        const match = columns.map((c, i) => `p.${quoteIdent(c)} = ${keyValueSql('j', i)}`).join(' AND ');
        // asks for the missing keys: nearly always none, so almost nothing comes back
        stmt = db.prepare(`SELECT j.key FROM json_each(?) AS j WHERE NOT EXISTS (SELECT 1 FROM ${quoteIdent(parent)} AS p WHERE ${match})`).pluck(true).safeIntegers(false);
        exists.set(id, stmt);
      }
      const missing = new Set(stmt.all(encodeKeyTuples(keys)) as number[]);
      // the caller's own tuples are reported, so their text forms match what it asked for
      keys.forEach((k, i) => {
        if (!missing.has(i)) found.add(keyString(k));
      });
      return found;
    },
  };
}
