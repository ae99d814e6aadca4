/**
 * The measurements of one benchmark run, on one generated database, in one go:
 * a) first migration into an empty database: replicate --create-missing vs pgloader;
 * b) full load into an existing schema with live FKs: replicate vs psql \copy;
 * c) full pg-to-sqlite into a schema-only file: replicate vs \copy TO + sqlite3 .import;
 * d) incremental sqlite-to-pg after 0.1% of orders and order lines changed.
 * Each side gets its own copy of the data, so no run sees another's state.
 */
import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { changeFraction } from './change-rows.js';
import { exportSqliteCsv, psqlCopyIn, psqlCopyOutSqliteImport, type FloorResult } from './floor.js';
import { createPosSqliteSchema, posPostgresSchemaPath, POS_TABLES, type GeneratedPos } from './generate-pos.js';
import { countTables, createDatabase, databaseUrl, dropDatabase, execute, runSqlFile } from './pg-admin.js';
import { runPgloader } from './pgloader-run.js';
import { runReplicate, type Direction, type ReplicateRun, type ReplicateRunOptions } from './replicate-run.js';
import { BENCH_SCHEDULE, scheduledRounds } from './scheduled-runs.js';
import { changePostgresFraction, incrementalRounds, type IncrementalRound, type IncrementalRoundsOptions } from './incremental-rounds.js';
import { median, spreadNote } from './samples.js';
import type { CaseLetter } from './bench-options.js';
import type { CaseId, Measurement, MeasurementKey } from './results.js';
import type { ServerCpu } from './server-cpu.js';
import { TUI_LABELS } from './tui-overhead.js';

export interface CaseContext {
  adminUrl: string;
  workDir: string;
  dataset: GeneratedPos;
  /** the cases asked for (c needs b's floor load as its source, d needs b) */
  cases: ReadonlySet<CaseLetter>;
  batchSize: number | null;
  /** pairs of (replicate, reference) runs for cases a, b and c; the median of each side counts */
  rounds: number;
  /** Why pgloader is not measured, or null to measure it. */
  pgloaderSkipped: string | null;
  keepDatabases: boolean;
  /** incremental rounds for case d, each after a fresh 0.1% change; the median counts */
  dRounds: number;
  /** Longest any one measured process may run before it is killed and reported as failed. */
  timeoutMs: number;
  /** the PostgreSQL server's CPU time, sampled around each measured process */
  serverCpu: ServerCpu;
  log(message: string): void;
}

export interface CaseResults {
  measurements: Measurement[];
  /** rows changed before each incremental round */
  changedRows: number;
}

export const CHANGED_FRACTION = 0.001;
/** case d: rounds of the same run with nothing changed, after the rounds with changes (their note) */
const IDLE_ROUNDS = 3;
const DATABASES = ['bench_pgloader', 'bench_create', 'bench_copy', 'bench_existing'] as const;

const LABELS: Record<MeasurementKey, string> = {
  'a.replicate': 'replicate run --create-missing, empty db',
  'a.pgloader': 'pgloader, empty db',
  'b.replicate': 'replicate run, existing schema with live FKs',
  'b.copy': 'psql \\copy CSV into the same schema',
  'c.replicate': 'replicate run pg-to-sqlite, schema-only file',
  'c.floor': 'psql \\copy TO CSV + sqlite3 .import',
  'd.replicate': 'replicate run, incremental (0.1% changed)',
  'd.scheduled': 'replicate run --schedule, the same in one process',
  'd.pull': 'replicate run pg-to-sqlite, incremental (0.1% changed in PG)',
  ...TUI_LABELS,
};

const mb = (bytes: number | null): number | null => (bytes === null ? null : bytes / 1e6);

type Cpu = NonNullable<Measurement['cpu']>;

/** Runs one measured process; the server's CPU time meanwhile (seconds) comes along. */
async function withServerCpu<T>(ctx: CaseContext, run: () => Promise<T>): Promise<{ value: T; server: number | null }> {
  const before = await ctx.serverCpu.sample();
  const value = await run();
  const after = await ctx.serverCpu.sample();
  return { value, server: before === null || after === null ? null : after - before };
}

