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
import { errorCode, PlanError } from '../../errors.js';
import { quoteIdent } from '../../sql/quote.js';
import type { TablePlan } from '../run-plan.js';
import { keyString, type BatchWriter, type RowRejection, type TargetRow, type WriteOutcome } from './batch-io.js';
import { keyValueSql, encodeKeyTuples } from './sqlite-key-json.js';
import { sqliteKeyColumns } from './sqlite-reader.js';
import type { ParentCheck } from './sqlite-parent-check.js';
import { sliceInsert, storesUtf8 } from './sqlite-slice-insert.js';
import { resolveRow, resolveRows } from './text-slices.js';
import { generatedColumns, hasUniqueOn, manyRowsConflict, rowidAlias } from './sqlite-table-traits.js';
import { sqliteTableSql } from '../../introspect/sqlite-catalog.js';

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

interface RowWriter {
  run(row: TargetRow): void;
  /** rows run() left as they were because the file's copy holds a greater cursor (keepNewer); the caller resets it after a rollback */
  kept: number;
  /** all the rows at once where that is quicker (a refusal leaves some written: the caller's savepoint undoes them) */
  runAll?(rows: TargetRow[]): void;
}

/**
 * Rows per multi-row INSERT of a plain load: most of a row's cost through better-sqlite3
 * is the call and its binding, not SQLite's work, and 32 rows per call took about 30%
 * less time than one (640k order lines, in memory); 64 about 4% less main-thread CPU
 * again for the bench's case c (128 no better). Bound by 999 parameters, the limit
 * of SQLite builds before 3.32. Values go in as separate arguments (`run(...values)`), not
 * as one array: better-sqlite3 then binds each from the call's arguments instead of reading
 * the array element by element through V8's generic property lookup, about 10% less CPU
 * for a plain load (bind and step of the bench's 1M rows). No value is a plain object, so
 * none is taken for named parameters (a Buffer is bound as a BLOB).
 */
const ROWS_PER_INSERT = 64;
const MAX_PARAMETERS = 999;

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

/** SQLite name of a planned column given its PostgreSQL name. */
function sqliteColumn(table: TablePlan, pgName: string): string {
  const c = table.columns.find((col) => col.pg === pgName);
  if (!c) throw new PlanError([table.table], `column ${quoteIdent(pgName)} is not among the replicated columns`);
  return c.sqlite;
}

/** The columns an upsert matches rows by: the server id where keys are translated, else the key. */
function conflictColumns(table: TablePlan): string[] {
  return table.keyTranslation ? [table.keyTranslation.serverId] : sqliteKeyColumns(table);
}

