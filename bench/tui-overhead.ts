/**
 * Case f: does watching a run slow it down? The same full sqlite-to-pg load (case b's:
 * existing schema, live FKs) measured without a UI (`run --json`, as case b) and with the
 * TUI attached (`run --tui` in a 120x40 pseudo-terminal whose output a headless xterm
 * parses, as a terminal would), on a fresh copy of the data each time. Rounds alternate
 * the order (plain, tui; tui, plain) and the median time of each side counts, so the host's
 * drift (+-20-50% within minutes here) and a burst of other work do not land on one side only.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import xterm from '@xterm/headless';
import * as pty from 'node-pty';
import pg from 'pg';
import { posPostgresSchemaPath, POS_TABLES, type GeneratedPos } from './generate-pos.js';
import { countTables, createDatabase, dropDatabase, execute, runSqlFile, withClient } from './pg-admin.js';
import { replicateArgs, runReplicate } from './replicate-run.js';
import type { Measurement, MeasurementKey } from './results.js';
import { median, spreadNote } from './samples.js';
import { hasGnuTime } from './timed-process.js';

export interface TuiOverheadContext {
  adminUrl: string;
  workDir: string;
  dataset: GeneratedPos;
  batchSize: number | null;
  /** rounds of (plain, tui) runs, order alternating; the median of each side counts */
  rounds: number;
  timeoutMs: number;
  log(message: string): void;
}

export const TUI_LABELS = {
  'f.replicate': 'replicate run --tui, 120x40 terminal',
  'f.plain': 'replicate run --json, same load (no UI)',
} as const satisfies Partial<Record<MeasurementKey, string>>;

const COLS = 120;
const ROWS = 40;
const DATABASE = 'bench_tui';
const CLI = fileURLToPath(new URL('../bin/replicate', import.meta.url));
const { Terminal } = xterm;

interface OneRun {
  /** wall time from spawn to the end of the run (exit, or the run's finished_at seen in the target) */
  ms: number;
  /** the engine's own run time (runs.finished_at - started_at), null when not recorded */
  engineMs: number | null;
  peakRss: number | null;
  landed: number;
  failure: string | null;
  /** CPU seconds this bench process spent meanwhile (the terminal emulation and the polling), TUI side only */
  benchCpuS?: number;
}

/** Null when `replicate run` takes --tui, else why case f cannot be measured. */
export function tuiUnsupported(): string | null {
  const help = spawnSync(process.execPath, [CLI, 'run', '--help'], { encoding: 'utf8' });
  return /--tui\b/.test(help.stdout) ? null : 'replicate run has no --tui option in this build';
}

async function engineRunMs(client: pg.Client): Promise<{ finished: boolean; ms: number | null }> {
  try {
    const r = await client.query<{ ms: number | null }>(
      'SELECT extract(epoch FROM finished_at - started_at) * 1000 AS ms FROM replicate.runs ORDER BY started_at DESC LIMIT 1',
    );
    const row = r.rows[0];
    return row ? { finished: row.ms !== null, ms: row.ms === null ? null : Number(row.ms) } : { finished: false, ms: null };
  } catch {
    return { finished: false, ms: null }; // the state tables do not exist until the run made them
  }
}