const cpuOf = (toolMs: number | null, server: number | null): Cpu => ({ tool: toolMs === null ? null : toolMs / 1000, server });

function measurement(key: MeasurementKey, fields: Partial<Measurement>): Measurement {
  const [c] = key.split('.') as [CaseId];
  return { key, case: c, label: LABELS[key], rows: null, seconds: null, peakRssMb: null, status: 'ok', ...fields };
}

async function landedInPostgres(url: string): Promise<number> {
  const counts = await countTables(url);
  return POS_TABLES.reduce((n, t) => n + (counts.get(t) ?? 0), 0);
}

function landedInSqlite(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return POS_TABLES.reduce((n, t) => n + Number((db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n), 0);
  } finally {
    db.close();
  }
}

/** Turns a finished load into a measurement, noting rows that did not land. */
function loaded(key: MeasurementKey, expected: number, landed: number, ms: number, peakRss: number | null, cpu: Cpu, extra?: string): Measurement {
  const notes = [landed !== expected ? `landed ${landed.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')} rows` : '', extra ?? ''].filter(Boolean);
  return measurement(key, { rows: landed, seconds: ms / 1000, peakRssMb: mb(peakRss), cpu, ...(notes.length ? { note: notes.join('; ') } : {}) });
}

function failed(key: MeasurementKey, why: string): Measurement {
  return measurement(key, { status: 'failed', note: why.replace(/\s+/g, ' ').slice(0, 600) });
}

function waitingNote(run: ReplicateRun): string | undefined {
  if (!run.summary) return undefined;
  const skipped = run.summary.tables.reduce((n, t) => n + t.skipped, 0);
  const rejected = run.summary.tables.reduce((n, t) => n + t.rejected, 0);
  return skipped || rejected || run.code === 3 ? `exit ${run.code}: ${skipped} skipped, ${rejected} rejected` : undefined;
}

async function replicateCase(key: MeasurementKey, ctx: CaseContext, o: ReplicateRunOptions, count: () => Promise<number> | number): Promise<{ m: Measurement; run: ReplicateRun | null }> {
  ctx.log(`${key}: replicate ${o.direction}${o.createMissing ? ' --create-missing' : ''}`);
  await checkpoint(ctx);
  const { value: run, server } = await withServerCpu(ctx, () => runReplicate({ ...o, timeoutMs: ctx.timeoutMs, ...(ctx.batchSize ? { batchSize: ctx.batchSize } : {}) }));
  if (run.code !== 0 && run.code !== 3) return { m: failed(key, `exit ${run.code}: ${run.diagnostics}`), run };
  return { m: loaded(key, ctx.dataset.rows, await count(), run.ms, run.peakRss, cpuOf(run.cpuMs, server), waitingNote(run)), run };
}

/** Starts each measurement with no dirty buffers left over from the previous one. */
async function checkpoint(ctx: CaseContext): Promise<void> {
  await execute(ctx.adminUrl, 'CHECKPOINT').catch(() => undefined); // needs superuser on --pg-url servers
}

function floorMeasurement(key: MeasurementKey, expected: number, r: FloorResult, server: number | null, landed: number): Measurement {
  return r.code === 0 ? loaded(key, expected, landed, r.ms, null, cpuOf(r.cpuMs, server)) : failed(key, `exit ${r.code}: ${r.diagnostics}`);
}

/** Each side's median over the rounds that measured it. */
function medianCpu(rounds: readonly (Cpu | undefined)[]): Cpu {
  const of = (pick: (c: Cpu) => number | null): number | null => {
    const xs = rounds.flatMap((c) => (c === undefined || pick(c) === null ? [] : [pick(c) as number]));
    return xs.length ? median(xs) : null;
  };
  return { tool: of((c) => c.tool), server: of((c) => c.server) };
}

