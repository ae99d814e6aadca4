/**
 * A service manager stops a scheduled sync (SIGTERM) in the middle of a long first copy:
 * the batch going on finishes and is checkpointed, the process exits 130, and the next
 * run carries on from that checkpoint to the last row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnLiveCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL, updated_at timestamptz NOT NULL);`;
const SQLITE = `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, updated_at DATETIME NOT NULL);`;
const ROWS = 150000;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  await pair.db.exec(`INSERT INTO notes SELECT g, repeat('x', 200) || g, '2025-11-05 10:00:00+00'::timestamptz + g * interval '1 ms' FROM generate_series(1, ${ROWS}) g`);
});
afterAll(() => pair.cleanup());

describe('SIGTERM during a scheduled run', () => {
  it('stops after a checkpointed batch with exit 130; the next run finishes the copy', async () => {
    // stop as soon as the first run has started
    const live = spawnLiveCli(['run', '--direction', 'pg-to-sqlite', ...pair.flags, '--batch-size', '1000', '--schedule', '0 0 1 1 *'], { cwd: pair.dir.path }, (line, child) => {
      if (/\] run 1$/.test(line) && !child.killed) child.kill('SIGTERM');
    });
    expect(await live.exited, live.stderr()).toBe(130);
    expect(live.stderr()).toContain('stopping: a run going on finishes its batch first');
    expect(live.stdout()).toMatch(/stopped in .*interrupted after a checkpoint/);
    expect(live.stdout()).not.toContain('next run at');
    const s = pair.sqlite();
    const landed = Number((s.prepare('SELECT count(*) AS n FROM notes').get() as { n: bigint }).n);
    expect(landed).toBeLessThan(ROWS);
    expect(landed % 1000).toBe(0);

    const rest = await pair.run('pg-to-sqlite', '--batch-size', '1000');
    expect(rest.code).toBe(0);
    expect(rest.json.tables[0]?.read).toBe(ROWS - landed);
    expect(s.prepare('SELECT count(*) AS n, count(DISTINCT id) AS d FROM notes').get()).toEqual({ n: BigInt(ROWS), d: BigInt(ROWS) });
  });
});