async function landed(url: string): Promise<number> {
  const counts = await countTables(url);
  return POS_TABLES.reduce((n, t) => n + (counts.get(t) ?? 0), 0);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One `replicate run --tui` in a pseudo-terminal; done when the run is finished in the target. */
async function runWithTui(ctx: TuiOverheadContext, sqlitePath: string, url: string, client: pg.Client): Promise<OneRun> {
  const cwd = mkdtempSync(join(tmpdir(), 'replicate-bench-tui-'));
  const rssFile = join(cwd, 'max-rss');
  const args = [...replicateArgs({ sqlitePath, pgUrl: url, direction: 'sqlite-to-pg', ...(ctx.batchSize ? { batchSize: ctx.batchSize } : {}) }).filter((a) => a !== '--json'), '--tui'];
  const [file, argv] = hasGnuTime() ? ['/usr/bin/time', ['-f', '%M', '-o', rssFile, process.execPath, CLI, ...args]] : [process.execPath, [CLI, ...args]];
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !['PG_URL', 'SQLITE_PATH', 'PG_SCHEMA', 'NO_COLOR'].includes(k)) env[k] = v;
  const term = new Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
  const screen = (): string => {
    const b = term.buffer.active;
    return Array.from({ length: ROWS }, (_, y) => b.getLine(b.viewportY + y)?.translateToString(true) ?? '').join('\n');
  };
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const child = pty.spawn(file, argv, { name: 'xterm-256color', cols: COLS, rows: ROWS, cwd, env: { ...env, TERM: 'xterm-256color' } });
  let exit: number | null = null;
  child.onData((d) => term.write(d));
  child.onExit((e) => {
    exit = e.exitCode;
  });
  try {
    let ms: number | null = null;
    let engineMs: number | null = null;
    let benchCpuS: number | undefined;
    while (ms === null) {
      if (performance.now() - started > ctx.timeoutMs) return { ms: 0, engineMs: null, peakRss: null, landed: 0, failure: `no end after ${ctx.timeoutMs} ms; screen:\n${screen()}` };
      const ended = exit !== null;
      const run = await engineRunMs(client);
      if (run.finished || ended) {
        ms = performance.now() - started;
        const cpu = process.cpuUsage(cpuAtStart);
        benchCpuS = (cpu.user + cpu.system) / 1e6;
        engineMs = run.ms;
        if (ended && !run.finished) return { ms, engineMs, peakRss: null, landed: 0, failure: `the TUI exited (${exit}) before the run finished; screen:\n${screen()}` };
      } else {
        await sleep(100);
      }
    }
    // Quit as a user would: q, and confirm if asked (answers the run is over, so usually not asked).
    for (const key of ['q', 'y', 'q']) {
      if (exit !== null) break;
      child.write(key);
      for (let i = 0; i < 40 && exit === null; i++) await sleep(50);
    }
    let peakRss: number | null = null;
    if (exit === null) {
      child.kill('SIGKILL');
    } else if (hasGnuTime()) {
      await sleep(50);
      peakRss = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) * 1024 || null;
    }
    return { ms, engineMs, peakRss, landed: await landed(url), failure: null, ...(benchCpuS === undefined ? {} : { benchCpuS }) };
  } finally {
    if (exit === null) child.kill('SIGKILL');
    term.dispose();
    rmSync(cwd, { recursive: true, force: true });
  }
}

async function runPlain(ctx: TuiOverheadContext, sqlitePath: string, url: string): Promise<OneRun> {
  const r = await runReplicate({ sqlitePath, pgUrl: url, direction: 'sqlite-to-pg', timeoutMs: ctx.timeoutMs, ...(ctx.batchSize ? { batchSize: ctx.batchSize } : {}) });
  const failure = r.code === 0 || r.code === 3 ? null : `exit ${r.code}: ${r.diagnostics}`;
  return { ms: r.ms, engineMs: await withClient(url, async (c) => (await engineRunMs(c)).ms), peakRss: r.peakRss, landed: failure ? 0 : await landed(url), failure };
}

/** A fresh target schema and a fresh copy of the source, then one measured run. */
async function measureOnce(ctx: TuiOverheadContext, side: 'plain' | 'tui', round: number): Promise<OneRun> {
  const url = await createDatabase(ctx.adminUrl, DATABASE);
  await runSqlFile(url, posPostgresSchemaPath());
  const source = join(ctx.workDir, `f-${side}-${round}.db`);
  copyFileSync(ctx.dataset.path, source);
  await execute(ctx.adminUrl, 'CHECKPOINT').catch(() => undefined);
  ctx.log(`f: round ${round}, ${side === 'tui' ? 'replicate run --tui in a 120x40 pty' : 'replicate run --json'}`);
  try {
    return side === 'tui' ? await withClient(url, (client) => runWithTui(ctx, source, url, client)) : await runPlain(ctx, source, url);
  } finally {
    rmSync(source, { force: true });
    await dropDatabase(ctx.adminUrl, DATABASE);
  }
}

