/**
 * The commands behind the palette and keys, done with the library and reported through
 * the store. Long work runs in the background (the UI never waits on it); one job at a
 * time, a second request while one runs gets a notice. A run stops safely: the engine
 * finishes its batch and checkpoints (RunOptions.stopRequested). Errors become a notice
 * and Output lines, with the password redacted; they never escape to the app.
 */
import { resolve } from 'node:path';
import { ConnectionError, FileMissingError, NotSqliteError, SharedDatabaseIdError, passwordInUrl, redactSecret } from '../../errors.js';
import { errorMessage } from '../../cli/error-message.js';
import { planReplication, runReplication, type PairConfig } from '../../replicator/engine/run-replication.js';
import { readStatus } from '../../replicator/engine/pair-status.js';
import { resetCheckpoints } from '../../replicator/engine/reset-checkpoints.js';
import { renderRunPlan } from '../../replicator/plan/render-run-plan.js';
import { DIRECTIONS, type Direction } from '../../replicator/run-plan.js';
import type { ReplicationEvent, RunSummary } from '../../replicator/events.js';
import type pg from 'pg';
import type { FilterParams } from '../../replicator/plan/row-filter.js';
import { verifySchemas } from '../../verify/verify-schemas.js';
import type { TuiStore } from '../state/tui-store.js';
import type { PairLocationFull } from './pair-jobs.js';
import { PEEK_ROWS_PER_TABLE, peekRows } from './peek-rows.js';

// pair-jobs (mapping files, zod, the fix-script planner) loads when its command is first used:
// about 4 MB of heap a `run --tui` would otherwise carry, and every major GC of the run mark.

/** Waiting and rejected rows listed per table (the counts stay exact beyond it). */
const LEDGER_ROWS_SHOWN = 200;

export interface TuiControllerOptions extends PairLocationFull {
  store: TuiStore;
  /** values of the :params in mappings' row filters */
  params?: FilterParams;
  /** where "write fix script" writes (the CLI's default: scripts/fix-sqlite-schema.sql under cwd) */
  fixScriptPath: string;
  batchSize?: number;
}

/** what `run --tui` passes on from its flags */
export interface RunExtras {
  tables?: string[];
  createMissing?: boolean;
  /** the PostgreSQL session `run --tui` started opening while the modules load (the run owns it) */
  session?: Promise<pg.Client>;
}

export interface TuiController {
  /** connect, verify, read the ledgers: what the screen shows first */
  load(): Promise<void>;
  run(direction: Direction, full: boolean, extra?: RunExtras): Promise<RunSummary | null>;
  dryRun(direction: Direction): Promise<void>;
  verify(): Promise<void>;
  regenerateMappings(): Promise<void>;
  writeFixScript(): Promise<void>;
  /** an incremental run of the direction with waiting rows: every run retries its ledgers first */
  retryWaiting(): Promise<RunSummary | null>;
  resetTable(table: string | null): Promise<void>;
  /** ask the running run to stop after its batch; resolves when it has (`quiet`: no notice when none runs) */
  stop(quiet?: boolean): Promise<void>;
  /** a replication run is going (quitting asks first) */
  running(): boolean;
  /** the job in progress, or null */
  busy(): string | null;
  /** resolves when the current job (if any) is over */
  idle(): Promise<void>;
}

