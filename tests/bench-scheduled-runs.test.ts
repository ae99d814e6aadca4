/**
 * The benchmark's scheduled case d at a tiny scale: one `run --schedule` process stays up,
 * the rows each round changes land in its next run (and only those), and the process's
 * memory and CPU are read from /proc for the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePos, posPostgresSchemaPath, type GeneratedPos } from '../bench/generate-pos.js';
import { scheduledRounds } from '../bench/scheduled-runs.js';
import { runSqlFile } from '../bench/pg-admin.js';
import { spawnCli } from './harness/cli.js';
import { createTestDatabase, type TestDatabase } from './harness/pg.js';
import { tempDir, type TempDir } from './harness/sqlite.js';

let dir: TempDir;
let db: TestDatabase;
let pos: GeneratedPos;
beforeAll(async () => {
  dir = tempDir('replicate-bench-sched-');
  pos = generatePos(dir.file('pos.db'), { scale: 0.002 });
  db = await createTestDatabase('bsched');
  await runSqlFile(db.url, posPostgresSchemaPath());
  const full = await spawnCli(['run', '--direction', 'sqlite-to-pg', '--sqlite', pos.path, '--pg', db.url, '--json'], { cwd: dir.path });
  expect(full.code, full.stderr).toBe(0);
});
afterAll(async () => {
  await db.drop();
  dir.remove();
});

describe('case d in one scheduled process', () => {
  it('lands each round\'s changed rows in the next run and reports its time, memory and CPU', async () => {
    const r = await scheduledRounds(pos.path, db.url, 2, 1, 0.01, async () => undefined, 60_000, '* * * * * *');
    expect(r.ms).toHaveLength(2);
    expect(r.changed.every((n) => n > 0)).toBe(true);
    expect(r.written).toEqual(r.changed);
    for (const ms of r.ms) expect(ms).toBeGreaterThan(0);
    expect(r.peakRss).toBeGreaterThan(20e6);
    expect(r.rssLast).toBeLessThanOrEqual(r.peakRss ?? 0);
    expect(r.cpuSeconds).toBeGreaterThan(0);
    const landed = await db.query<{ n: string }>("SELECT count(*) AS n FROM orders WHERE notes = 'corrected after audit'");
    expect(Number(landed[0]?.n)).toBeGreaterThan(0);
  });
});
