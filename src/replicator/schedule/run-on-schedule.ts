/**
 * Incremental runs on a schedule in one process that stays up (`run --schedule`), as a
 * terminal syncing every few minutes needs: each run then costs its rows, not a Node
 * start, module loading and compiling (most of a one-shot incremental run: bench case d).
 *
 * One run at a time: the next starts at the first scheduled time after the last one
 * ended, and the times a long run outlasted are reported as missed, never queued (a
 * backlog of runs would only repeat the one that caught up). The first run starts at once,
 * so a mistake in the connection or the mappings shows when the schedule starts, not at its
 * first slot. A run that fails is reported and the next goes ahead on time (the server may
 * be back by then, and every finished batch is checkpointed); only a first run refused
 * for bad input (a missing file, a broken mapping, a bad flag, a wrong password or
 * database name) ends the schedule, with that error. The signal stops it: a run going on
 * finishes its batch and checkpoints.
 */
import { ConfigError, ConnectionError, ReplicateError, type ConnectionReason, type ErrorCode } from '../../errors.js';
import type { ReplicationEvent, RunSummary } from '../events.js';
import type { Schedule } from './schedule-pattern.js';

/** what ended the schedule, and how its runs went */
export interface ScheduleSummary {
  runs: number;
  failed: number;
  /** the last run's summary (null when it failed) */
  last: RunSummary | null;
}

export interface ScheduleControl {
  /** aborted: no new run starts, a run going on stops after its batch */
  signal: AbortSignal;
  /**
   * each scheduled run starts a random 0..jitterMs after its time (not the first, at start):
   * terminals of a fleet on one pattern then reach the central PostgreSQL spread out, not
   * all in the same second (systemd's RandomizedDelaySec, a cron splay)
   */
  jitterMs?: number;
}

/** Errors that say the command itself is wrong: they would fail every run the same way. */
const BAD_INPUT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['config', 'mapping', 'file_missing', 'not_sqlite', 'plan', 'shared_id']);
/** connection failures that are the URL's, not the network's (a server down or unreachable may be back by the next run) */
const BAD_URL: ReadonlySet<ConnectionReason> = new Set<ConnectionReason>(['auth_failed', 'bad_url', 'database_missing']);

const isBadInput = (e: unknown): boolean => (e instanceof ConnectionError ? BAD_URL.has(e.reason) : e instanceof ReplicateError && BAD_INPUT.has(e.code));

/** at most this many missed times are counted (a seconds pattern behind a run of hours) */
const MISSED_COUNT_LIMIT = 100_000;

/** the longest single timer: Node's timers hold at most 2^31-1 ms, and a clock change is noticed at the next wake */
const LONGEST_WAIT_MS = 60 * 60 * 1000;

/** A jitter of `jitterMs` as it may be used: a ConfigError on `jitter` for a negative or non-finite one. */
export function checkJitter(jitterMs: number): number {
  if (!Number.isFinite(jitterMs) || jitterMs < 0) throw new ConfigError(`--jitter must be a number of seconds, 0 or more; got ${jitterMs / 1000}`, 'jitter');
  return jitterMs;
}

/**
 * Runs `runOnce` now and then at each time `schedule` names, until `control.signal` is
 * aborted; resolves with the runs' tally. `runOnce` gets the stop test a run polls between batches.
 */
export async function runOnSchedule(
  schedule: Schedule,
  runOnce: (stopRequested: () => boolean) => Promise<RunSummary>,
  emit: (e: ReplicationEvent) => void,
  control: ScheduleControl,
): Promise<ScheduleSummary> {
  const { signal } = control;
  const jitterMs = checkJitter(control.jitterMs ?? 0);
  const tally: ScheduleSummary = { runs: 0, failed: 0, last: null };
  const stopRequested = (): boolean => signal.aborted;
  while (!signal.aborted) {
    const run = ++tally.runs;
    const startedAt = new Date();
    emit({ type: 'schedule-run', run, startedAt: startedAt.toISOString() });
    try {
      tally.last = await runOnce(stopRequested);
    } catch (error) {
      tally.failed++;
      tally.last = null;
      if (run === 1 && isBadInput(error)) throw error;
      emit({ type: 'schedule-run-failed', run, error: error instanceof Error ? error : new Error(String(error)) });
    }
    if (signal.aborted) break;
    const ended = new Date();
    const slot = schedule.after(ended);
    if (slot === null) break; // a pattern whose last time has passed
    const next = new Date(slot.getTime() + Math.floor(Math.random() * jitterMs));
    emit({ type: 'schedule-wait', run, next: next.toISOString(), missed: missedTimes(schedule, startedAt, ended) });
    await sleepUntil(next, signal);
  }
  return tally;
}

/** How many scheduled times fell after `start` and up to `end` (the ones a run outlasted). */
export function missedTimes(schedule: Schedule, start: Date, end: Date): number {
  let n = 0;
  for (let t = schedule.after(start); t !== null && t.getTime() <= end.getTime() && n < MISSED_COUNT_LIMIT; t = schedule.after(t)) n++;
  return n;
}

/** Resolves at `when` (by the wall clock, read again after each timer) or as soon as `signal` is aborted. */
async function sleepUntil(when: Date, signal: AbortSignal): Promise<void> {
  for (let left = when.getTime() - Date.now(); left > 0 && !signal.aborted; left = when.getTime() - Date.now()) {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(left, LONGEST_WAIT_MS));
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