export function createTuiController(o: TuiControllerOptions): TuiController {
  const { store } = o;
  const config: PairConfig = { sqlitePath: o.sqlitePath, pgUrl: o.pgUrl, schema: o.schema, mappingsDir: o.mappingsDir, ...(o.params ? { params: o.params } : {}) };
  const password = passwordInUrl(o.pgUrl);
  let job: { name: string; done: Promise<unknown> } | null = null;
  let isRun = false;
  let stopRequested = false;
  let lastDirection: Direction | null = null;

  const say = (e: unknown): string => redactSecret(errorMessage(e), password);

  function fail(what: string, e: unknown): void {
    if (e instanceof ConnectionError) store.setConnection(e.target, 'failed', say(e));
    if (e instanceof NotSqliteError || e instanceof FileMissingError) store.setConnection('sqlite', 'failed', say(e));
    const text = say(e);
    const [first, ...rest] = text.split('\n');
    store.notify('error', `${what} failed: ${first ?? ''}`);
    for (const line of rest) store.log('error', line.trim());
  }

  /** one job at a time; a second request while one runs is refused with a notice */
  function exclusive<T>(name: string, fn: () => Promise<T>): Promise<T | null> {
    if (job) {
      store.notify('warn', `${job.name} is still going; wait for it (or stop the run with s) before ${name}`);
      return Promise.resolve(null);
    }
    const done = (async () => {
      try {
        return await fn();
      } catch (e) {
        fail(name, e);
        return null;
      } finally {
        job = null;
        isRun = false;
        store.flush();
      }
    })();
    job = { name, done };
    return done;
  }

  async function refreshLedgers(): Promise<void> {
    store.applyStatus(await readStatus(config, LEDGER_ROWS_SHOWN));
    // the Data tab's peek at the rows behind the keys; a failure here only leaves it empty
    for (const direction of DIRECTIONS) {
      try {
        store.applyRowValues(direction, await peekRows(o, direction, store.peekRequests(direction, PEEK_ROWS_PER_TABLE)));
      } catch (e) {
        store.log('warn', `could not read the waiting rows' values (${direction}): ${say(e)}`);
      }
    }
  }

  async function doVerify(): Promise<void> {
    store.setConnection('sqlite', 'connecting');
    store.setConnection('postgres', 'connecting');
    const result = await verifySchemas(config);
    store.setConnection('sqlite', 'connected');
    store.setConnection('postgres', 'connected');
    store.applyVerify(result);
    const { errors, warnings } = result.summary;
    store.notify(errors > 0 ? 'error' : warnings > 0 ? 'warn' : 'info', `verify: ${errors} errors, ${warnings} warnings over ${result.mappings.length} tables`);
  }

  /** a run inside a job: the job's name says why (a run, a retry of waiting rows) */
  async function replicate(direction: Direction, full: boolean, why: string, extra: RunExtras = {}): Promise<RunSummary> {
    isRun = true;
    stopRequested = false;
    lastDirection = direction;
    store.runStarting({ direction, full, dryRun: false });
    store.log('info', `${why}: ${direction}${full ? ' (full)' : ''}${extra.tables ? ` (tables ${extra.tables.join(', ')})` : ''}`);
    let summary: RunSummary;
    try {
      const { session, ...flags } = extra;
      const options = { direction, ...(full ? { full: true } : {}), ...(o.batchSize ? { batchSize: o.batchSize } : {}), ...flags, stopRequested: () => stopRequested };
      const emit = (e: ReplicationEvent): void => {
        // once the run has ended (only its lock and connections are left to close), quitting need not ask
        if (e.type === 'run-end') isRun = false;
        // the plan means both sides were read: a run started before anything was loaded
        // (`run --tui`) shows its connections up while it copies, not unknown
        if (e.type === 'plan') {
          store.setConnection('sqlite', 'connected');
          store.setConnection('postgres', 'connected');
        }
        store.onEvent(e);
      };
      summary = await runReplication(config, options, emit, session);
    } catch (e) {
      store.setRunState('failed');
      // another file with this id pushed while the TUI was open: re-read the state so Problems says what to run
      if (e instanceof SharedDatabaseIdError) await refreshLedgers().catch((err: unknown) => store.log('warn', `could not read the ledgers: ${say(err)}`));
      throw e;
    }
    // the run is over: quitting while the ledgers are re-read must not ask to stop a run
    isRun = false;
    store.setConnection('sqlite', 'connected');
    store.setConnection('postgres', 'connected');
    await refreshLedgers().catch((e: unknown) => store.log('warn', `could not read the ledgers: ${say(e)}`));
    return summary;
  }

  const run = (direction: Direction, full: boolean, extra: RunExtras = {}): Promise<RunSummary | null> => exclusive('run', () => replicate(direction, full, 'run', extra));

  return {
    load: async () => {
      await exclusive('loading', async () => {
        await doVerify();
        await refreshLedgers();
      });
    },
    run,
    dryRun: async (direction) => {
      await exclusive('dry run', async () => {
        const plan = await planReplication(config, { direction });
        const text = renderRunPlan(plan);
        store.setPlanText(text);
        store.log('info', `dry run ${direction}: ${plan.tables.length} tables, nothing written`);
        for (const line of text.split('\n')) store.log('info', line);
        store.notify('info', `dry run ${direction}: ${plan.tables.length} tables planned (plan in Output), nothing written`);
      });
    },
    verify: async () => {
      await exclusive('verify', doVerify);
    },
    regenerateMappings: async () => {
      await exclusive('regenerate mappings', async () => {
        const { regenerateMappings } = await import('./pair-jobs.js');
        const r = await regenerateMappings(o);
        for (const line of r.lines) store.log('info', line);
        store.notify('info', r.summary);
        await doVerify();
      });
    },
    writeFixScript: async () => {
      await exclusive('write fix script', async () => {
        const { writeFixScript } = await import('./pair-jobs.js');
        const r = await writeFixScript(o, resolve(o.fixScriptPath));
        for (const line of r.lines) store.log('info', line);
        store.notify('info', r.summary);
      });
    },
    retryWaiting: () =>
      exclusive('retry waiting rows', async () => {
        // the direction whose ledgers hold rows (the last run's first); an incremental run retries its ledgers first
        const status = await readStatus(config);
        const holding = status.directions
          .filter((d) => d.summary.skipped.length + d.summary.rejected.length > 0)
          .map((d) => d.direction)
          .sort((a, b) => Number(b === lastDirection) - Number(a === lastDirection));
        const direction = holding[0];
        if (!direction) {
          store.notify('info', 'no rows are waiting: nothing to retry');
          return null;
        }
        return replicate(direction, false, 'retry waiting rows');
      }),
    resetTable: async (table) => {
      if (!table) {
        store.notify('warn', 'open a table first (Enter in the explorer), then reset its checkpoint');
        return;
      }
      await exclusive('reset checkpoint', async () => {
        const n = await resetCheckpoints(config, table);
        store.notify('info', n > 0 ? `${table}: checkpoint forgotten (${n}); the next run copies it in full` : `${table}: no checkpoint to forget`);
      });
    },
    stop: async (quiet = false) => {
      if (!job || !isRun) {
        if (!quiet) store.notify('info', 'no run is going: nothing to stop');
        return;
      }
      if (!stopRequested) {
        stopRequested = true;
        store.setRunState('stopping');
        store.log('warn', 'stopping after the current batch (its checkpoint is written first)');
      }
      await job.done;
    },
    running: () => job !== null && isRun,
    busy: () => job?.name ?? null,
    idle: async () => {
      await job?.done;
    },
  };
}

