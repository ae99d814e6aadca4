/**
 * How rows go into one SQLite table (sqlite-writer.ts runs them under its savepoints): a
 * plain load's multi-row INSERT, an upsert by the key (or by the server id where keys are
 * translated) that leaves unchanged rows and rows the file holds newer alone, and the
 * UPDATE of an FK cycle's second pass.
 */
import type Database from 'better-sqlite3';
import { PlanError } from '../../errors.js';
import { quoteIdent } from '../../sql/quote.js';
import type { TablePlan } from '../run-plan.js';
import type { TargetRow } from './batch-io.js';
import { sqliteKeyColumns } from './sqlite-reader.js';
import type { ParentCheck } from './sqlite-parent-check.js';
import { sliceInsert } from './sqlite-slice-insert.js';
import { resolveRow, resolveRows } from './text-slices.js';
import { generatedColumns, hasUniqueOn, manyRowsConflict, rowidAlias } from './sqlite-table-traits.js';
import type { TimeFormat } from '../values/time-format.js';

export interface RowWriter {
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

/** SQLite name of a planned column given its PostgreSQL name. */
export function sqliteColumn(table: TablePlan, pgName: string): string {
  const c = table.columns.find((col) => col.pg === pgName);
  if (!c) throw new PlanError([table.table], `column ${quoteIdent(pgName)} is not among the replicated columns`);
  return c.sqlite;
}

/** Text formats SQLite's date functions read: '2025-11-05T12:15:30.123+02:00', '...Z', '2025-11-05 10:15:30', '2025-11-05'. */
const DATE_TEXT_FORMATS: ReadonlySet<TimeFormat> = new Set<TimeFormat>(['iso-t-z', 'iso-t-offset', 'iso-space', 'iso-t-naive', 'date']);

/**
 * How a cursor value is put in order for keepNewer's "greater": a date or time kept as text
 * is compared as the instant it stands for (julianday, to the millisecond), not as text:
 * '2025-11-05T12:00:00.000+02:00' (10:00Z) is earlier than '2025-11-05T11:00:00.000+00:00',
 * and an app's CURRENT_TIMESTAMP ('2025-11-05 10:30:00') later than a pulled
 * '2025-11-05T10:20:00.000Z', though text says otherwise both times. A text SQLite cannot read
 * as a date is NULL so, never greater. Anything else (integers, epoch numbers) as it is.
 */
function cursorOrder(table: TablePlan, sqliteName: string): (sql: string) => string {
  const c = table.columns.find((col) => col.sqlite === sqliteName);
  const timeKind = c !== undefined && (c.pgType.kind === 'timestamp' || c.pgType.kind === 'timestamptz' || c.pgType.kind === 'date');
  return timeKind && c.sqliteFormat !== null && DATE_TEXT_FORMATS.has(c.sqliteFormat) ? (sql) => `julianday(${sql})` : (sql) => sql;
}

/** The columns an upsert matches rows by: the server id where keys are translated, else the key. */
function conflictColumns(table: TablePlan): string[] {
  return table.keyTranslation ? [table.keyTranslation.serverId] : sqliteKeyColumns(table);
}

export function buildRowWriter(db: Database.Database, table: TablePlan, insertOnly: ReadonlySet<string>, plain: boolean, parentCheck: () => ParentCheck | null, keepNewer: string | null): RowWriter {
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
  const order = newer === null ? (sql: string) => sql : cursorOrder(table, newer);

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
          (newer === null ? '' : ` AND NOT coalesce(${order(own(newer))} > ${order(`excluded.${quoteIdent(newer)}`)}, 0)`);
    const upsert = db.prepare(`INSERT INTO ${t} (${cols}) VALUES (${insertNames.map(() => '?').join(', ')}) ON CONFLICT (${conflict.map(quoteIdent).join(', ')}) ${onConflict}`);
    const isNewer = newerThan(db, t, conflict, newer, order);
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
            (newer === null ? '' : ` AND NOT coalesce(${order(quoteIdent(newer))} > ${order('?')}, 0)`),
        );
  const isNewer = newerThan(db, t, conflict, newer, order);
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
function newerThan(
  db: Database.Database,
  t: string,
  conflict: readonly string[],
  newer: string | null,
  order: (sql: string) => string,
): ((key: TargetRow, cursor: TargetRow[number]) => boolean) | null {
  if (newer === null) return null;
  const stmt = db.prepare(`SELECT 1 FROM ${t} WHERE ${conflict.map((k) => `${quoteIdent(k)} IS ?`).join(' AND ')} AND ${order(quoteIdent(newer))} > ${order('?')}`).pluck();
  return (key, cursor) => stmt.get(...key, cursor) !== undefined;
}

/** The second pass: `SET columns` of the row with this key, where they differ. A row: key values, then the columns' values. */
export function buildColumnUpdate(db: Database.Database, table: TablePlan, columns: readonly string[], keepNewer: string | null): RowWriter & { changes(): number } {
  const set = columns.map((c) => sqliteColumn(table, c));
  // the key as the target holds it: TablePlan.key pairs with the server id where keys are translated
  const key = table.key.map((k) => sqliteColumn(table, k));
  // keepNewer: the row ends with its cursor; a greater one in the file keeps the row as it is
  const newer = keepNewer === null ? null : sqliteColumn(table, keepNewer);
  const order = newer === null ? (sql: string) => sql : cursorOrder(table, newer);
  const stmt = db.prepare(
    `UPDATE ${quoteIdent(table.sqliteTable)} SET ${set.map((c) => `${quoteIdent(c)} = ?`).join(', ')}` +
      ` WHERE ${key.map((k) => `${quoteIdent(k)} = ?`).join(' AND ')} AND (${set.map(quoteIdent).join(', ')}) IS NOT (${set.map(() => '?').join(', ')})` +
      (newer === null ? '' : ` AND NOT coalesce(${order(quoteIdent(newer))} > ${order('?')}, 0)`),
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
