/**
 * `status` tells what happened to runs that could not say it themselves: a run killed in
 * the middle shows as cut off, with the rows its committed batches wrote (as many as the
 * target holds), right after the kill and after the next run; a scheduled run that lost
 * PostgreSQL for good shows as failed, with its error and its rows, once the schedule's
 * next run can reach the server again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnLiveCli } from './harness/cli.js';
import { cutOffRun } from './harness/cut-off-run.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';
import { withAdmin } from './harness/pg.js';

const PG = `
  CREATE TABLE stores (id integer PRIMARY KEY, name text NOT NULL);
  CREATE TABLE lines (id bigint PRIMARY KEY, store_id integer NOT NULL REFERENCES stores(id), amount numeric(12,2) NOT NULL, updated_at timestamptz NOT NULL);`;
const SQLITE = `
  CREATE TABLE stores (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE lines (id INTEGER PRIMARY KEY, store_id INTEGER NOT NULL REFERENCES stores(id), amount DECIMAL(12,2) NOT NULL, updated_at DATETIME NOT NULL);`;
// enough that the run is still going when it is cut off at 5,000 rows, in batches of 500
const ROWS = 150000;
const STORES = 10;

interface StatusRun {
  runId: string;
  startedAt: string;
  status: string;
  tables: { table: string; read: number; written: number; error: string | null }[];
}

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  const s = pair.sqlite();
  s.transaction(() => {
    for (let i = 1; i <= STORES; i++) s.prepare('INSERT INTO stores VALUES (?, ?)').run(i, `store ${i}`);
    const insert = s.prepare('INSERT INTO lines VALUES (?, ?, ?, ?)');
    for (let i = 1; i <= ROWS; i++) insert.run(i, 1 + (i % STORES), `${i % 997}.${String(i % 100).padStart(2, '0')}`, `2025-11-05T10:${String(Math.floor(i / 3000) % 60).padStart(2, '0')}:00.${String(i % 1000).padStart(3, '0')}Z`);
  })();
});
afterAll(() => pair.cleanup());

const linesInPostgres = async (): Promise<number> => Number((await pair.db.query<{ n: string }>('SELECT count(*)::text AS n FROM lines'))[0]?.n ?? 0);

/** The sqlite-to-pg runs `status --json` lists, newest first. */
async function statusRuns(): Promise<StatusRun[]> {
  const r = await runCli(['status', ...pair.flags, '--json'], { cwd: pair.dir.path });
  expect(r.code, r.stderr).toBe(0);
  const s = JSON.parse(r.stdout) as { directions: { direction: string; summary: { lastRuns: StatusRun[] } }[] };
  return s.directions.find((d) => d.direction === 'sqlite-to-pg')?.summary.lastRuns ?? [];
}

const written = (run: StatusRun | undefined): number => (run?.tables ?? []).reduce((n, t) => n + t.written, 0);

/** Until the server has noticed the killed run's session is gone (it lets go of the run's lock then). */
async function sessionsGone(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const left = await pair.db.query("SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'replicate run%' AND datname = current_database()");
    if (left.length === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('status after a run that could not record its end', () => {
  it('shows a run killed mid-table as cut off, with the rows its batches wrote, now and after the next run', async () => {
    let whileRunning = '';
    const killed = await cutOffRun(pair, ['--batch-size', '500'], 'SIGKILL', async () => {
      if ((await linesInPostgres()) < 5000) return false;
      whileRunning = (await runCli(['status', ...pair.flags], { cwd: pair.dir.path })).stdout;
      return true;
    });
    expect(killed.code).toBeNull(); // killed by the signal
    expect(whileRunning).toMatch(/run +\S+ +running +\d+ read, \d+ written so far/);
    await sessionsGone();
    const landed = await linesInPostgres();
    expect(landed).toBeGreaterThanOrEqual(5000);
    expect(landed).toBeLessThan(ROWS);

    const plain = await runCli(['status', ...pair.flags], { cwd: pair.dir.path });
    expect(plain.stdout).toContain(`cut off     ${STORES + landed} read, ${STORES + landed} written before it ended without a summary (killed, crashed or lost its connection)`);
    const [cut] = await statusRuns();
    expect(cut?.status).toBe('cut-off');
    expect(cut?.tables.map((t) => [t.table, t.written])).toEqual([
      ['stores', STORES],
      ['lines', landed],
    ]);

    const next = await pair.run('sqlite-to-pg', '--batch-size', '5000');
    expect(next.code, next.stderr).toBe(0);
    const [done, before] = await statusRuns();
    expect(done?.status).toBe('done');
    expect(written(done)).toBe(STORES + ROWS - landed); // stores has no cursor: copied whole each run
    expect(before).toMatchObject({ runId: cut?.runId, status: 'cut-off' });
    expect(before?.tables.map((t) => [t.table, t.written])).toEqual([
      ['stores', STORES],
      ['lines', landed],
    ]);
  });

  it('shows a scheduled run that lost PostgreSQL for good as failed, with its error and its rows, once the next run gets through', async () => {
    // a first copy again, batch by batch
    await pair.db.exec('TRUNCATE lines');
    expect((await runCli(['reset', ...pair.flags], { cwd: pair.dir.path })).code).toBe(0);
    const lines: { run: number; status: string }[] = [];
    const since = new Date().toISOString();
    const live = spawnLiveCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--batch-size', '500', '--schedule', '* * * * * *', '--json'], { cwd: pair.dir.path }, (line) => {
      if (line.trim()) lines.push(JSON.parse(line) as { run: number; status: string });
    });
    const until = async (what: string, ok: () => boolean | Promise<boolean>): Promise<void> => {
      for (let i = 0; i < 1500 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 20));
      expect(await ok(), `${what}\n${JSON.stringify(lines)}\n${live.stderr()}`).toBe(true);
    };
    // from the admin database: a database cannot close itself to new sessions
    const allowConnections = (allow: boolean): Promise<unknown> => withAdmin((c) => c.query(`ALTER DATABASE "${pair.db.name}" ALLOW_CONNECTIONS ${allow}`));
    try {
      await until('5,000 rows in', async () => (await linesInPostgres()) >= 5000);
      // the server takes no new session (the harness keeps its own), and the run's are ended
      await allowConnections(false);
      await pair.db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'replicate run%' AND datname = current_database()");
      await until('the first run fails', () => lines.some((l) => l.run === 1 && l.status === 'failed'));
      const landed = await linesInPostgres();
      await allowConnections(true);
      await until('a later run is done', () => lines.some((l) => l.run > 1 && l.status === 'done'));
      live.child.kill('SIGTERM');
      await live.exited;

      const runs = (await statusRuns()).filter((r) => r.startedAt >= since);
      const failed = runs.find((r) => r.status === 'failed');
      expect(failed, JSON.stringify(runs)).toBeDefined();
      expect(runs.filter((r) => r.status === 'cut-off' || r.status === 'interrupted' || r.status === 'running')).toEqual([]);
      expect(failed?.tables.map((t) => [t.table, t.written])).toEqual([
        ['stores', STORES],
        ['lines', landed],
      ]);
      expect(failed?.tables[1]?.error).toMatch(/connection/i);
      const plain = await runCli(['status', ...pair.flags], { cwd: pair.dir.path });
      expect(plain.stdout).toMatch(new RegExp(`failed +${STORES + landed} read, ${STORES + landed} written; lines: `));
    } finally {
      await allowConnections(true);
      if (live.child.exitCode === null) live.child.kill('SIGKILL');
    }
  });
});
