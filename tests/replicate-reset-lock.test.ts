/**
 * `replicate reset` takes the pair's run lock: while a run holds the pair it is refused
 * (exit 1, naming the run) and forgets nothing, in either direction's state; a run going
 * on would otherwise save its checkpoint again and silently undo the reset. An unknown
 * --table is refused as `run --tables` refuses it (exit 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnLiveCli, type LiveCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `CREATE TABLE readings (id bigint PRIMARY KEY, value double precision NOT NULL, updated_at timestamptz NOT NULL);`;
const SQLITE = `CREATE TABLE readings (id INTEGER PRIMARY KEY, value REAL NOT NULL, updated_at DATETIME NOT NULL);`;

interface Checkpoint {
  direction: string;
  table_name: string;
  position: string;
  updated_at: string;
}

let pair: ReplicationPair;

/** sqlite-to-pg's checkpoints: kept in PostgreSQL. */
const postgresCheckpoints = (): Promise<Checkpoint[]> =>
  pair.db.query<Checkpoint>(`SELECT direction, table_name, position, updated_at::text AS updated_at FROM replicate.checkpoints ORDER BY table_name`);

/** pg-to-sqlite's checkpoints: kept in the SQLite file. */
const sqliteCheckpoints = (): Checkpoint[] =>
  pair.sqlite().prepare('SELECT direction, table_name, position, updated_at FROM _replicate_checkpoints ORDER BY table_name').all() as Checkpoint[];

/** Who holds the pair, in PostgreSQL and in the file. */
async function lockRows(): Promise<{ postgres: unknown[]; sqlite: unknown[] }> {
  return { postgres: await pair.db.query('SELECT command FROM replicate.locks'), sqlite: pair.sqlite().prepare('SELECT command FROM _replicate_lock').all() };
}

/** A long run of the whole table (--full, small batches), returned once it holds the pair. */
async function runGoingOn(direction: 'sqlite-to-pg' | 'pg-to-sqlite'): Promise<LiveCli> {
  const run = spawnLiveCli(['run', '--direction', direction, ...pair.flags, '--full', '--batch-size', '500'], { cwd: pair.dir.path });
  for (let i = 0; i < 200; i++) {
    const held = await pair.db.query<{ n: string }>('SELECT count(*)::text AS n FROM replicate.locks');
    if (held[0]?.n === '1') return run;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the ${direction} run never took the lock: ${run.stderr()}`);
}

beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  await pair.db.exec(`INSERT INTO readings SELECT g, g * 0.5, '2025-11-05 10:00:00+00'::timestamptz + g * interval '1 ms' FROM generate_series(1, 60000) g`);
  // the pair has run both ways: each direction has its checkpoint
  expect((await pair.run('pg-to-sqlite')).code).toBe(0);
  expect((await pair.run('sqlite-to-pg')).code).toBe(0);
  expect(await postgresCheckpoints()).toHaveLength(1);
  expect(sqliteCheckpoints()).toHaveLength(1);
});
afterAll(() => pair.cleanup());

describe('reset while a run holds the pair', () => {
  it('is refused with exit 1 naming the pg-to-sqlite run, and forgets nothing; once the run is done it forgets both checkpoints', async () => {
    const before = await postgresCheckpoints();
    const run = await runGoingOn('pg-to-sqlite');
    const reset = await runCli(['reset', ...pair.flags], { cwd: pair.dir.path });
    expect(reset.code).toBe(1);
    expect(reset.stderr).toMatch(/^replicate: another replicate run holds this pair: pid \d+ on host .+ since .+ \(replicate run --direction pg-to-sqlite\)\n$/);
    expect(reset.stdout).toBe('');
    // the running run does not touch sqlite-to-pg's checkpoint: a reset would have deleted it for good
    expect(await postgresCheckpoints()).toEqual(before);
    expect(await run.exited).toBe(0);
    expect(sqliteCheckpoints()).toHaveLength(1);

    const after = await runCli(['reset', ...pair.flags], { cwd: pair.dir.path });
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe('forgot 2 checkpoints: the next run copies every table in full\n');
    expect(await postgresCheckpoints()).toEqual([]);
    expect(sqliteCheckpoints()).toEqual([]);
    // the reset let go of the pair
    expect(await lockRows()).toEqual({ postgres: [], sqlite: [] });
  });

  it('reset --table of the other direction is refused while a sqlite-to-pg run goes on, and its checkpoint in the file stays', async () => {
    expect((await pair.run('pg-to-sqlite')).code).toBe(0);
    const before = sqliteCheckpoints();
    expect(before).toHaveLength(1);
    const run = await runGoingOn('sqlite-to-pg');
    const reset = await runCli(['reset', '--table', 'readings', '--direction', 'pg-to-sqlite', ...pair.flags], { cwd: pair.dir.path });
    expect(reset.code).toBe(1);
    expect(reset.stderr).toMatch(/another replicate run holds this pair: pid \d+ on host .+ \(replicate run --direction sqlite-to-pg\)/);
    expect(sqliteCheckpoints()).toEqual(before);
    expect(await run.exited).toBe(0);
    expect(await lockRows()).toEqual({ postgres: [], sqlite: [] });

    const after = await runCli(['reset', '--table', 'readings', '--direction', 'pg-to-sqlite', ...pair.flags], { cwd: pair.dir.path });
    expect(after.stdout).toBe('forgot 1 checkpoint of readings: the next run copies it in full\n');
    expect(sqliteCheckpoints()).toEqual([]);
    expect(await postgresCheckpoints()).toHaveLength(1);
    expect(await lockRows()).toEqual({ postgres: [], sqlite: [] });
  });
});

describe('reset --table with a table the pair does not have', () => {
  it('exits 2 naming it and the known tables, as run --tables does, and forgets nothing', async () => {
    const postgres = await postgresCheckpoints();
    const sqlite = sqliteCheckpoints();
    expect(postgres.length + sqlite.length).toBeGreaterThan(0);
    const reset = await runCli(['reset', '--table', 'nosuch', ...pair.flags], { cwd: pair.dir.path });
    expect(reset.code).toBe(2);
    expect(reset.stderr).toBe('replicate: --table: unknown table nosuch (PostgreSQL names; known: readings)\n');
    expect(reset.stdout).toBe('');
    expect(await postgresCheckpoints()).toEqual(postgres);
    expect(sqliteCheckpoints()).toEqual(sqlite);
  });
});
