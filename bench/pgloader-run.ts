/**
 * pgloader into an empty database, the tool people use today for a first SQLite to
 * PostgreSQL migration: it creates the tables, loads them, then adds indexes and FKs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runTimed } from './timed-process.js';

export interface PgloaderRun {
  code: number;
  ms: number;
  peakRss: number | null;
  /** Its closing summary table (or the error output). */
  diagnostics: string;
}

/** pgloader's version line, or null when it is not installed. */
export function pgloaderVersion(): string | null {
  const r = spawnSync('pgloader', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0 || r.error) return null;
  return r.stdout.split('\n')[0]?.trim() ?? 'pgloader';
}

export async function runPgloader(sqlitePath: string, targetUrl: string, workDir: string, timeoutMs: number): Promise<PgloaderRun> {
  const root = join(workDir, 'pgloader');
  mkdirSync(root, { recursive: true });
  const target = targetUrl.replace(/^postgres:\/\//, 'postgresql://');
  const r = await runTimed('pgloader', ['--root-dir', root, '--no-ssl-cert-verification', `sqlite://${sqlitePath}`, target], { cwd: root, timeoutMs });
  const output = `${r.stdout}\n${r.stderr}`;
  // Keep the summary table (from its header line on), which names rows and errors per table.
  const at = output.lastIndexOf('table name');
  return { code: r.code, ms: r.ms, peakRss: r.peakRss, diagnostics: (at >= 0 ? output.slice(at) : output).trim().slice(-4000) };
}