/** A side measured in several rounds: the median time counts and the note gives the spread; a failed round fails the side. */
function ofRounds(rounds: readonly Measurement[]): Measurement {
  const last = rounds[rounds.length - 1];
  if (last === undefined) throw new Error('no rounds measured');
  if (rounds.length === 1) return last;
  const bad = rounds.find((m) => m.status !== 'ok');
  if (bad) return bad;
  const seconds = rounds.map((m) => m.seconds ?? 0);
  const rss = rounds.flatMap((m) => (m.peakRssMb === null ? [] : [m.peakRssMb]));
  const notes = [...new Set(rounds.flatMap((m) => (m.note ? [m.note] : [])))];
  return { ...last, seconds: median(seconds), peakRssMb: rss.length ? Math.max(...rss) : null, cpu: medianCpu(rounds.map((m) => m.cpu)), samplesSeconds: seconds, note: [spreadNote(seconds.map((x) => x * 1000)), ...notes].join('; ') };
}

/**
 * A case's two sides in `ctx.rounds` pairs, order alternating (even rounds run the reference
 * first), so a drift of the host's speed falls on both sides rather than on one.
 */
async function pairedRounds(ctx: CaseContext, ours: (round: number) => Promise<Measurement>, reference: (round: number) => Promise<Measurement>): Promise<[Measurement, Measurement]> {
  const a: Measurement[] = [];
  const b: Measurement[] = [];
  for (let round = 1; round <= ctx.rounds; round++) {
    if (ctx.rounds > 1) ctx.log(`round ${round} of ${ctx.rounds}`);
    if (round % 2 === 1) {
      a.push(await ours(round));
      b.push(await reference(round));
    } else {
      b.push(await reference(round));
      a.push(await ours(round));
    }
  }
  return [ofRounds(a), ofRounds(b)];
}

/** a) First migration into an empty database: replicate --create-missing, and pgloader. */
async function firstMigration(ctx: CaseContext, copyOf: (name: string) => string, out: Measurement[]): Promise<void> {
  const { workDir } = ctx;
  const expected = ctx.dataset.rows;
  const source = ctx.dataset.path;
  const ours = async (): Promise<Measurement> => {
    const createUrl = await createDatabase(ctx.adminUrl, 'bench_create');
    const m = (await replicateCase('a.replicate', ctx, { sqlitePath: copyOf('a-source.db'), pgUrl: createUrl, direction: 'sqlite-to-pg', createMissing: true }, () => landedInPostgres(createUrl))).m;
    if (!ctx.keepDatabases) await dropDatabase(ctx.adminUrl, 'bench_create');
    return m;
  };
  const pgloader = async (): Promise<Measurement> => {
    if (ctx.pgloaderSkipped) return measurement('a.pgloader', { status: 'skipped', note: ctx.pgloaderSkipped });
    const url = await createDatabase(ctx.adminUrl, 'bench_pgloader');
    ctx.log('a.pgloader: pgloader sqlite:// -> empty database');
    await checkpoint(ctx);
    const { value: r, server } = await withServerCpu(ctx, () => runPgloader(source, url, workDir, ctx.timeoutMs));
    const m = r.code === 0 ? loaded('a.pgloader', expected, await landedInPostgres(url), r.ms, r.peakRss, cpuOf(r.cpuMs, server)) : failed('a.pgloader', `exit ${r.code}: ${r.diagnostics}`);
    if (!ctx.keepDatabases) await dropDatabase(ctx.adminUrl, 'bench_pgloader');
    return m;
  };
  out.push(...(await pairedRounds(ctx, ours, pgloader)));
}