function buildRowWriter(db: Database.Database, table: TablePlan, insertOnly: ReadonlySet<string>, plain: boolean, parentCheck: () => ParentCheck | null, keepNewer: string | null): RowWriter {
  const t = quoteIdent(table.sqliteTable);
  const generated = generatedColumns(db, table.sqliteTable);
  const all = table.columns.map((c) => c.sqlite);
  const pick = all.some((c) => generated.has(c)) ? all.flatMap((c, i) => (generated.has(c) ? [] : [i])) : null;
  const names = pick === null ? all : pick.map((i) => all[i] as string);
  const bindOf = (row: TargetRow): TargetRow => (pick === null ? row : pick.map((i) => row[i] ?? null));

  const conflict = conflictColumns(table);
  const missing = conflict.find((k) => !names.includes(k));
  if (missing !== undefined) throw new PlanError([table.table], `key column ${quoteIdent(missing)} is not among the columns written to SQLite`);
  const notUpdated = new Set([...conflict, ...insertOnly]);
  const updated = names.filter((c) => !notUpdated.has(c));
  // Seed 002's convention: a row arriving from PostgreSQL gets its server id as its local
  // key too (local_id = server_id); an existing row keeps the local key it has. A local key
  // that is SQLite's rowid (INTEGER PRIMARY KEY) is left for SQLite to assign.
  const rowid = rowidAlias(db, table.sqliteTable);
  const localKey = table.keyTranslation ? table.keyTranslation.sqliteKey.filter((k) => !names.includes(k) && k !== rowid) : [];
  const serverIdAt = table.keyTranslation ? names.indexOf(table.keyTranslation.serverId) : -1;
  const insertNames = [...names, ...localKey];
  const insertBind = localKey.length === 0 ? bindOf : (row: TargetRow): TargetRow => {
    const values = bindOf(row);
    return [...values, ...localKey.map(() => values[serverIdAt] ?? null)];
  };
  const cols = insertNames.map(quoteIdent).join(', ');
  const own = (c: string): string => `${t}.${quoteIdent(c)}`;
  // keepNewer: the local row wins where its cursor is greater (NULL on either side: it does not)
  const newer = keepNewer !== null && names.includes(keepNewer) ? keepNewer : null;

  if (plain) {
    const width = insertNames.length;
    const one = `(${insertNames.map(() => '?').join(', ')})`;
    const insert = db.prepare(`INSERT INTO ${t} (${cols}) VALUES ${one}`);
    const per = Math.max(1, Math.min(ROWS_PER_INSERT, Math.floor(MAX_PARAMETERS / width)));
    const insertInto = `INSERT ${manyRowsConflict(db, table.sqliteTable)}INTO ${t} (${cols}) VALUES `;
    const many = per > 1 ? db.prepare(`${insertInto}${new Array<string>(per).fill(one).join(', ')}`) : null;
    // TEXT values bound as slices of their batch's bytes (text-slices.ts) where the rows are bound as they come
    const slices = many && pick === null && localKey.length === 0 ? sliceInsert(db, insertInto, width, per) : null;
    const params: TargetRow = new Array<TargetRow[number]>(per * width);
    // parents are checked after the rows went in, as SQLite checks them at the statement's end:
    // a row that breaks NOT NULL or UNIQUE too is refused for that, as it would be anyway
    return {
      kept: 0,
      run(row) {
        insert.run(...insertBind(resolveRow(row)));
        parentCheck()?.check([row]);
      },
      runAll(rows) {
        let i = 0;
        if (slices) {
          i = slices.runChunks(rows);
        } else if (many) {
          resolveRows(rows);
          for (; i + per <= rows.length; i += per) {
            let k = 0;
            for (let r = i; r < i + per; r++) {
              const values = insertBind(rows[r] as TargetRow);
              for (let c = 0; c < width; c++) params[k++] = values[c] ?? null;
            }
            many.run(...params);
          }
        }
        for (; i < rows.length; i++) insert.run(...insertBind(resolveRow(rows[i] as TargetRow)));
        parentCheck()?.check(rows);
      },
    };
  }
  if (hasUniqueOn(db, table.sqliteTable, conflict)) {
    const onConflict =
      updated.length === 0
        ? 'DO NOTHING'
        : `DO UPDATE SET ${updated.map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`).join(', ')}` +
          ` WHERE (${updated.map(own).join(', ')}) IS NOT (${updated.map((c) => `excluded.${quoteIdent(c)}`).join(', ')})` +
          (newer === null ? '' : ` AND NOT coalesce(${own(newer)} > excluded.${quoteIdent(newer)}, 0)`);
    const upsert = db.prepare(`INSERT INTO ${t} (${cols}) VALUES (${insertNames.map(() => '?').join(', ')}) ON CONFLICT (${conflict.map(quoteIdent).join(', ')}) ${onConflict}`);
    const isNewer = newerThan(db, t, conflict, newer);
    const conflictAt = conflict.map((k) => insertNames.indexOf(k));
    const newerAt = newer === null ? -1 : insertNames.indexOf(newer);
    const w: RowWriter = {
      kept: 0,
      run(row) {
        const values = insertBind(row);
        // nothing changed: the same values, or a newer local copy kept (asked only then)
        if (upsert.run(...values).changes === 0 && isNewer?.(conflictAt.map((i) => values[i] ?? null), values[newerAt] ?? null)) w.kept++;
      },
    };
    return w;
  }

  // No UNIQUE index on the conflict columns (a server_id column nobody indexed), so ON
  // CONFLICT cannot name them: insert when no row has the key, else update that row.
  // Slower (two statements for an existing row) but correct.
  const keyIdx = conflict.map((k) => names.indexOf(k));
  const updIdx = updated.map((c) => names.indexOf(c));
  const newerIdx = newer === null ? -1 : names.indexOf(newer);
  const keyMatch = conflict.map((k) => `${quoteIdent(k)} IS ?`).join(' AND ');
  const insert = db.prepare(`INSERT INTO ${t} (${cols}) SELECT ${insertNames.map(() => '?').join(', ')} WHERE NOT EXISTS (SELECT 1 FROM ${t} WHERE ${keyMatch})`);
  const update =
    updated.length === 0
      ? null
      : db.prepare(
          `UPDATE ${t} SET ${updated.map((c) => `${quoteIdent(c)} = ?`).join(', ')} WHERE ${keyMatch}` +
            ` AND (${updated.map(quoteIdent).join(', ')}) IS NOT (${updated.map(() => '?').join(', ')})` +
            (newer === null ? '' : ` AND NOT coalesce(${quoteIdent(newer)} > ?, 0)`),
        );
  const isNewer = newerThan(db, t, conflict, newer);
  const w: RowWriter = {
    kept: 0,
    run(row) {
      const values = bindOf(row);
      const key = keyIdx.map((i) => values[i] ?? null);
      if (insert.run([...insertBind(row), ...key]).changes > 0 || update === null) return;
      const set = updIdx.map((i) => values[i] ?? null);
      const cursor = values[newerIdx] ?? null;
      if (update.run(newerIdx < 0 ? [...set, ...key, ...set] : [...set, ...key, ...set, cursor]).changes === 0 && isNewer?.(key, cursor)) w.kept++;
    },
  };
  return w;
}

/** Does the row with this key hold a cursor greater than `cursor`? null without a keepNewer column. */
function newerThan(db: Database.Database, t: string, conflict: readonly string[], newer: string | null): ((key: TargetRow, cursor: TargetRow[number]) => boolean) | null {
  if (newer === null) return null;
  const stmt = db.prepare(`SELECT 1 FROM ${t} WHERE ${conflict.map((k) => `${quoteIdent(k)} IS ?`).join(' AND ')} AND ${quoteIdent(newer)} > ?`).pluck();
  return (key, cursor) => stmt.get(...key, cursor) !== undefined;
}

/** The second pass: `SET columns` of the row with this key, where they differ. A row: key values, then the columns' values. */
function buildColumnUpdate(db: Database.Database, table: TablePlan, columns: readonly string[], keepNewer: string | null): RowWriter & { changes(): number } {
  const set = columns.map((c) => sqliteColumn(table, c));
  // the key as the target holds it: TablePlan.key pairs with the server id where keys are translated
  const key = table.key.map((k) => sqliteColumn(table, k));
  // keepNewer: the row ends with its cursor; a greater one in the file keeps the row as it is
  const newer = keepNewer === null ? null : sqliteColumn(table, keepNewer);
  const stmt = db.prepare(
    `UPDATE ${quoteIdent(table.sqliteTable)} SET ${set.map((c) => `${quoteIdent(c)} = ?`).join(', ')}` +
      ` WHERE ${key.map((k) => `${quoteIdent(k)} = ?`).join(' AND ')} AND (${set.map(quoteIdent).join(', ')}) IS NOT (${set.map(() => '?').join(', ')})` +
      (newer === null ? '' : ` AND NOT coalesce(${quoteIdent(newer)} > ?, 0)`),
  );
  const n = key.length;
  const end = n + set.length;
  let changes = 0;
  return {
    kept: 0,
    run(row) {
      const values = row.slice(n, end);
      const args = [...values, ...row.slice(0, n), ...values];
      if (newer !== null) args.push(row[end] ?? null);
      changes += stmt.run(args).changes;
    },
    changes: () => changes,
  };
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
