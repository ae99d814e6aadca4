/**
 * One measured `replicate run ... --json` as a user would start it: a child process
 * from the built CLI, in a working directory without mapping files (so the mapping is
 * the one `replicate map` would generate), timed from spawn to exit.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasGnuTime, runTimed } from './timed-process.js';

export type Direction = 'sqlite-to-pg' | 'pg-to-sqlite';

export interface ReplicateTableSummary {
  name: string;
  read: number;
  written: number;
  skipped: number;
  rejected: number;
  ms: number;
  error?: string;
}

/** What `replicate run --json` prints. */
export interface ReplicateSummary {
  direction: Direction;
  status: string;
  tables: ReplicateTableSummary[];
  waiting?: unknown;
  ms: number;
}

export interface ReplicateRunOptions {
  sqlitePath: string;
  pgUrl: string;
  direction: Direction;
  createMissing?: boolean;
  full?: boolean;
  batchSize?: number;
  /** Kill the run after this long. */
  timeoutMs?: number;
}

export interface ReplicateRun {
  args: string[];
  code: number;
  ms: number;
  peakRss: number | null;
  /** CPU time of the run (every thread), in ms, or null */
  cpuMs: number | null;
  summary: ReplicateSummary | null;
  /** Rows written over all tables (0 when no summary came back). */
  written: number;
  /** The end of stderr (and stdout when it was not JSON), for failures. */
  diagnostics: string;
}

// bench/ and dist-bench/ both sit in the package root.
export const CLI = fileURLToPath(new URL('../bin/replicate', import.meta.url));
const CLI_MAIN = new URL('../dist/cli/main.js', import.meta.url).href;

/** Without GNU time: run main() in a wrapper that records its own maxRSS and CPU time (ms) in a side file. */
const RSS_WRAPPER = `
import { writeFileSync } from 'node:fs';
const [mainUrl, rssFile, ...args] = process.argv.slice(1);
const { main } = await import(mainUrl);
const code = await main(args);
const u = process.resourceUsage();
writeFileSync(rssFile, u.maxRSS * 1024 + ' ' + (u.userCPUTime + u.systemCPUTime) / 1000);
process.exitCode = code;
`;

function parseSummary(stdout: string): ReplicateSummary | null {
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) return null;
  try {
    const v: unknown = JSON.parse(line);
    if (typeof v === 'object' && v !== null && 'tables' in v && Array.isArray(v.tables)) return v as ReplicateSummary;
  } catch {
    // not JSON: reported through diagnostics
  }
  return null;
}

export function replicateArgs(o: ReplicateRunOptions): string[] {
  return [
    'run', '--sqlite', o.sqlitePath, '--pg', o.pgUrl, '--direction', o.direction,
    ...(o.createMissing ? ['--create-missing'] : []),
    ...(o.full ? ['--full'] : []),
    ...(o.batchSize ? ['--batch-size', String(o.batchSize)] : []),
    '--json',
  ];
}

/**
 * Where a measured run starts, as a user's would: a working directory of its own (no
 * mapping or config files) and the environment without the connection variables, so the
 * flags alone name the pair. The caller removes `cwd`.
 */
export function runPlace(): { cwd: string; env: NodeJS.ProcessEnv } {
  const env = { ...process.env };
  for (const k of ['PG_URL', 'SQLITE_PATH', 'PG_SCHEMA']) delete env[k];
  return { cwd: mkdtempSync(join(tmpdir(), 'replicate-bench-cwd-')), env };
}

export async function runReplicate(o: ReplicateRunOptions): Promise<ReplicateRun> {
  const { cwd, env } = runPlace();
  const args = replicateArgs(o);
  const limit = o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs };
  try {
    let result;
    let peakRss: number | null;
    let cpuMs: number | null;
    if (hasGnuTime()) {
      result = await runTimed(process.execPath, [CLI, ...args], { cwd, env, ...limit });
      peakRss = result.peakRss;
      cpuMs = result.cpuMs;
    } else {
      const rssFile = join(cwd, 'max-rss');
      result = await runTimed(process.execPath, ['--input-type=module', '-e', RSS_WRAPPER, CLI_MAIN, rssFile, ...args], { cwd, env, ...limit });
      try {
        const [rss, cpu] = readFileSync(rssFile, 'utf8').split(' ').map(Number);
        peakRss = rss || null;
        cpuMs = cpu ?? null;
      } catch {
        peakRss = null;
        cpuMs = null;
      }
    }
    const summary = parseSummary(result.stdout);
    const written = summary ? summary.tables.reduce((n, t) => n + t.written, 0) : 0;
    const diagnostics = (summary ? result.stderr : `${result.stderr}\n${result.stdout}`).trim().slice(-2000);
    return { args, code: result.code, ms: result.ms, peakRss, cpuMs, summary, written, diagnostics };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
