/**
 * Ctrl+C during a run: the current batch finishes and is checkpointed, the run exits 130,
 * and the next run carries on from there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnLiveCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL, updated_at timestamptz NOT NULL);`;
const SQLITE = `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, updated_at DATETIME NOT NULL);`;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  await pair.db.exec(`INSERT INTO notes SELECT g, repeat('x', 200) || g, '2025-11-05 10:00:00+00'::timestamptz + g * interval '1 ms' FROM generate_series(1, 150000) g`);
});
afterAll(() => pair.cleanup());

describe('Ctrl+C', () => {
  it('stops after a checkpointed batch with exit 130; the next run finishes the job', async () => {
    // interrupt once the first progress line shows rows landing
    const live = spawnLiveCli(['run', '--direction', 'pg-to-sqlite', ...pair.flags, '--batch-size', '1000'], { cwd: pair.dir.path }, (line, child) => {
      if (/notes: [\d,]+ read/.test(line) && !child.killed) child.kill('SIGINT');
    });
    const code = await live.exited;
    const out = live.stdout();
    const err = live.stderr();
    expect(code, err).toBe(130);
    expect(err).toContain('stopping after the current batch');
    expect(out).toMatch(/stopped in .*interrupted after a checkpoint/);
    const s = pair.sqlite();
    const landed = Number((s.prepare('SELECT count(*) AS n FROM notes').get() as { n: bigint }).n);
    expect(landed).toBeGreaterThan(0);
    expect(landed).toBeLessThan(150000);
    expect(landed % 1000).toBe(0);

    const rest = await pair.run('pg-to-sqlite', '--batch-size', '1000');
    expect(rest.code).toBe(0);
    expect(rest.json.tables[0]?.read).toBe(150000 - landed);
    expect(Number((s.prepare('SELECT count(*) AS n FROM notes').get() as { n: bigint }).n)).toBe(150000);
  });
});
