/**
 * `replicate run --direction sqlite-to-pg|pg-to-sqlite`: exit 0 when everything landed,
 * 3 when rows wait in a ledger, 1 on failure, 2 on bad input, 130 after Ctrl+C, SIGTERM or
 * a closed stdout/stderr (the current batch finishes and is checkpointed first).
 */
import { existsSync } from 'node:fs';
import { discardPostgresSession, openPostgresSession, sessionSettings } from '../../connect/postgres-session.js';
import { ConfigError } from '../../errors.js';
import { DIRECTIONS, type Direction } from '../../replicator/run-plan.js';
import { parseParams, resolveSettings, type ConnectionFlags } from '../config.js';
import { EXIT } from '../exit-codes.js';
import type pg from 'pg';
import type { Signals } from '../guarded.js';
import { print, styleFor, type CliIO } from '../io.js';
import { jsonSummary, plainReporter } from '../report/plain-progress.js';

export interface RunArgs extends ConnectionFlags {
  direction?: string | undefined;
  full?: boolean | undefined;
  tables?: string | undefined;
  batchSize?: number | undefined;
  dryRun?: boolean | undefined;
  createMissing?: boolean | undefined;
  json?: boolean | undefined;
  /** open the terminal UI and start the run there (only with a terminal; otherwise plain lines) */
  tui?: boolean | undefined;
  param?: string[] | undefined;
  /** a cron pattern: a run now and then at each time it names, in this process (run-schedule.ts) */
  schedule?: string | undefined;
  /** seconds: each scheduled run starts a random 0..jitter after its time */
  jitter?: number | undefined;
}


export function parseDirection(value: string | undefined): Direction {
  const d = DIRECTIONS.find((x) => x === value);
  if (!d) throw new ConfigError(`--direction must be one of ${DIRECTIONS.join(', ')}${value ? `; got '${value}'` : ''}`, 'direction');
  return d;
}

/** `--tables a, b` -> ['a', 'b']; undefined: every table. A list that names none is refused, not run as "no tables". */
function parseTables(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const tables = value.split(',').map((t) => t.trim()).filter(Boolean);
  if (tables.length === 0) throw new ConfigError(`--tables names no table (got '${value}'): give comma-separated PostgreSQL table names, or leave the flag out for every table`, 'tables');
  return tables;
}

export async function runRun(args: RunArgs, io: CliIO, signals: Signals): Promise<number> {
  const direction = parseDirection(args.direction);
  if (args.batchSize !== undefined && (!Number.isInteger(args.batchSize) || args.batchSize < 1)) {
    throw new ConfigError(`--batch-size must be a positive integer; got ${args.batchSize}`, 'batch-size');
  }
  const flagParams = parseParams(args.param);
  const s = await resolveSettings(args, io);
  // a --param no row filter uses is refused (a typo would copy rows meant to stay out); the config file's only get a note
  const config = { sqlitePath: s.sqlitePath, pgUrl: s.pgUrl, schema: s.schema, mappingsDir: s.mappingsDir, params: { ...s.params, ...flagParams }, requiredParams: Object.keys(flagParams) };
  const tables = parseTables(args.tables);
  const options = { direction, ...(args.full ? { full: true } : {}), ...(tables ? { tables } : {}), ...(args.batchSize ? { batchSize: args.batchSize } : {}), ...(args.createMissing ? { createMissing: true } : {}) };
  const style = styleFor(io.stdout, io.env);

  if (args.schedule !== undefined && args.tui) throw new ConfigError('--schedule runs without the terminal UI: drop --tui (its progress lines are plain)', 'schedule');
  if (args.jitter !== undefined && args.schedule === undefined) throw new ConfigError('--jitter goes with --schedule (it delays each scheduled run)', 'jitter');
  const jitterMs = (args.jitter ?? 0) * 1000;
  if (args.dryRun) {
    const [{ planReplication }, { renderRunPlan }] = await Promise.all([import('../../replicator/engine/run-replication.js'), import('../../replicator/plan/render-run-plan.js')]);
    // with --schedule, the plan says when the runs would start; a bad pattern or jitter is refused before anything connects
    const scheduled = args.schedule === undefined ? null : await import('./run-schedule.js');
    const schedule = scheduled?.parseSchedule(args.schedule ?? '') ?? null;
    scheduled?.checkJitter(jitterMs);
    const plan = await planReplication(config, options);
    if (args.json) print(io.stdout, JSON.stringify(schedule ? { ...plan, schedule: { pattern: schedule.pattern, upcoming: schedule.upcoming(new Date(), 5), jitterSeconds: args.jitter ?? 0 } } : plan, null, 2));
    else print(io.stdout, renderRunPlan(plan) + (scheduled && schedule ? `\n${scheduled.renderUpcoming(schedule, new Date(), jitterMs)}` : ''));
    return EXIT.ok;
  }
  if (args.schedule !== undefined) {
    const { runScheduled } = await import('./run-schedule.js');
    return runScheduled(args.schedule, config, options, io, style, { json: !!args.json, jitterMs }, signals);
  }
  if (args.tui && !args.json && (await import('./tui.js')).hasTerminal(io)) {
    return (await import('./tui.js')).runTui(args, io, { run: { direction, full: !!args.full, ...(tables ? { tables } : {}), ...(args.createMissing ? { createMissing: true } : {}) } });
  }
  // The PostgreSQL session opens while the engine's modules load, which take about as
  // long (a good part of a quick incremental run). Not when the SQLite file is missing:
  // that error comes first, as it would without this, and nothing is left connecting.
  let session: Promise<pg.Client> | null = existsSync(config.sqlitePath)
    ? openPostgresSession(config.pgUrl, `replicate run --direction ${direction}`, sessionSettings(direction), config.schema)
    : null;
  session?.catch(() => undefined); // reported by the run, which awaits it
  let stop = false;
  const detach = signals.onInterrupt((cause) => {
    stop = true;
    print(io.stderr, cause === 'signal' ? 'stopping after the current batch (Ctrl+C again to abort at once)' : 'output closed: stopping after the current batch');
  });
  try {
    const { runReplication } = await import('../../replicator/engine/run-replication.js');
    const report = args.json ? () => undefined : plainReporter(io.stdout, style);
    const handedOver = session ?? undefined;
    session = null; // the run owns it now
    const summary = await runReplication(config, { ...options, stopRequested: () => stop }, report, handedOver);
    if (args.json) print(io.stdout, jsonSummary(summary));
    if (summary.status === 'interrupted') return EXIT.interrupted;
    return summary.status === 'waiting' ? EXIT.waiting : EXIT.ok;
  } finally {
    if (session) discardPostgresSession(session);
    detach();
  }
}
