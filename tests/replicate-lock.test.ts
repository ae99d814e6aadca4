/** Two runs on one pair at once: the second exits 1 and names the run that holds the pair. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `CREATE TABLE readings (id bigint PRIMARY KEY, value double precision NOT NULL, updated_at timestamptz NOT NULL);`;
const SQLITE = `CREATE TABLE readings (id INTEGER PRIMARY KEY, value REAL NOT NULL, updated_at DATETIME NOT NULL);`;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  await pair.db.exec(`INSERT INTO readings SELECT g, g * 0.5, '2025-11-05 10:00:00+00'::timestamptz + g * interval '1 ms' FROM generate_series(1, 200000) g`);
});
afterAll(() => pair.cleanup());

describe('one run per pair', () => {
  it('a second concurrent run names the first and exits 1', async () => {
    const args = ['run', '--direction', 'pg-to-sqlite', ...pair.flags, '--batch-size', '500'];
    const first = spawnCli(args, { cwd: pair.dir.path });
    // wait until the first run holds the lock (its first batches are in)
    for (let i = 0; i < 200; i++) {
      const held = await pair.db.query<{ n: string }>('SELECT count(*)::text AS n FROM replicate.locks').catch(() => [{ n: '0' }]);
      if (held[0]?.n === '1') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const second = await spawnCli(args, { cwd: pair.dir.path });
    const firstResult = await first;
    expect(firstResult.code).toBe(0);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/another replicate run holds this pair: pid \d+ on host .+ since .+\(replicate run --direction pg-to-sqlite\)/);
  });
});
