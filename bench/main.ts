/**
 * `npm run bench`: generate the point-of-sale database, start a PostgreSQL at its default
 * settings, measure replicate against pgloader and the floor on the same data, print
 * the table (or JSON), and compare with / save a baseline.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchOptions, USAGE, type BenchOptions } from './bench-options.js';
import { DEFAULT_SEED, generatePos } from './generate-pos.js';
import { describeMachine, loadAverageNow } from './machine.js';
import { describeServer } from './pg-admin.js';
import { pgloaderVersion } from './pgloader-run.js';
import { startBenchPostgres } from './postgres-server.js';
import { renderBaseline, renderResults } from './render-table.js';
import { judgeGoals, parseBaseline, type BenchResults } from './results.js';
import { runCases } from './run-cases.js';
import { serverCpu } from './server-cpu.js';
import { measureTuiOverhead } from './tui-overhead.js';

const started = performance.now();
const log = (message: string): void => {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
};

interface Server {
  url: string;
  profile: string;
  /** the server's data directory where the benchmark started it (its CPU time is read then), else null */
  dataDir: string | null;
  stop(): Promise<void>;
}

async function startServer(opts: BenchOptions): Promise<Server> {
  if (opts.pgUrl) return { url: opts.pgUrl, profile: 'external server', dataDir: null, stop: async () => undefined };
  log(`starting PostgreSQL (${opts.pgSettings} settings)`);
  const s = await startBenchPostgres(opts.pgSettings);
  return { url: s.url, profile: s.profile, dataDir: s.dataDir, stop: () => s.stop() };
}

function readBaseline(opts: BenchOptions): BenchResults | null {
  if (!opts.baseline) return null;
  if (!existsSync(opts.baseline)) {
    if (opts.saveBaseline) return null; // first run of a ratchet: nothing to compare with yet
    throw new Error(`--baseline ${opts.baseline}: no such file (add --save-baseline to create it)`);
  }
  return parseBaseline(readFileSync(opts.baseline, 'utf8'), opts.baseline);
}

async function bench(opts: BenchOptions, baseline: BenchResults | null): Promise<number> {
  const loadAtStart = loadAverageNow();
  const workDir = opts.workDir ? resolve(opts.workDir) : mkdtempSync(join(tmpdir(), 'replicate-bench-'));
  mkdirSync(workDir, { recursive: true });
  const server = await startServer(opts);
  const cleanup = async (): Promise<void> => {
    await server.stop().catch(() => undefined);
    if (!opts.keep && !opts.workDir) rmSync(workDir, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  try {
    const pgloader = pgloaderVersion();
    const pgloaderSkipped = opts.skipPgloader ? 'skipped (--skip-pgloader)' : pgloader ? null : 'pgloader not installed (apt-get install pgloader)';
    const seed = opts.seed ?? DEFAULT_SEED;
    log(`generating the point-of-sale database at scale ${opts.scale}`);
    const dataset = generatePos(join(workDir, 'source.db'), { scale: opts.scale, seed });
    log(`generated ${dataset.rows.toLocaleString('en-US')} rows in ${(dataset.ms / 1000).toFixed(1)} s`);
    const cases = await runCases({ adminUrl: server.url, workDir, dataset, cases: opts.cases, batchSize: opts.batchSize, rounds: opts.rounds, dRounds: opts.dRounds, pgloaderSkipped, keepDatabases: opts.keep, timeoutMs: Math.max(1, opts.scale) * 30 * 60_000, serverCpu: serverCpu(server.dataDir), log });
    const tui = opts.skipTui ? [] : await measureTuiOverhead({ adminUrl: server.url, workDir, dataset, batchSize: opts.batchSize, rounds: opts.fRounds, timeoutMs: Math.max(1, opts.scale) * 30 * 60_000, log });
    const measurements = [...cases.measurements, ...tui];
    const machine = describeMachine(await describeServer(server.url), server.profile, pgloader, loadAtStart);
    const results: BenchResults = {
      version: 1,
      startedAt: new Date().toISOString(),
      scale: opts.scale,
      seed,
      batchSize: opts.batchSize,
      machine,
      dataset: { rows: dataset.rows, counts: dataset.counts, generateSeconds: dataset.ms / 1000, sqliteBytes: statSync(dataset.path).size, changedRows: cases.changedRows },
      measurements,
      goals: judgeGoals(measurements),
    };
    if (opts.json) {
      process.stdout.write(JSON.stringify(results, null, 2) + '\n');
    } else {
      process.stdout.write('\n' + renderResults(results) + '\n');
      if (baseline && opts.baseline) process.stdout.write('\n' + renderBaseline(results, baseline, opts.baseline) + '\n');
    }
    if (opts.saveBaseline) {
      mkdirSync(dirname(resolve(opts.saveBaseline)), { recursive: true });
      writeFileSync(opts.saveBaseline, JSON.stringify(results, null, 2) + '\n');
      log(`saved the results to ${opts.saveBaseline}`);
    }
    if (opts.keep) log(`kept ${workDir}${opts.pgUrl ? ' and the bench_* databases' : ''}`);
    // pgloader failing (it runs out of heap on large inputs) is a result; anything else failing is not.
    return measurements.some((m) => m.status === 'failed' && m.key !== 'a.pgloader') ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    await cleanup();
  }
}

async function main(argv: string[]): Promise<number> {
  let opts: BenchOptions;
  try {
    opts = parseBenchOptions(argv);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  let baseline: BenchResults | null;
  try {
    const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
    baseline = readBaseline(opts);
  } catch (e) {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  return bench(opts, baseline);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
