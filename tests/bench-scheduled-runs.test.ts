/**
 * The benchmark's scheduled case d at a tiny scale: one `run --schedule` process stays up,
 * the rows each round changes land in its next run (and only those), and the process's
 * memory and CPU are read from /proc for the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduledRounds } from '../bench/scheduled-runs.js';
import { loadedBenchPair, type BenchPair } from './harness/bench-pair.js';

let pair: BenchPair;
beforeAll(async () => {
  pair = await loadedBenchPair('sched');
});
afterAll(async () => {
  await pair.db.drop();
  pair.dir.remove();
});

describe('case d in one scheduled process', () => {
  it('lands each round\'s changed rows in the next run and reports its time, memory and CPU', async () => {
    const r = await scheduledRounds(pair.pos.path, pair.db.url, 2, 1, 0.01, async () => undefined, 60_000, '* * * * * *');
    expect(r.ms).toHaveLength(2);
    expect(r.changed.every((n) => n > 0)).toBe(true);
    expect(r.written).toEqual(r.changed);
    for (const ms of r.ms) expect(ms).toBeGreaterThan(0);
    expect(r.peakRss).toBeGreaterThan(20e6);
    expect(r.rssLast).toBeLessThanOrEqual(r.peakRss ?? 0);
    expect(r.cpuSeconds).toBeGreaterThan(0);
    const landed = await pair.db.query<{ n: string }>("SELECT count(*) AS n FROM orders WHERE notes = 'corrected after audit'");
    expect(Number(landed[0]?.n)).toBeGreaterThan(0);
  });
});