/** c) PostgreSQL to a SQLite file that has the schema: replicate, then \\copy TO + sqlite3 .import. */
async function pgToSqlite(ctx: CaseContext, copyUrl: string, csvDir: string, out: Measurement[]): Promise<void> {
  const { workDir } = ctx;
  const expected = ctx.dataset.rows;
  await execute(copyUrl, 'VACUUM ANALYZE');
  const ours = async (): Promise<Measurement> => {
    const cReplicate = join(workDir, 'c-replicate.db');
    createPosSqliteSchema(cReplicate);
    return (await replicateCase('c.replicate', ctx, { sqlitePath: cReplicate, pgUrl: copyUrl, direction: 'pg-to-sqlite' }, () => landedInSqlite(cReplicate))).m;
  };
  const reference = async (): Promise<Measurement> => {
    const cFloor = join(workDir, 'c-floor.db');
    createPosSqliteSchema(cFloor);
    ctx.log('c.floor: psql \\copy TO CSV, then sqlite3 .import');
    await checkpoint(ctx);
    const { value: roundTrip, server } = await withServerCpu(ctx, () => psqlCopyOutSqliteImport(copyUrl, cFloor, POS_TABLES, csvDir));
    const floor = floorMeasurement('c.floor', expected, roundTrip, server, roundTrip.code === 0 ? landedInSqlite(cFloor) : 0);
    if (roundTrip.code === 0) floor.note = [floor.note, `\\copy TO ${(roundTrip.exportMs / 1000).toFixed(2)} s + .import ${(roundTrip.importMs / 1000).toFixed(2)} s`].filter(Boolean).join('; ');
    return floor;
  };
  out.push(...(await pairedRounds(ctx, ours, reference)));
}

/** "round N: exit C: ..." for the first round whose run failed (`what` after its number), or null. */
function failedRound(rounds: readonly IncrementalRound[], what = ''): string | null {
  const i = rounds.findIndex((r) => r.run.code !== 0 && r.run.code !== 3);
  const r = rounds[i];
  return r ? `round ${i + 1}${what}: exit ${r.run.code}: ${r.run.diagnostics}` : null;
}

/** Rounds whose run wrote other than the rows changed, or left rows waiting. */
function roundNotes(rounds: readonly IncrementalRound[]): string[] {
  return rounds.flatMap((r, i) => {
    const waiting = waitingNote(r.run);
    return [r.run.written !== r.changed ? `round ${i + 1} wrote ${r.run.written} rows for ${r.changed} changed` : '', waiting ? `round ${i + 1}: ${waiting}` : ''].filter(Boolean);
  });
}

/** What the rounds measured: the median time, the median CPU, the peak RSS, the last round's rows. */
function roundsFields(rounds: readonly IncrementalRound[]): Partial<Measurement> {
  const ms = rounds.map((r) => r.run.ms);
  const peaks = rounds.flatMap((r) => (r.run.peakRss === null ? [] : [r.run.peakRss]));
  return {
    rows: rounds.at(-1)?.run.written ?? 0,
    seconds: median(ms) / 1000,
    peakRssMb: mb(peaks.length ? Math.max(...peaks) : null),
    cpu: medianCpu(rounds.map((r) => cpuOf(r.run.cpuMs, r.server))),
    samplesSeconds: ms.map((x) => x / 1000),
  };
}

/** Case d's rounds on a pair, each from a checkpointed server as case b's full run started (incremental-rounds.ts). */
function roundsOn(ctx: CaseContext, sqlitePath: string, url: string, direction: Direction): Omit<IncrementalRoundsOptions, 'rounds' | 'change'> {
  return { sqlitePath, url, direction, before: () => checkpoint(ctx), timeoutMs: ctx.timeoutMs, measure: (fn) => withServerCpu(ctx, fn), ...(ctx.batchSize ? { batchSize: ctx.batchSize } : {}) };
}

/**
 * d) Rounds of (change 0.1% of rows, incremental run) on case b's pair. One run takes about
 * half a second, so the host's drift moves single runs by a third; the median of the rounds
 * counts and the note gives the spread.
 */
