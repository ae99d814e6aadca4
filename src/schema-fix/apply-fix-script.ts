/**
 * Applies a FixPlan to a SQLite file, all or nothing: the data checks first (a refusal
 * changes nothing), then a backup through SQLite's backup API, then every statement in
 * one transaction with foreign keys off, verified before the commit (foreign keys,
 * integrity, no index or trigger lost). Any failure rolls the whole transaction back.
 */
import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { openSqlite } from '../connect/sqlite-connection.js';
import { FixFailedError, FixRefusedError } from '../errors.js';
import type { FixPlan, PreCheck } from './fix-plan.js';

export interface ApplyResult {
  backupPath: string;
  statements: number;
  tables: string[];
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** <file>.backup-YYYYMMDDHHMMSS (local time), with -2, -3... when taken twice in a second. */
function backupPathFor(sqlitePath: string, now: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const base = `${sqlitePath}.backup-${stamp}`;
  let path = base;
  for (let i = 2; existsSync(path); i++) path = `${base}-${i}`;
  return path;
}

function runPreChecks(db: Database.Database, plan: FixPlan): void {
  const blocked: { check: PreCheck; rows: number }[] = [];
  for (const check of plan.tables.flatMap((t) => t.preChecks)) {
    let rows: number;
    try {
      const row = db.prepare(check.sql).get() as { n: number | bigint | null } | undefined;
      rows = Number(row?.n ?? 0);
    } catch (err) {
      throw new FixFailedError(`could not check ${check.table} before fixing it: ${messageOf(err)}`, check.table, check.sql, { cause: err });
    }
    if (rows > 0) blocked.push({ check, rows });
  }
  const first = blocked[0];
  if (!first) return;
  const lines = blocked.map((b) => `${b.check.describe}: ${plural(b.rows, 'row')} in the way`);
  throw new FixRefusedError(
    `the fix cannot succeed on this data, so nothing was changed:\n  ${lines.join('\n  ')}`,
    first.check.table,
    first.check.column,
    first.rows,
  );
}

interface FkState {
  /** "table\0parent\0fkid" -> violating rows */
  violations: Map<string, number>;
  /** table -> error (e.g. "foreign key mismatch") that keeps foreign_key_check from running */
  errors: Map<string, string>;
}

interface FkCheckRow {
  table: string;
  parent: string;
  fkid: number;
}

function userTables(db: Database.Database): string[] {
  const rows = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`).all() as { name: string }[];
  return rows.map((r) => r.name);
}

/** Per table, so one table's broken foreign key declaration does not hide the others. */
function foreignKeyState(db: Database.Database): FkState {
  const state: FkState = { violations: new Map(), errors: new Map() };
  const check = db.prepare('SELECT "table", parent, fkid FROM pragma_foreign_key_check(?)');
  for (const table of userTables(db)) {
    try {
      for (const r of check.all(table) as FkCheckRow[]) {
        const key = [r.table, r.parent, String(r.fkid)].join('\u0000');
        state.violations.set(key, (state.violations.get(key) ?? 0) + 1);
      }
    } catch (err) {
      state.errors.set(table, messageOf(err));
    }
  }
  return state;
}

/** Violations the fix introduced; those the file already had are not the fix's to judge. */
function checkForeignKeys(db: Database.Database, before: FkState): void {
  const after = foreignKeyState(db);
  for (const [table, error] of after.errors) {
    if (before.errors.get(table) === error) continue;
    throw new FixFailedError(`after the fix, foreign keys of ${table} cannot be checked: ${error}`, table, 'PRAGMA foreign_key_check');
  }
  for (const [key, rows] of after.violations) {
    const added = rows - (before.violations.get(key) ?? 0);
    if (added <= 0) continue;
    const [table = '', parent = '', fkid = '0'] = key.split('\u0000');
    const cols = db.prepare('SELECT "from" FROM pragma_foreign_key_list(?) WHERE id = ? ORDER BY seq').all(table, Number(fkid)) as { from: string }[];
    const column = cols.length === 1 ? (cols[0]?.from ?? null) : null;
    const where = cols.length > 0 ? `${table}.${cols.map((c) => c.from).join(', ')}` : table;
    throw new FixRefusedError(
      `${where}: ${plural(added, 'row')} would reference rows missing from ${parent}; nothing was changed`,
      table,
      column,
      added,
    );
  }
}

function checkIntegrity(db: Database.Database): void {
  const rows = db.pragma('integrity_check') as { integrity_check: string }[];
  const problems = rows.map((r) => r.integrity_check).filter((m) => m !== 'ok');
  if (problems.length > 0) {
    throw new FixFailedError(`integrity check failed after the fix; nothing was changed: ${problems.slice(0, 5).join('; ')}`, null, 'PRAGMA integrity_check');
  }
}

/** Explicit indexes and triggers of each table, by lower-cased name (SQLite names are case-insensitive). */
function schemaObjects(db: Database.Database, tables: readonly string[]): Map<string, Set<string>> {
  const query = db.prepare(`SELECT type, name FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL`);
  return new Map(
    tables.map((t) => [t, new Set((query.all(t) as { type: string; name: string }[]).map((r) => `${r.type} ${r.name.toLowerCase()}`))]),
  );
}

function checkObjectsKept(db: Database.Database, before: Map<string, Set<string>>): void {
  const after = schemaObjects(db, [...before.keys()]);
  for (const [table, objects] of before) {
    const lost = [...objects].filter((o) => !after.get(table)?.has(o));
    if (lost.length === 0) continue;
    throw new FixFailedError(
      `rebuilding ${table} would lose ${lost.join(', ')}, which the plan does not re-create (plan with the SQLite schema source); nothing was changed`,
      table,
      null,
    );
  }
}

function runInTransaction(db: Database.Database, plan: FixPlan): void {
  const rebuilt = plan.tables.filter((t) => t.action === 'rebuild').map((t) => t.table);
  const objectsBefore = schemaObjects(db, rebuilt);
  const fkBefore = foreignKeyState(db);
  // foreign_keys cannot change inside a transaction (12-step procedure, step 1);
  // legacy_alter_table keeps RENAME from failing on views that name the rebuilt table
  db.pragma('foreign_keys = OFF');
  db.pragma('legacy_alter_table = ON');
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const t of plan.tables) {
        for (const s of t.statements) {
          try {
            db.exec(s.sql);
          } catch (err) {
            const first = s.sql.split('\n')[0] ?? s.sql;
            throw new FixFailedError(`${t.table}: ${messageOf(err)} (in: ${first}); nothing was changed`, t.table, s.sql, { cause: err });
          }
        }
      }
      checkForeignKeys(db, fkBefore);
      checkIntegrity(db);
      checkObjectsKept(db, objectsBefore);
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  } finally {
    db.pragma('legacy_alter_table = OFF');
    db.pragma('foreign_keys = ON');
  }
}

export async function applyFixScript(sqlitePath: string, plan: FixPlan, opts: { backupPath?: string } = {}): Promise<ApplyResult> {
  const db = openSqlite(sqlitePath);
  try {
    // read-only checks first: a refusal leaves the file, and the folder, as they were
    runPreChecks(db, plan);
    const backupPath = opts.backupPath ?? backupPathFor(sqlitePath, new Date());
    try {
      await db.backup(backupPath);
    } catch (err) {
      throw new FixFailedError(`could not back up ${sqlitePath} to ${backupPath}: ${messageOf(err)}; nothing was changed`, null, null, { cause: err });
    }
    const statements = plan.tables.reduce((n, t) => n + t.statements.length, 0);
    if (statements > 0) runInTransaction(db, plan);
    return { backupPath, statements, tables: plan.tables.filter((t) => t.statements.length > 0).map((t) => t.table) };
  } finally {
    db.close();
  }
}