/**
 * Each round's TUI time over its plain time: the two runs of a round are back to back, so the
 * host's slower drift (the medians of each side still carry it) mostly cancels in their ratio.
 */
function pairedNote(tui: readonly OneRun[], plain: readonly OneRun[]): string {
  const n = Math.min(tui.length, plain.length);
  if (n === 0) return '';
  const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  const ratios = Array.from({ length: n }, (_, i) => (tui[i] as OneRun).ms / (plain[i] as OneRun).ms - 1);
  return `paired, each round's TUI time over its plain run's: ${ratios.map(pct).join(', ')} (median ${pct(median(ratios))})`;
}

function result(key: keyof typeof TUI_LABELS, runs: OneRun[], expected: number, extra = ''): Measurement {
  const base = { key, case: 'f' as const, label: TUI_LABELS[key], rows: null, seconds: null, peakRssMb: null };
  if (runs.length === 0) return { ...base, status: 'skipped', note: 'not measured: the other side failed first' };
  const failed = runs.find((r) => r.failure);
  if (failed?.failure) return { ...base, status: 'failed', note: failed.failure.replace(/\s+/g, ' ').slice(0, 600) };
  const ms = runs.map((r) => r.ms);
  const short = runs.find((r) => r.landed !== expected);
  const engine = runs.map((r) => r.engineMs).filter((x): x is number => x !== null);
  const benchCpu = runs.map((r) => r.benchCpuS).filter((x): x is number => x !== undefined);
  const notes = [
    short ? `landed ${short.landed.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')} rows` : '',
    spreadNote(ms),
    engine.length ? `engine run time ${(median(engine) / 1000).toFixed(2)} s (median)` : '',
    // the headless xterm parses the UI's output in this process, which shares the machine's cores
    // with the run as a real terminal would; its CPU is shown so it can be weighed
    benchCpu.length ? `the bench process (terminal emulation, polling) used ${median(benchCpu).toFixed(2)} s CPU meanwhile (median)` : '',
    extra,
  ].filter(Boolean);
  const rss = runs.map((r) => r.peakRss).filter((x): x is number => x !== null);
  const landedRows = short?.landed ?? expected;
  return { ...base, rows: landedRows, seconds: median(ms) / 1000, peakRssMb: rss.length ? Math.max(...rss) / 1e6 : null, status: 'ok', note: notes.join('; '), samplesSeconds: ms.map((x) => x / 1000) };
}

/** Case f's two measurements: with the TUI ('f.replicate') and its reference without ('f.plain'). */
export async function measureTuiOverhead(ctx: TuiOverheadContext): Promise<Measurement[]> {
  const why = tuiUnsupported();
  if (why) {
    return (['f.replicate', 'f.plain'] as const).map((key) => ({ key, case: 'f', label: TUI_LABELS[key], rows: null, seconds: null, peakRssMb: null, status: 'skipped', note: why }));
  }
  const runs: Record<'plain' | 'tui', OneRun[]> = { plain: [], tui: [] };
  for (let round = 1; round <= ctx.rounds; round++) {
    const order = round % 2 === 1 ? (['plain', 'tui'] as const) : (['tui', 'plain'] as const);
    for (const side of order) {
      const r = await measureOnce(ctx, side, round);
      runs[side].push(r);
      if (r.failure) return [result('f.replicate', runs.tui, ctx.dataset.rows), result('f.plain', runs.plain, ctx.dataset.rows)];
    }
  }
  return [result('f.replicate', runs.tui, ctx.dataset.rows, pairedNote(runs.tui, runs.plain)), result('f.plain', runs.plain, ctx.dataset.rows)];
}
