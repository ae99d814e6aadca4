/**
 * The floor: what the databases' own bulk tools do with the same rows. `psql \copy`
 * of CSV into PostgreSQL, and `psql \copy ... TO` CSV plus `sqlite3 .import` the other
 * way. These carry no type conversion, no FK guard and no checkpoints, so they bound
 * what any replicator can reach.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runTimed, type TimedResult } from './timed-process.js';

export interface CsvTable {
  table: string;
  columns: string[];
  file: string;
}

export interface FloorResult {
  ms: number;
  code: number;
  peakRss: number | null;
  /** CPU time of the tools (psql, sqlite3) in ms, or null */
  cpuMs: number | null;
  diagnostics: string;
}

function sqliteColumns(sqlitePath: string, table: string): string[] {
  const db = new Database(sqlitePath, { readonly: true });
  try {
    return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
  } finally {
    db.close();
  }
}

function failure(step: string, r: TimedResult): Error {
  return new Error(`${step} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(-1500)}`);
}

/** Exports each table of the SQLite file to CSV with the sqlite3 shell (not timed: the floor's input). */
export async function exportSqliteCsv(sqlitePath: string, dir: string, tables: readonly string[]): Promise<CsvTable[]> {
  const out: CsvTable[] = [];
  for (const table of tables) {
    const columns = sqliteColumns(sqlitePath, table);
    const file = join(dir, `${table}.csv`);
    const r = await runTimed('sqlite3', ['-csv', sqlitePath, `SELECT ${columns.join(', ')} FROM ${table} ORDER BY rowid`], { stdoutFile: file });
    if (r.code !== 0) throw failure(`sqlite3 export of ${table}`, r);
    out.push({ table, columns, file });
  }
  return out;
}

const psqlArgs = (url: string, script: string): string[] => ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', script];

function toFloor(r: TimedResult): FloorResult {
  return { ms: r.ms, code: r.code, peakRss: r.peakRss, cpuMs: r.cpuMs, diagnostics: r.code === 0 ? '' : (r.stderr || r.stdout).trim().slice(-1500) };
}

/** `\copy t (cols) FROM 'file' CSV` for every table, in the given (FK) order, one psql session. */
export async function psqlCopyIn(url: string, csv: readonly CsvTable[], scriptDir: string): Promise<FloorResult> {
  const script = join(scriptDir, 'copy-in.psql');
  writeFileSync(script, csv.map((t) => `\\copy ${t.table} (${t.columns.join(', ')}) FROM '${t.file}' WITH (FORMAT csv)`).join('\n') + '\n');
  return toFloor(await runTimed('psql', psqlArgs(url, script)));
}

export interface RoundTripFloor extends FloorResult {
  exportMs: number;
  importMs: number;
}

/** `\copy (SELECT cols FROM t) TO 'file' CSV` for every table, then `.import --csv` into the SQLite file. */
export async function psqlCopyOutSqliteImport(url: string, sqliteTarget: string, tables: readonly string[], dir: string): Promise<RoundTripFloor> {
  const csv = tables.map((table) => ({ table, columns: sqliteColumns(sqliteTarget, table), file: join(dir, `${table}.out.csv`) }));
  const outScript = join(dir, 'copy-out.psql');
  writeFileSync(outScript, csv.map((t) => `\\copy (SELECT ${t.columns.join(', ')} FROM ${t.table}) TO '${t.file}' WITH (FORMAT csv)`).join('\n') + '\n');
  const exported = await runTimed('psql', psqlArgs(url, outScript));
  if (exported.code !== 0) return { ...toFloor(exported), exportMs: exported.ms, importMs: 0 };
  const importScript = join(dir, 'import.sqlite');
  writeFileSync(importScript, ['.bail on', ...csv.map((t) => `.import --csv '${t.file}' ${t.table}`)].join('\n') + '\n');
  const imported = await runTimed('sqlite3', [sqliteTarget], { stdinFile: importScript });
  return {
    ms: exported.ms + imported.ms,
    code: imported.code,
    peakRss: Math.max(exported.peakRss ?? 0, imported.peakRss ?? 0) || null,
    cpuMs: exported.cpuMs === null || imported.cpuMs === null ? null : exported.cpuMs + imported.cpuMs,
    diagnostics: imported.code === 0 ? '' : (imported.stderr || imported.stdout).trim().slice(-1500),
    exportMs: exported.ms,
    importMs: imported.ms,
  };
}
