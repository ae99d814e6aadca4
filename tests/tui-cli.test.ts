/**
 * The TUI from the command line when there is no terminal (a pipe, CI, a cron job):
 * `replicate tui` says it needs one and exits 2; `replicate run --tui` falls back to the
 * plain progress lines (or --json), never drawing Ink into a log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL);`;
const SQLITE = `CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO customers VALUES (1, 'Ada'), (2, 'Grace');`;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
});
afterAll(() => pair.cleanup());

describe('the TUI without a terminal', () => {
  it('`replicate tui` exits 2 and says what to use instead', async () => {
    const r = await runCli(['tui', ...pair.flags], { cwd: pair.dir.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a terminal/);
    expect(r.stderr).toMatch(/replicate run/);
    expect(r.stdout + r.stderr).not.toContain('\u001b[?1049h');
  });

  it('`replicate run --tui` prints plain progress lines instead', async () => {
    const r = await runCli(['run', '--direction', 'sqlite-to-pg', '--tui', ...pair.flags], { cwd: pair.dir.path });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run sqlite-to-pg: 1 tables/);
    expect(r.stdout).toMatch(/customers: 2 read, 2 written/);
    expect(r.stdout).not.toContain('\u001b[');
    const json = await runCli(['run', '--direction', 'sqlite-to-pg', '--tui', '--json', ...pair.flags], { cwd: pair.dir.path });
    expect(JSON.parse(json.stdout)).toMatchObject({ direction: 'sqlite-to-pg', status: 'done' });
  });

  it('--help lists the tui command and run --tui', async () => {
    const top = await runCli(['--help'], { cwd: pair.dir.path });
    expect(top.stdout).toMatch(/replicate tui\s+Full-screen terminal UI/);
    const run = await runCli(['run', '--help'], { cwd: pair.dir.path });
    expect(run.stdout).toMatch(/--tui\s+watch the run in the terminal UI/);
  });
});
