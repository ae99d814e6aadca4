/**
 * A terminal that syncs on a schedule keeps one process up (`run --schedule`): what the
 * app writes between runs lands in the next run, a run that fails is reported and the
 * next one goes ahead, and SIGTERM or Ctrl+C stops it after a checkpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renameSync } from 'node:fs';
import { runCli, spawnCli, spawnLiveCli } from './harness/cli.js';
import { createReplicationPair, diffContent, type ReplicationPair } from './harness/replication.js';
import { createReplicator, type ReplicationEvent } from '../src/index.js';
import { parseSchedule } from '../src/replicator/schedule/schedule-pattern.js';
import { missedTimes } from '../src/replicator/schedule/run-on-schedule.js';

const PG = `CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL, updated_at timestamptz NOT NULL);`;
const SQLITE = `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, updated_at DATETIME NOT NULL);`;
const EVERY_SECOND = '* * * * * *';
const COLUMNS = ['id', 'body', 'updated_at'].map((c) => ({ pg: c, sqlite: c }));

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  const s = pair.sqlite();
  const add = s.prepare('INSERT INTO notes VALUES (?, ?, ?)');
  for (let i = 1; i <= 100; i++) add.run(i, `note ${i}`, `2025-11-05T10:00:${String(i % 60).padStart(2, '0')}.000Z`);
});
afterAll(() => pair.cleanup());

interface RunLine {
  run: number;
  startedAt: string;
  status: string;
  tables?: { name: string; read: number; written: number }[];
  error?: { code: string | null; message: string };
}

/** resolves once `pred` holds for the lines so far, or rejects after `ms` */
function waitFor<T>(lines: T[], pred: (l: T[]) => boolean, ms: number, what: () => string): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (pred(lines)) return resolve();
      if (Date.now() > until) return reject(new Error(`timed out waiting for ${what()}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

describe('run --schedule', () => {
  it('runs now, then carries what the app wrote since into the next run; SIGTERM stops it with exit 130', async () => {
    const lines: RunLine[] = [];
    const live = spawnLiveCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--schedule', EVERY_SECOND, '--json'], { cwd: pair.dir.path }, (line) => {
      if (line.trim()) lines.push(JSON.parse(line) as RunLine);
    });
    const shown = (): string => `${JSON.stringify(lines)}\n${live.stderr()}`;
    const written = (l: RunLine): number => (l.tables ?? []).reduce((n, t) => n + t.written, 0);

    await waitFor(lines, (l) => l.length >= 1, 20_000, shown);
    expect(lines[0]).toMatchObject({ run: 1, status: 'done' });
    expect(written(lines[0] as RunLine)).toBe(100);

    // the app writes while the schedule waits: 5 new notes and an edit
    const s = pair.sqlite();
    const add = s.prepare('INSERT INTO notes VALUES (?, ?, ?)');
    for (let i = 101; i <= 105; i++) add.run(i, `note ${i}`, '2025-11-06T09:00:00.000Z');
    s.prepare("UPDATE notes SET body = 'edited', updated_at = '2025-11-06T09:00:01.000Z' WHERE id = 7").run();
    const seen = lines.length;
    await waitFor(lines, (l) => l.slice(seen).some((x) => written(x) > 0), 20_000, shown);
    const carried = lines.slice(seen).find((x) => written(x) > 0) as RunLine;
    expect(carried.status).toBe('done');
    expect(carried.run).toBeGreaterThan(1);
    expect(written(carried)).toBe(6);
    // and the run after it finds nothing new
    await waitFor(lines, (l) => l.some((x) => x.run === carried.run + 1), 20_000, shown);
    expect(written(lines.find((x) => x.run === carried.run + 1) as RunLine)).toBe(0);

    live.child.kill('SIGTERM');
    expect(await live.exited, live.stderr()).toBe(130);
    expect(await diffContent(pair.db, pair.sqlitePath, { pg: 'notes', sqlite: 'notes' }, COLUMNS)).toEqual({ onlyInSqlite: [], onlyInPostgres: [] });
    const edited = await pair.db.query<{ body: string }>('SELECT body FROM notes WHERE id = 7');
    expect(edited[0]?.body).toBe('edited');
  });

  it('reports a run that fails and goes on: the run after it lands the rows', async () => {
    const replicator = createReplicator({ sqlitePath: pair.sqlitePath, pgUrl: pair.db.url });
    const events: ReplicationEvent[] = [];
    const stop = new AbortController();
    const moved = `${pair.sqlitePath}.away`;
    let phase: 'first' | 'away' | 'back' = 'first';
    replicator.on('*', (e) => {
      events.push(e);
      if (e.type === 'schedule-wait' && phase === 'first') {
        // the app replaces its file between runs (the first run has closed it): the next run finds none
        phase = 'away';
        renameSync(pair.sqlitePath, moved);
      } else if (e.type === 'schedule-run-failed' && phase === 'away') {
        phase = 'back';
        renameSync(moved, pair.sqlitePath);
        const s = pair.sqlite();
        s.prepare('INSERT INTO notes VALUES (?, ?, ?)').run(500, 'after the gap', '2025-11-07T00:00:00.000Z');
        s.close();
      } else if (e.type === 'run-end' && phase === 'back') stop.abort();
    });
    const tally = await replicator.syncOnSchedule(EVERY_SECOND, { direction: 'sqlite-to-pg' }, stop.signal);
    const failed = events.find((e) => e.type === 'schedule-run-failed');
    expect(failed && failed.type === 'schedule-run-failed' && failed.error.message).toContain('terminal.db');
    expect(tally.failed).toBe(1);
    expect(tally.runs).toBeGreaterThanOrEqual(3);
    expect(tally.last?.tables.find((t) => t.table === 'notes')?.written).toBe(1);
    const landed = await pair.db.query<{ body: string }>('SELECT body FROM notes WHERE id = 500');
    expect(landed[0]?.body).toBe('after the gap');
  });

  it('prints a header per run, only the tables that moved, and when the next run starts; Ctrl+C between runs ends it with 130', async () => {
    const s = pair.sqlite();
    s.prepare('INSERT INTO notes VALUES (?, ?, ?)').run(900, 'for the log', '2025-11-08T00:00:00.000Z');
    const live = spawnLiveCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--schedule', '0 0 1 1 *'], { cwd: pair.dir.path }, (line, child) => {
      if (line.startsWith('next run at') && !child.killed) child.kill('SIGINT');
    });
    const code = await live.exited;
    const out = live.stdout();
    expect(code, live.stderr()).toBe(130);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('schedule "0 0 1 1 *" (machine time): a run now, then at each time it names; Ctrl+C stops after a checkpoint');
    expect(lines[1]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] run 1$/);
    expect(lines.filter((l) => l.startsWith('  notes:'))).toEqual([expect.stringMatching(/^ {2}notes: 1 read, 1 written in \d+\.\ds$/)]);
    expect(out).not.toContain('incremental from checkpoint');
    expect(lines.find((l) => l.startsWith('next run at'))).toMatch(/^next run at \d{4}-01-01 00:00:00$/);
    expect(lines[lines.length - 1]).toBe('schedule ended after 1 run');
  });

  it('ends at once with exit 2 when the first run is refused for bad input (no file there, no such database)', async () => {
    const r = await spawnCli(['run', '--direction', 'sqlite-to-pg', '--sqlite', pair.dir.file('nowhere.db'), '--pg', pair.db.url, '--schedule', EVERY_SECOND], { cwd: pair.dir.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nowhere.db');
    const url = new URL(pair.db.url);
    url.pathname = '/no_such_database_here';
    const db = await spawnCli(['run', '--direction', 'sqlite-to-pg', '--sqlite', pair.sqlitePath, '--pg', url.toString(), '--schedule', EVERY_SECOND], { cwd: pair.dir.path });
    expect(db.code).toBe(2);
    expect(db.stderr).toContain('no_such_database_here');
  });

  it('keeps trying when the server cannot be reached at the start: each run is reported failed, none ends the schedule', async () => {
    const lines: RunLine[] = [];
    const args = ['run', '--direction', 'sqlite-to-pg', '--sqlite', pair.sqlitePath, '--pg', 'postgres://app:s3cret-pw@127.0.0.1:1/central', '--schedule', EVERY_SECOND, '--json'];
    const live = spawnLiveCli(args, { cwd: pair.dir.path }, (line) => {
      if (line.startsWith('{')) lines.push(JSON.parse(line) as RunLine);
    });
    await waitFor(lines, (l) => l.length >= 2, 20_000, () => live.stdout());
    live.child.kill('SIGTERM');
    expect(await live.exited).toBe(130);
    const out = live.stdout();
    expect(lines.slice(0, 2).map((l) => [l.run, l.status, l.error?.code])).toEqual([
      [1, 'failed', 'connection'],
      [2, 'failed', 'connection'],
    ]);
    expect(lines[0]?.error?.message).toContain('cannot connect to PostgreSQL');
    expect(out).not.toContain('s3cret-pw');
  });

  it('refuses a pattern that is not cron before connecting to anything, and --tui beside it', async () => {
    const bad = await runCli(['run', '--direction', 'sqlite-to-pg', '--sqlite', pair.sqlitePath, '--pg', 'postgres://nobody@127.0.0.1:1/none', '--schedule', 'every minute'], { cwd: pair.dir.path });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--schedule "every minute" is not a cron pattern');
    const tui = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--schedule', EVERY_SECOND, '--tui'], { cwd: pair.dir.path });
    expect(tui.code).toBe(2);
    expect(tui.stderr).toContain('--schedule runs without the terminal UI');
  });

  it('with a jitter, starts each scheduled run at a random moment within it after its time', async () => {
    const replicator = createReplicator({ sqlitePath: pair.sqlitePath, pgUrl: pair.db.url });
    const stop = new AbortController();
    const waits: { next: string }[] = [];
    const starts: string[] = [];
    replicator.on('schedule-wait', (e) => waits.push(e));
    replicator.on('schedule-run', (e) => {
      starts.push(e.startedAt);
      if (e.run === 4) stop.abort();
    });
    await replicator.syncOnSchedule(EVERY_SECOND, { direction: 'sqlite-to-pg' }, stop.signal, { jitterMs: 600 });
    expect(waits).toHaveLength(3);
    waits.forEach((w, i) => {
      const next = new Date(w.next).getTime();
      // within 600 ms after a whole second (the pattern's times), and the run started no sooner
      expect(next % 1000).toBeLessThan(600);
      expect(new Date(starts[i + 1] as string).getTime()).toBeGreaterThanOrEqual(next);
    });
    // and not on the second itself (three draws all of 0 ms: about one in 2e8)
    expect(waits.some((w) => new Date(w.next).getTime() % 1000 > 0)).toBe(true);
    const refused = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--jitter', '5'], { cwd: pair.dir.path });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--jitter goes with --schedule');
    const negative = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--schedule', EVERY_SECOND, '--jitter', '-1'], { cwd: pair.dir.path });
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain('--jitter must be a number of seconds, 0 or more; got -1');
  });

  it('--dry-run prints the plan and when the next runs would start', async () => {
    const r = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--schedule', '*/15 * * * *', '--dry-run'], { cwd: pair.dir.path });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('schedule "*/15 * * * *" (machine time): a run at start, then at');
    const times = [...r.stdout.matchAll(/^ {2}\d{4}-\d\d-\d\d \d\d:(\d\d):00$/gm)].map((m) => m[1]);
    expect(times).toHaveLength(5);
    for (const minute of times) expect(['00', '15', '30', '45']).toContain(minute);
  });
});

describe('times a long run outlasts', () => {
  it('are counted, to be skipped rather than queued', () => {
    const s = parseSchedule(EVERY_SECOND);
    const at = (t: string): Date => new Date(`2026-01-01T10:00:${t}Z`);
    expect(missedTimes(s, at('00.500'), at('00.900'))).toBe(0);
    expect(missedTimes(s, at('00.500'), at('03.200'))).toBe(3);
    expect(missedTimes(parseSchedule('*/15 * * * *'), new Date('2026-01-01T10:07:00Z'), new Date('2026-01-01T11:07:00Z'))).toBe(4);
  });
});
