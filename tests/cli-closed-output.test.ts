/**
 * A user pipes replicate into something that stops reading: `replicate status | true`,
 * `replicate run ... | head -3`. No stack trace: a short command finishes quietly, and a
 * run stops as after Ctrl+C, after a checkpointed batch, recorded as interrupted (exit 130),
 * so the next run carries on to a copy equal to the source.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, spawnLiveCli } from './harness/cli.js';
import { createReplicationPair, diffContent, type ReplicationPair } from './harness/replication.js';

const PG = `CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL, updated_at timestamptz NOT NULL);`;
const SQLITE = `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, updated_at DATETIME NOT NULL);`;
const ROWS = 150000;
const COLUMNS = ['id', 'body', 'updated_at'].map((c) => ({ pg: c, sqlite: c }));

interface StatusJson {
  directions: { direction: string; summary: { lastRuns: { status: string }[] } }[];
}

let pair: ReplicationPair;
beforeEach(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  pair.sqlite().exec(`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${ROWS})
    INSERT INTO notes SELECT n, printf('%.200c', 'x') || n, datetime('2025-11-05 10:00:00', '+' || n || ' seconds') FROM g`);
});
afterEach(() => pair.cleanup());

async function lastRunStatus(): Promise<string | undefined> {
  const r = await runCli(['status', ...pair.flags, '--json'], { cwd: pair.dir.path });
  const status = JSON.parse(r.stdout) as StatusJson;
  return status.directions.find((d) => d.direction === 'sqlite-to-pg')?.summary.lastRuns[0]?.status;
}

async function expectNextRunEqualsSource(): Promise<void> {
  const rest = await pair.run('sqlite-to-pg', '--batch-size', '1000');
  expect(rest.code).toBe(0);
  expect(await diffContent(pair.db, pair.sqlitePath, { pg: 'notes', sqlite: 'notes' }, COLUMNS)).toEqual({ onlyInSqlite: [], onlyInPostgres: [] });
}

describe('output closed by its reader', () => {
  it('`replicate status | true`: no stack trace, exit 0', async () => {
    const live = spawnLiveCli(['status', ...pair.flags], { cwd: pair.dir.path });
    live.child.stdout?.destroy(); // `| true`: nobody ever reads
    expect(await live.exited).toBe(0);
    expect(live.stderr()).toBe('');
  });

  it('`replicate run | head -3`: the run stops after a checkpointed batch, exit 130, recorded as interrupted', async () => {
    const live = spawnLiveCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--batch-size', '1000'], { cwd: pair.dir.path }, (line, child) => {
      if (/notes: incremental/.test(line)) child.stdout?.destroy();
    });
    const code = await live.exited;
    expect(live.stderr()).toBe('output closed: stopping after the current batch\n');
    expect(code).toBe(130);
    const landed = Number((await pair.db.query<{ n: string }>('SELECT count(*) AS n FROM notes'))[0]?.n);
    expect(landed).toBeGreaterThan(0);
    expect(landed).toBeLessThan(ROWS);
    expect(landed % 1000).toBe(0);
    expect(await lastRunStatus()).toBe('interrupted');
    await expectNextRunEqualsSource();
  });

  it('`replicate run --schedule ... | head`: the scheduled run stops the same way and the schedule ends, exit 130', async () => {
    const live = spawnLiveCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--batch-size', '1000', '--schedule', '0 0 1 1 *'], { cwd: pair.dir.path }, (line, child) => {
      if (/notes: [\d,]+ read/.test(line)) child.stdout?.destroy();
    });
    const code = await live.exited;
    expect(live.stderr()).toBe('output closed: stopping; a run going on finishes its batch first\n');
    expect(code).toBe(130);
    // the table's line is printed as it ends, so the stop may come after the run's last batch
    // (then it ends 'done') or before its end is recorded ('interrupted'): either way it ended
    expect(['interrupted', 'done']).toContain(await lastRunStatus());
    const rest = await pair.run('sqlite-to-pg', '--batch-size', '1000');
    expect(rest.code).toBe(0);
    expect((await pair.db.query('SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM notes'))[0]).toEqual({ n: ROWS, d: ROWS });
  });
});
