/**
 * A user who mistypes a password, points at a dead port or hands over the wrong file
 * gets exit 2 and a message naming what and where, and never sees the password.
 */
import Database from 'better-sqlite3';
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

describe('a connection string written wrong never shows its password', () => {
  /** the config file in a folder of its own, found in the working directory as a user has it */
  function projectWith(name: string, text: string): string {
    const project = dir.file(name);
    mkdirSync(project);
    writeFileSync(join(project, 'replicate.config.yml'), text);
    return project;
  }

  it('a config file whose pg URL lost its closing quote: the parse error points at the line, password masked', async () => {
    const project = projectWith('open-quote', `sqlite: pos.db\npg: "postgres://v:${SECRET}@127.0.0.1:55461/s1\n`);
    const r = await runCli(['verify'], { cwd: project });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Missing closing "quote');
    expect(r.stderr).toContain('postgres://v:***@127.0.0.1:55461/s1');
    expect(r.stderr + r.stdout).not.toContain(SECRET);
  });

  it('a config file with pg given twice: the duplicate key is named, neither password shown', async () => {
    const other = 'An0ther-s3cret';
    const project = projectWith('pg-twice', `sqlite: pos.db\npg: postgres://v:${SECRET}@127.0.0.1:55461/s1\npg: postgres://v:${other}@10.0.0.5/s1\n`);
    const r = await runCli(['verify'], { cwd: project });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Map keys must be unique');
    expect(r.stderr + r.stdout).not.toContain(SECRET);
    expect(r.stderr + r.stdout).not.toContain(other);
  });

  it('a URL without postgres:// is refused as such, its password masked', async () => {
    for (const how of ['flag', 'config file'] as const) {
      const url = `v:${SECRET}@127.0.0.1:55461/s1`;
      const r =
        how === 'flag'
          ? await runCli(['verify', '--sqlite', sqlitePath, '--pg', url], { cwd: dir.path })
          : await runCli(['verify'], { cwd: projectWith('no-scheme', `sqlite: ${sqlitePath}\npg: ${url}\n`) });
      expect(r.code, how).toBe(2);
      expect(r.stderr, how).toContain('does not start with postgres://');
      expect(r.stderr, how).toContain('postgres://v:***@127.0.0.1:55461/s1');
      expect(r.stderr + r.stdout, how).not.toContain(SECRET);
    }
  });

  it("a password with an unencoded '@' is refused before connecting, with no piece of it shown", async () => {
    const r = await runCli(['verify', '--sqlite', sqlitePath, '--pg', 'postgres://u:s3cr@t%:/pw@127.0.0.1:55461/central'], { cwd: dir.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("more than one '@'");
    expect(r.stderr).toContain('percent-encode the password');
    expect(r.stderr).toContain('postgres://u:***@127.0.0.1:55461/central');
    // no host or database made of the password's pieces, and none of its text
    expect(r.stderr).not.toContain('could not resolve');
    for (const piece of ['s3cr', 't%', '/pw']) expect(r.stderr + r.stdout).not.toContain(piece);
  });
});

describe('a SQLite file another process holds locked', () => {
  it('is named as the SQLite file, locked by another process, with what to do', async () => {
    const locked = dir.file('locked.db');
    createSqliteFile(locked, 'CREATE TABLE t (id INTEGER PRIMARY KEY)');
    const holder = new Database(locked);
    holder.exec('BEGIN EXCLUSIVE; INSERT INTO t VALUES (1)');
    try {
      const r = await spawnCli(['verify', '--sqlite', locked, '--pg', adminUrl()], { cwd: dir.path });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`cannot open the SQLite database (${locked}): another process holds a lock on the file`);
      expect(r.stderr).toContain(`lsof ${locked}`);
      expect(r.stderr).not.toContain('PostgreSQL');
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  }, 20_000);
});

describe('a value yargs refuses', () => {
  it('is said once, and the command does not run', async () => {
    const r = await runCli(['run', '--direction', 'bogus', '--sqlite', sqlitePath, '--pg', adminUrl()], { cwd: dir.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Argument: direction, Given: "bogus", Choices: "sqlite-to-pg", "pg-to-sqlite"');
    // the command's own check of the same flag said it a second time, in other words
    expect(r.stderr.match(/^replicate: /gm)).toHaveLength(1);
    expect(r.stdout).toBe('');
  });
});
