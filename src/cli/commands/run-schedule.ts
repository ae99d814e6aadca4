/**
 * `replicate run --schedule "<cron>"`: the run's own progress lines (or, with --json, one
 * summary line per run) for a run now and then one at each time the pattern names, in
 * this process, until Ctrl+C or SIGTERM (exit 130 once a run going on has checkpointed).
 * The schedule itself is the library's (replicator/schedule/run-on-schedule.ts).
 */
import { passwordInUrl, redactSecret, ReplicateError } from '../../errors.js';
import type { ReplicationEvent } from '../../replicator/events.js';
import type { PairConfig, RunOptions } from '../../replicator/engine/run-replication.js';
import { parseSchedule, type Schedule } from '../../replicator/schedule/schedule-pattern.js';
import { checkJitter, runOnSchedule } from '../../replicator/schedule/run-on-schedule.js';
import { errorMessage } from '../error-message.js';
import type { Signals } from '../guarded.js';
import { EXIT } from '../exit-codes.js';
import { print, type CliIO, type Style } from '../io.js';
import { plainReporter, summaryFields } from '../report/plain-progress.js';

/** for `run --dry-run --schedule`, which loads this file only when a schedule is given */
export { checkJitter, parseSchedule };

/** what the header and the dry run say of a jitter */
const jitterText = (jitterMs: number): string => (jitterMs > 0 ? ` (each up to ${jitterMs / 1000} s later, at random)` : '');

const pad = (n: number): string => String(n).padStart(2, '0');

/** 2026-12-02 07:15:00 in the machine's time zone, the one the pattern is read in */
export function localTime(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** What `run --dry-run --schedule` adds to the plan: the times the next runs would start. */
export function renderUpcoming(schedule: Schedule, from: Date, jitterMs = 0, n = 5): string {
  const times = schedule.upcoming(from, n).map(localTime);
  return [`schedule "${schedule.pattern}" (machine time): a run at start, then at${jitterText(jitterMs)}`, ...times.map((t) => `  ${t}`), '  ...'].join('\n');
}

export async function runScheduled(
  pattern: string,
  config: PairConfig,
  options: Omit<RunOptions, 'stopRequested'>,
  io: CliIO,
  style: Style,
  { json, jitterMs }: { json: boolean; jitterMs: number },
  signals: Signals,
): Promise<number> {
  const schedule = parseSchedule(pattern);
  checkJitter(jitterMs);
  const secrets = [passwordInUrl(config.pgUrl), io.env.PG_URL ? passwordInUrl(io.env.PG_URL) : null];
  const redact = (text: string): string => secrets.reduce<string>((t, s) => redactSecret(t, s), text);
  const stop = new AbortController();
  const detach = signals.onInterrupt((cause) => {
    const why = cause === 'signal' ? 'stopping: a run going on finishes its batch first (Ctrl+C again to abort at once)' : 'output closed: stopping; a run going on finishes its batch first';
    if (!json) print(io.stderr, why);
    stop.abort();
  });
  const progress = json ? null : plainReporter(io.stdout, style, Date.now, true);
  let run = 0;
  let startedAt = '';
  const report = (e: ReplicationEvent): void => {
    switch (e.type) {
      case 'schedule-run':
        run = e.run;
        startedAt = e.startedAt;
        if (!json) print(io.stdout, style.bold(`[${localTime(new Date(e.startedAt))}] run ${e.run}`));
        return;
      case 'schedule-run-failed': {
        const message = redact(errorMessage(e.error));
        if (json) {
          const code = e.error instanceof ReplicateError ? e.error.code : null;
          print(io.stdout, JSON.stringify({ run: e.run, startedAt, status: 'failed', error: { code, message } }));
        } else print(io.stdout, style.red(`run ${e.run} failed: ${message}`));
        return;
      }
      case 'schedule-wait':
        if (json) return;
        if (e.missed > 0) print(io.stdout, style.yellow(`run ${e.run} outlasted ${e.missed} scheduled time${e.missed === 1 ? '' : 's'} (skipped, not queued)`));
        print(io.stdout, style.dim(`next run at ${localTime(new Date(e.next))}`));
        return;
      case 'run-end':
        // one line per run: the one-shot --json summary, with the run's number and start
        if (json) print(io.stdout, JSON.stringify({ run, startedAt, ...summaryFields(e.summary) }));
        break;
    }
    progress?.(e);
  };
  if (!json) print(io.stdout, style.dim(`schedule "${schedule.pattern}" (machine time): a run now, then at each time it names${jitterText(jitterMs)}; Ctrl+C stops after a checkpoint`));
  try {
    const { runReplication } = await import('../../replicator/engine/run-replication.js');
    const tally = await runOnSchedule(schedule, (stopRequested) => runReplication(config, { ...options, stopRequested }, report), report, { signal: stop.signal, jitterMs });
    if (!json) print(io.stdout, `schedule ended after ${tally.runs} run${tally.runs === 1 ? '' : 's'}${tally.failed ? ` (${tally.failed} failed)` : ''}`);
    if (stop.signal.aborted) return EXIT.interrupted;
    if (tally.last === null) return EXIT.failed;
    return tally.last.status === 'waiting' ? EXIT.waiting : EXIT.ok;
  } finally {
    detach();
  }
}