async function incrementalCase(ctx: CaseContext, sqlitePath: string, url: string): Promise<{ m: Measurement; changedRows: number }> {
  const on = roundsOn(ctx, sqlitePath, url, 'sqlite-to-pg');
  let changedRows = 0;
  const rounds = await incrementalRounds({
    ...on,
    rounds: ctx.dRounds,
    change: (round) => (changedRows = changeFraction(sqlitePath, CHANGED_FRACTION, round).total),
    onRound: (round, changed) => ctx.log(`d.replicate: round ${round} of ${ctx.dRounds}, incremental after changing ${changed} rows`),
  });
  const failure = failedRound(rounds);
  if (failure) return { m: failed('d.replicate', failure), changedRows };
  // The same run with nothing changed: what an incremental run costs before any row (Node's
  // start, connecting, planning, the lock, a few queries per table). The gap to the rounds
  // above is what the changed rows cost.
  const idle = await incrementalRounds({ ...on, rounds: IDLE_ROUNDS, change: () => 0, onRound: (round) => ctx.log(`d.replicate: round ${round} of ${IDLE_ROUNDS} with nothing changed`) });
  const idleFailure = failedRound(idle, ' with nothing changed');
  if (idleFailure) return { m: failed('d.replicate', idleFailure), changedRows };
  const idleWrote = idle.flatMap((r, i) => (r.run.written !== 0 ? [`round ${i + 1} with nothing changed wrote ${r.run.written} rows`] : []));
  const idleNote = `with nothing changed: median of ${idle.length}: ${(median(idle.map((r) => r.run.ms)) / 1000).toFixed(2)} s`;
  const ms = rounds.map((r) => r.run.ms);
  return { m: measurement('d.replicate', { ...roundsFields(rounds), note: [spreadNote(ms), idleNote, ...roundNotes(rounds), ...idleWrote].join('; ') }), changedRows };
}

/** d, the same rounds in one `run --schedule` process that stays up (scheduled-runs.ts): the note of what it costs per run without Node's start. */
async function scheduledMeasurement(ctx: CaseContext, sqlitePath: string, url: string): Promise<Measurement> {
  ctx.log(`d.scheduled: ${ctx.dRounds} rounds in one \`run --schedule "${BENCH_SCHEDULE}"\` process`);
  try {
    const r = await scheduledRounds(sqlitePath, url, ctx.dRounds, ctx.dRounds + 1, CHANGED_FRACTION, () => checkpoint(ctx), ctx.timeoutMs, BENCH_SCHEDULE, () => ctx.serverCpu.sample());
    const notes = r.written.flatMap((w, i) => (w === r.changed[i] ? [] : [`round ${i + 1} wrote ${w} rows for ${r.changed[i]} changed`]));
    const growth = r.rssFirst !== null && r.rssLast !== null ? `RSS ${Math.round(r.rssFirst / 1e6)} MB after the first round, ${Math.round(r.rssLast / 1e6)} MB after the last` : '';
    const perRound = (x: number | null): number | null => (x === null ? null : x / r.ms.length);
    return measurement('d.scheduled', {
      rows: r.written[r.written.length - 1] ?? 0,
      seconds: median(r.ms) / 1000,
      peakRssMb: mb(r.peakRss),
      cpu: { tool: perRound(r.cpuSeconds), server: perRound(r.serverSeconds) },
      samplesSeconds: r.ms.map((x) => x / 1000),
      note: [spreadNote(r.ms), 'CPU s: the mean per round (the server\'s from the round\'s CHECKPOINT to the run\'s summary, the scheduled wait included)', growth, ...notes].filter(Boolean).join('; '),
    });
  } catch (e) {
    return failed('d.scheduled', e instanceof Error ? e.message : String(e));
  }
}

/** d.pull: d's rounds the other way, on case c's loaded file with the edit made in its source database; shown beside c's full run. */
async function pullMeasurement(ctx: CaseContext, sqlitePath: string, url: string): Promise<Measurement> {
  ctx.log(`d.pull: ${ctx.dRounds} rounds of an incremental pg-to-sqlite run after changing another 0.1% of rows in PostgreSQL`);
  const rounds = await incrementalRounds({ ...roundsOn(ctx, sqlitePath, url, 'pg-to-sqlite'), rounds: ctx.dRounds, change: (round) => changePostgresFraction(url, CHANGED_FRACTION, round) });
  const failure = failedRound(rounds);
  if (failure) return failed('d.pull', failure);
  return measurement('d.pull', { ...roundsFields(rounds), note: [spreadNote(rounds.map((r) => r.run.ms)), ...roundNotes(rounds)].join('; ') });
}

