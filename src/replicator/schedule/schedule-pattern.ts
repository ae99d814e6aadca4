/**
 * A run schedule as a cron pattern (DESIGN.md, "The three jobs": `--schedule "*\/15 * * * *"`),
 * read by croner: five fields, or six with seconds first, in the machine's time zone (TZ),
 * daylight-saving changes included. Only the times are taken from croner; the waiting is
 * run-on-schedule.ts's own loop, so a run that outlasts its slot never overlaps the next.
 */
import { Cron } from 'croner';
import { ConfigError } from '../../errors.js';

export interface Schedule {
  /** the pattern as given */
  readonly pattern: string;
  /** the first time the schedule names strictly after `from`, or null when there is none */
  after(from: Date): Date | null;
  /** the first `n` times strictly after `from` */
  upcoming(from: Date, n: number): Date[];
}

/** The schedule a cron pattern names; a pattern croner refuses is a ConfigError on `schedule`. */
export function parseSchedule(pattern: string): Schedule {
  const text = pattern.trim();
  if (text === '') throw new ConfigError('--schedule needs a cron pattern, such as "*/15 * * * *" (every 15 minutes)', 'schedule');
  let cron: Cron;
  try {
    // no function given: croner only evaluates the pattern and starts no timer
    cron = new Cron(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ConfigError(`--schedule "${text}" is not a cron pattern: ${why}`, 'schedule');
  }
  const schedule: Schedule = {
    pattern: text,
    after: (from) => cron.nextRun(from),
    upcoming: (from, n) => cron.nextRuns(n, from),
  };
  if (schedule.after(new Date()) === null) throw new ConfigError(`--schedule "${text}" names no time from now on`, 'schedule');
  return schedule;
}
