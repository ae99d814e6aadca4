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
  cpuMs: number | null;
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
  return { code: r.code, ms: r.ms, peakRss: r.peakRss, cpuMs: r.cpuMs, diagnostics: r.code === 0 ? summaryTable(output) : failureReason(output) };
}

/** The closing summary table (from its header line on), which names rows and errors per table. */
function summaryTable(output: string): string {
  const at = output.lastIndexOf('table name');
  return (at >= 0 ? output.slice(at) : output).trim().slice(-4000);
}

/** The lines that say why it stopped (SBCL's "Heap exhausted" lands in its debugger, LDB). */
function failureReason(output: string): string {
  const telling = output.split('\n').filter((l) => /heap exhausted|fatal error|ERROR|killed after/i.test(l)).map((l) => l.trim());
  return (telling.length ? [...new Set(telling)].slice(0, 4).join(' | ') : output.trim().slice(-1000)).slice(0, 1000);
}