export async function runCases(ctx: CaseContext): Promise<CaseResults> {
  const { dataset, workDir } = ctx;
  const expected = dataset.rows;
  const source = dataset.path;
  const out: Measurement[] = [];
  const copyOf = (name: string): string => {
    const p = join(workDir, name);
    copyFileSync(source, p);
    return p;
  };
  const wants = (c: CaseLetter): boolean => ctx.cases.has(c);
  // a) First migration into an empty database.
  if (wants('a')) await firstMigration(ctx, copyOf, out);
  const withB = wants('b') || wants('d');
  if (!withB && !wants('c')) return { measurements: out, changedRows: 0 };
  const csvDir = join(workDir, 'csv');
  mkdirSync(csvDir, { recursive: true });
  ctx.log('exporting the SQLite tables to CSV for psql \\copy (not timed)');
  const csv = await exportSqliteCsv(source, csvDir, POS_TABLES);

  // b) Full load into the existing schema, FKs live. The last round's pair is case d's, and
  // the last \copy-loaded database is case c's source.
  const existingUrl = databaseUrl(ctx.adminUrl, 'bench_existing');
  const copyUrl = databaseUrl(ctx.adminUrl, 'bench_copy');
  const bSource = join(workDir, 'b-source.db');
  const ours = async (): Promise<Measurement> => {
    await createDatabase(ctx.adminUrl, 'bench_existing');
    await runSqlFile(existingUrl, posPostgresSchemaPath());
    return (await replicateCase('b.replicate', ctx, { sqlitePath: copyOf('b-source.db'), pgUrl: existingUrl, direction: 'sqlite-to-pg' }, () => landedInPostgres(existingUrl))).m;
  };
  const reference = async (): Promise<Measurement> => {
    await createDatabase(ctx.adminUrl, 'bench_copy');
    await runSqlFile(copyUrl, posPostgresSchemaPath());
    ctx.log('b.copy: psql \\copy FROM CSV, tables in FK order');
    await checkpoint(ctx);
    const { value: copied, server } = await withServerCpu(ctx, () => psqlCopyIn(copyUrl, csv, workDir));
    return floorMeasurement('b.copy', expected, copied, server, await landedInPostgres(copyUrl));
  };
  let b: Measurement | null = null;
  if (withB) {
    const [ourB, copyB] = await pairedRounds(ctx, ours, reference);
    b = ourB;
    out.push(ourB, copyB);
  } else {
    // case c alone needs only its source
    out.push(await reference());
  }

  // c) PostgreSQL to a SQLite file that has the schema; the source is the \copy-loaded
  // database, vacuumed first so neither side pays for setting hint bits.
  if (wants('c')) await pgToSqlite(ctx, copyUrl, csvDir, out);
  if (!wants('d')) {
    if (!ctx.keepDatabases) for (const name of DATABASES) await dropDatabase(ctx.adminUrl, name);
    return { measurements: out, changedRows: 0 };
  }

  // d) Incremental runs on case b's pair, each after the app changed another 0.1% of rows.
  if (!b || b.status !== 'ok') {
    out.push(measurement('d.replicate', { status: 'skipped', note: 'needs case b\'s full run' }));
    if (!ctx.keepDatabases) for (const name of DATABASES) await dropDatabase(ctx.adminUrl, name);
    return { measurements: out, changedRows: 0 };
  }
  const d = await incrementalCase(ctx, bSource, existingUrl);
  out.push(d.m);
  if (d.m.status === 'ok') out.push(await scheduledMeasurement(ctx, bSource, existingUrl));
  // and the other way, on case c's loaded file (its source database is not case d's)
  if (out.find((m) => m.key === 'c.replicate')?.status === 'ok') out.push(await pullMeasurement(ctx, join(workDir, 'c-replicate.db'), copyUrl));
  if (!ctx.keepDatabases) for (const name of DATABASES) await dropDatabase(ctx.adminUrl, name);
  return { measurements: out, changedRows: d.changedRows };
}
