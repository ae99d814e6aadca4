/**
 * The PostgreSQL session drops in the middle of a run (a failover, an admin killing it):
 * the run reconnects, takes its lock again, resumes from the last checkpoint and ends
 * with every row, none twice, and counts the rows written before the drop as well as
 * after (its summary and `status`). Both ways: reading PostgreSQL (pg-to-sqlite) goes through
 * a session of its own on a reader thread, and it is killed too.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, type CliResult } from './harness/cli.js';
import { createReplicationPair, diffContent, type ReplicationPair } from './harness/replication.js';

const PG = `CREATE TABLE readings (id bigint PRIMARY KEY, sensor integer NOT NULL, value numeric(10,3) NOT NULL, updated_at timestamptz NOT NULL);`;
const SQLITE = `CREATE TABLE readings (id INTEGER PRIMARY KEY, sensor INTEGER NOT NULL, value DECIMAL(10,3) NOT NULL, updated_at DATETIME NOT NULL);`;
const ROWS = 80000;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  const s = pair.sqlite();
  const insert = s.prepare('INSERT INTO readings VALUES (?, ?, ?, ?)');
  s.transaction(() => {
    for (let i = 1; i <= ROWS; i++) insert.run(i, i % 50, `${i % 1000}.${String(i % 1000).padStart(3, '0')}`, `2025-11-05T10:${String(Math.floor(i / 6000) % 60).padStart(2, '0')}:00.${String(i % 1000).padStart(3, '0')}Z`);
  })();
});
afterAll(() => pair.cleanup());

/** Once `landed()` reaches 5,000 rows, terminates the run's PostgreSQL sessions; how many it killed. */
async function killSessionsOnceLanded(landed: () => Promise<number> | number): Promise<number> {
  for (let i = 0; i < 400; i++) {
    if ((await landed()) >= 5000) {
      const r = await pair.db.query<{ ok: boolean }>(
        "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name LIKE 'replicate run%' AND datname = current_database()",
      );
      const killed = r.filter((x) => x.ok).length;
      if (killed > 0) return killed;
    } else await new Promise((r) => setTimeout(r, 20));
  }
  return 0;
}

/** The run was cut off, said it retried, finished with exit 0 counting every row once, and both sides hold the same rows. */
async function expectRetriedToAnExactCopy(killed: number, result: CliResult, direction: string): Promise<void> {
  expect(killed).toBeGreaterThan(0);
  expect(result.stdout).toMatch(/retry 1 in \d+ ms: connection lost/);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toMatch(/done in [\d.]+s: 80,000 rows read, 80,000 written/);
  const status = await runCli(['status', ...pair.flags], { cwd: pair.dir.path });
  expect(status.stdout.split(`\n${direction}\n`)[1]).toMatch(/^ +run +\S+ +done +80000 read, 80000 written$/m);
  const diff = await diffContent(pair.db, pair.sqlitePath, { pg: 'readings', sqlite: 'readings' }, ['id', 'sensor', 'value', 'updated_at'].map((c) => ({ pg: c, sqlite: c })));
  expect(diff).toEqual({ onlyInSqlite: [], onlyInPostgres: [] });
}

describe('a dropped PostgreSQL connection', () => {
  it('is retried: the run reconnects and finishes with every row once', async () => {
    const run = spawnCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--batch-size', '500'], { cwd: pair.dir.path });
    const killed = await killSessionsOnceLanded(async () => {
      const landed = await pair.db.query<{ n: string }>('SELECT count(*)::text AS n FROM readings');
      return Number(landed[0]?.n ?? 0);
    });
    await expectRetriedToAnExactCopy(killed, await run, 'sqlite-to-pg');
  });

  it('is retried when reading PostgreSQL into SQLite: every row lands once', async () => {
    // the rows are in PostgreSQL now (the run above): copy them back into a SQLite table
    // that keeps one row, so they land batch by batch (an empty one loads in one transaction)
    const s = pair.sqlite();
    s.exec('DELETE FROM readings WHERE id > 1');
    s.close();
    const run = spawnCli(['run', '--direction', 'pg-to-sqlite', ...pair.flags, '--batch-size', '500'], { cwd: pair.dir.path });
    const watch = new Database(pair.sqlitePath, { readonly: true });
    watch.pragma('busy_timeout = 5000');
    let killed = 0;
    try {
      killed = await killSessionsOnceLanded(() => Number(watch.prepare('SELECT count(*) FROM readings').pluck().get()));
    } finally {
      watch.close();
    }
    await expectRetriedToAnExactCopy(killed, await run, 'pg-to-sqlite');
  });
});
