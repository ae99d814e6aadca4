/**
 * A user who mistypes a password, points at a dead port or hands over the wrong file
 * gets exit 2 and a message naming what and where, and never sees the password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../src/pgserver/local-server.js';
import { adminUrl } from './harness/pg.js';
import { runCli, spawnCli } from './harness/cli.js';
import { createSqliteFile, tempDir, type TempDir } from './harness/sqlite.js';

let dir: TempDir;
let sqlitePath: string;

beforeAll(() => {
  dir = tempDir();
  sqlitePath = dir.file('pos.db');
  createSqliteFile(sqlitePath, 'CREATE TABLE t (id INTEGER PRIMARY KEY)');
});
afterAll(() => dir.remove());

const SECRET = 'Sup3r-Secret-pw';

function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

describe('verify that cannot run exits 2 with a clear message', () => {
  it('a wrong password names user, host and port but not the password', async () => {
    const url = withPassword(adminUrl(), SECRET);
    const r = await runCli(['verify', '--sqlite', sqlitePath, '--pg', url], { cwd: dir.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/password authentication failed for user "replicate"/);
    expect(r.stderr).toContain(new URL(url).port);
    expect(r.stderr + r.stdout).not.toContain(SECRET);
  });

  it('the same wrong password given through PG_URL is not echoed either', async () => {
    const r = await runCli(['verify', '--sqlite', sqlitePath], { cwd: dir.path, env: { PG_URL: withPassword(adminUrl(), SECRET) } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('password authentication failed');
    expect(r.stderr + r.stdout).not.toContain(SECRET);
  });

  it('an unreachable port says the connection was refused and where', async () => {
    const port = await freePort();
    const u = new URL(withPassword(adminUrl(), SECRET));
    u.port = String(port);
    const r = await runCli(['verify', '--sqlite', sqlitePath, '--pg', u.toString()], { cwd: dir.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`127.0.0.1:${port}`);
    expect(r.stderr).toMatch(/refused/);
    expect(r.stderr + r.stdout).not.toContain(SECRET);
  });

  it('a file that is not SQLite is named as such', async () => {
    const notSqlite = dir.file('notes.txt');
    writeFileSync(notSqlite, 'these are my notes, not a database\n');
    const r = await runCli(['verify', '--sqlite', notSqlite, '--pg', adminUrl()], { cwd: dir.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${notSqlite} is not a SQLite database`);
  });

  it('a missing SQLite file is named and not created', async () => {
    const missing = dir.file('nowhere/pos.db');
    const r = await runCli(['verify', '--sqlite', missing, '--pg', adminUrl()], { cwd: dir.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(missing);
    expect(r.stderr).toMatch(/not found/);
  });

  it('no connection at all explains the three ways to give one', async () => {
    const r = await runCli(['verify'], { cwd: dir.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--sqlite');
    expect(r.stderr).toContain('SQLITE_PATH');
  });

  it('a config file with a typo names the file and the key', async () => {
    const project = dir.file('typo-project');
    mkdirSync(project);
    const cfg = join(project, 'replicate.config.json');
    writeFileSync(cfg, JSON.stringify({ sqlite: sqlitePath, pgurl: adminUrl() }));
    // found in the working directory, as a user would have it
    const sub = await runCli(['verify'], { cwd: project });
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain(cfg);
    expect(sub.stderr).toContain('pgurl');
  });

  it('the real binary returns the same exit code for a bad password (argv, exit status)', async () => {
    const r = await spawnCli(['--verify-schemas', '--sqlite', sqlitePath, '--pg', withPassword(adminUrl(), SECRET)], { cwd: dir.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('password authentication failed');
    expect(r.stderr + r.stdout).not.toContain(SECRET);
  });

  it('an unknown flag is bad input', async () => {
    const r = await runCli(['verify', '--sqlte', sqlitePath], { cwd: dir.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('sqlte');
  });
});
