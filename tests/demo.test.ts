/** A newcomer types `replicate demo` after install and watches a real replication, nothing else set up. */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { spawnCli } from './harness/cli.js';
import { tempDir } from './harness/sqlite.js';

describe('replicate demo', () => {
  it('builds the sample pair, aligns it, replicates both ways, verifies, and cleans up', async () => {
    const dir = tempDir();
    const r = await spawnCli(['demo'], { cwd: dir.path });
    dir.remove();
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
  });
});
