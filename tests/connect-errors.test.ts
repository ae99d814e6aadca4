import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, describePostgresUrl } from '../src/connect/postgres-connection.js';
import { openSqlite } from '../src/connect/sqlite-connection.js';
import { ConnectionError, FileMissingError, NotSqliteError } from '../src/errors.js';
import { freePort } from '../src/pgserver/local-server.js';
import { adminUrl, urlForDatabase } from './harness/pg.js';
import { createSqliteFile, tempDir, type TempDir } from './harness/sqlite.js';

/** The ConnectionError connectPostgres rejects with (fails the test if it connects). */
async function connectionFailure(url: string, opts?: { connectTimeoutMs?: number }): Promise<ConnectionError> {
  try {
    const client = await connectPostgres(url, opts);
    await client.end();
  } catch (err) {
    if (err instanceof ConnectionError) return err;
    throw err;
  }
  throw new Error(`expected connecting to ${url} to fail`);
}

describe('connecting to PostgreSQL fails with a reason the user can act on, never showing the password', () => {
  const WRONG_PASSWORD = 'Wr0ng-s3cret-p4ss';

  it('connects with the right credentials and names itself replicate', async () => {
    const client = await connectPostgres(adminUrl());
    try {
      const rows = await client.query<{ name: string }>('SELECT current_setting($1) AS name', ['application_name']);
      expect(rows.rows[0]?.name).toBe('replicate');
    } finally {
      await client.end();
    }
  });

  it('a wrong password is auth_failed, naming user, host, port and database but not the password', async () => {
    const u = new URL(adminUrl());
    u.password = WRONG_PASSWORD;
    const err = await connectionFailure(u.toString());
    expect(err.reason).toBe('auth_failed');
    expect(err.sqlstate).toBe('28P01');
    expect(err.target).toBe('postgres');
    expect(err.message).toBe(
      `password authentication failed for user "${u.username}" at ${u.hostname}:${u.port} (database "${u.pathname.slice(1)}")`,
    );
    for (const text of [err.message, err.where, String(err.stack)]) expect(text).not.toContain(WRONG_PASSWORD);
    expect(err.where).toContain(':***@');
  });

  it('a closed port on 127.0.0.1 is unreachable', async () => {
    const port = await freePort();
    const err = await connectionFailure(`postgres://someone:${WRONG_PASSWORD}@127.0.0.1:${port}/pos`);
    expect(err.reason).toBe('unreachable');
    expect(err.message).toBe(
      `could not connect to PostgreSQL at 127.0.0.1:${port}: connection refused (database "pos", user "someone")`,
    );
    expect(err.message + err.where).not.toContain(WRONG_PASSWORD);
  });

  it('a database that does not exist is database_missing', async () => {
    const err = await connectionFailure(urlForDatabase('no_such_pos_db'));
    expect(err.reason).toBe('database_missing');
    expect(err.sqlstate).toBe('3D000');
    expect(err.message).toMatch(/^database "no_such_pos_db" does not exist at 127\.0\.0\.1:\d+ \(user "[^"]+"\)$/);
  });

  describe('a server that accepts but never answers', () => {
    let server: Server;
    let port: number;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      server = createServer((s) => sockets.push(s));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const addr = server.address();
      port = typeof addr === 'object' && addr ? addr.port : 0;
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    it('times out after the connect timeout', async () => {
      const started = Date.now();
      const err = await connectionFailure(`postgres://u:${WRONG_PASSWORD}@127.0.0.1:${port}/pos`, { connectTimeoutMs: 300 });
      expect(err.reason).toBe('timeout');
      expect(err.message).toBe(
        `timed out after 300 ms connecting to PostgreSQL at 127.0.0.1:${port} (database "pos", user "u")`,
      );
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });

  it('a host name that does not resolve is host_not_found', async () => {
    const err = await connectionFailure('postgres://u:pw@no-such-host.invalid:5432/pos', { connectTimeoutMs: 8000 });
    expect(err.reason).toBe('host_not_found');
    expect(err.message).toContain('"no-such-host.invalid"');
  });

  it('something that is not a postgres URL is bad_url, with any password masked', async () => {
    const mysql = await connectionFailure(`mysql://root:${WRONG_PASSWORD}@db/pos`);
    expect(mysql.reason).toBe('bad_url');
    expect(mysql.message).not.toContain(WRONG_PASSWORD);
    expect((await connectionFailure('localhost:5432')).reason).toBe('bad_url');
    const port = await connectionFailure(`postgres://u:${WRONG_PASSWORD}@127.0.0.1:99999/pos`);
    expect(port.reason).toBe('bad_url');
    expect(port.message).toBe(
      'bad PostgreSQL URL postgres://u:***@127.0.0.1:99999/pos: the port is not a number from 1 to 65535 ' +
        '(expected postgres://user:password@host:port/database)',
    );
  });

  it('describes a URL for status lines without the password', () => {
    expect(describePostgresUrl(`postgres://pos_user:${WRONG_PASSWORD}@db.example.com/pos?sslmode=require`)).toBe(
      'postgres://pos_user@db.example.com:5432/pos',
    );
    expect(describePostgresUrl('postgresql://u:p@10.0.0.5:6432/sales')).toBe('postgresql://u@10.0.0.5:6432/sales');
  });
});

describe('opening a SQLite file says plainly when the file is missing or not SQLite', () => {
  let dir: TempDir;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => dir.remove());

  it('a missing path is FileMissingError and creates nothing', () => {
    const path = dir.file('missing.sqlite');
    expect(() => openSqlite(path)).toThrow(FileMissingError);
    expect(() => openSqlite(path)).toThrow(`SQLite database not found: ${path}`);
    expect(() => openSqlite(path, { readonly: true })).toThrow(FileMissingError);
  });

  it('a text file is NotSqliteError naming the file', () => {
    const path = dir.file('notes.txt');
    writeFileSync(path, 'store_id,name\n1,Main Street\n');
    expect(() => openSqlite(path)).toThrow(NotSqliteError);
    expect(() => openSqlite(path)).toThrow(`${path} is not a SQLite database (it does not start with the SQLite file header)`);
  });

  it('an empty file is not a database unless asked to create one', () => {
    const path = dir.file('empty.sqlite');
    writeFileSync(path, '');
    expect(() => openSqlite(path)).toThrow(NotSqliteError);
    const db = openSqlite(path, { create: true });
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    db.close();
    openSqlite(path).close();
  });

  it('a directory is NotSqliteError', () => {
    expect(() => openSqlite(dir.path)).toThrow(NotSqliteError);
  });

  it('create makes a new database; writable connections enforce foreign keys and wait when busy', () => {
    const path = dir.file('new.sqlite');
    const db = openSqlite(path, { create: true });
    try {
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      db.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (parent_id INTEGER REFERENCES parent(id))');
      expect(() => db.exec('INSERT INTO child VALUES (42)')).toThrow(/FOREIGN KEY constraint failed/);
    } finally {
      db.close();
    }
  });

  it('a read-only connection cannot write', () => {
    const path = dir.file('pos.sqlite');
    createSqliteFile(path, 'CREATE TABLE stores (id INTEGER PRIMARY KEY, name TEXT)');
    const db = openSqlite(path, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM stores').get()).toEqual({ n: 0 });
      expect(() => db.exec("INSERT INTO stores (name) VALUES ('Main Street')")).toThrow(/readonly/);
    } finally {
      db.close();
    }
  });
});
