/**
 * One run per terminal/PostgreSQL pair: a second run is refused and told who holds the
 * pair; the pair is free again after release, after the holder's process died (its
 * file row is stale), and after its PostgreSQL session was killed.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { spawn, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postgresDatabaseId, sqliteDatabaseId } from '../src/replicator/state/database-ids.js';
import { acquireRunLock, RunLockedError } from '../src/replicator/state/run-lock.js';
import { exitCodeFor } from '../src/cli/exit-codes.js';
import { createTestDatabase, type TestDatabase } from './harness/pg.js';
import { createSqliteFile, tempDir, type TempDir } from './harness/sqlite.js';

const HOST = hostname();
const RUN = { pid: process.pid, host: HOST, command: 'replicate run --direction sqlite-to-pg' };

/** What a run opens: its own PostgreSQL session and its own connection to the terminal file. */
interface RunConnections {
  client: pg.Client;
  sqlite: Database.Database;
}

let db: TestDatabase;
let dir: TempDir;
let terminalPath: string;
let pair: { sqliteId: string; postgresId: string };
const opened: RunConnections[] = [];

async function connectRun(path = terminalPath): Promise<RunConnections> {
  const client = new pg.Client({ connectionString: db.url });
  client.on('error', () => undefined); // a terminated session reports here
  await client.connect();
  const c = { client, sqlite: new Database(path) };
  opened.push(c);
  return c;
}

async function lockRefusal(p: Promise<unknown>): Promise<RunLockedError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof RunLockedError)) throw new Error(`expected RunLockedError, got ${String(error)}`);
  return error;
}

/** The pid of a process that has exited (as a crashed run's would be). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  if (r.pid === undefined) throw new Error('could not start a child process');
  return r.pid;
}

beforeAll(async () => {
  db = await createTestDatabase('lock');
  dir = tempDir();
  terminalPath = dir.file('pos-07.db');
  createSqliteFile(terminalPath, 'CREATE TABLE orders (id INTEGER PRIMARY KEY)');
  const c = await connectRun();
  pair = { sqliteId: sqliteDatabaseId(c.sqlite), postgresId: await postgresDatabaseId(c.client, 'public') };
});

afterEach(async () => {
  for (const c of opened.splice(0)) {
    await c.client.end().catch(() => undefined);
    c.sqlite.close();
  }
});

afterAll(async () => {
  await db.drop();
  dir.remove();
});

describe('one run per pair', () => {
  it('a second run is refused, told who holds the pair, and exits 1; after release it runs', async () => {
    const first = await connectRun();
    const second = await connectRun();
    const lock = await acquireRunLock(first.client, first.sqlite, pair, RUN);

    const refused = await lockRefusal(acquireRunLock(second.client, second.sqlite, pair, { ...RUN, command: 'replicate run --direction pg-to-sqlite' }));
    expect(refused.holder).toMatchObject({ pid: process.pid, host: HOST, command: 'replicate run --direction sqlite-to-pg' });
    expect(refused.message).toBe(
      `another replicate run holds this pair: pid ${process.pid} on host ${HOST} since ${refused.holder?.startedAt} (replicate run --direction sqlite-to-pg)`,
    );
    expect(refused.holder?.startedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(refused.code).toBe('locked');
    expect(exitCodeFor(refused)).toBe(1);

    await lock.release();
    await lock.release(); // harmless twice
    const next = await acquireRunLock(second.client, second.sqlite, pair, { ...RUN, command: 'replicate run --direction pg-to-sqlite' });
    expect(await db.query('SELECT pid, host, command FROM replicate.locks')).toEqual([{ pid: process.pid, host: HOST, command: 'replicate run --direction pg-to-sqlite' }]);
    expect(second.sqlite.prepare('SELECT pid, host, command FROM _replicate_lock').all()).toEqual([
      { pid: process.pid, host: HOST, command: 'replicate run --direction pg-to-sqlite' },
    ]);
    await next.release();
    expect(await db.query('SELECT * FROM replicate.locks')).toEqual([]);
    expect(second.sqlite.prepare('SELECT * FROM _replicate_lock').all()).toEqual([]);
  });

  it('another terminal syncing with the same PostgreSQL is not held up', async () => {
    const otherPath = dir.file('pos-08.db');
    createSqliteFile(otherPath, 'CREATE TABLE orders (id INTEGER PRIMARY KEY)');
    const here = await connectRun();
    const there = await connectRun(otherPath);
    const otherPair = { sqliteId: sqliteDatabaseId(there.sqlite), postgresId: pair.postgresId };
    const lockHere = await acquireRunLock(here.client, here.sqlite, pair, RUN);
    const lockThere = await acquireRunLock(there.client, there.sqlite, otherPair, { ...RUN, host: 'pos-08' });
    try {
      const hosts = (await db.query<{ host: string }>('SELECT host FROM replicate.locks')).map((r) => r.host);
      expect(hosts.sort()).toEqual([HOST, 'pos-08'].sort());
    } finally {
      await lockThere.release();
      await lockHere.release();
    }
  });

  it('a lock row left in the file by a run that died is taken over', async () => {
    const run = await connectRun();
    const crashed = deadPid();
    run.sqlite
      .prepare('INSERT INTO _replicate_lock (sqlite_id, postgres_id, pid, host, started_at, command) VALUES (?, ?, ?, ?, ?, ?)')
      .run(pair.sqliteId, pair.postgresId, crashed, HOST, '2026-11-22T03:00:00Z', 'replicate run --direction pg-to-sqlite');
    const lock = await acquireRunLock(run.client, run.sqlite, pair, RUN);
    expect(run.sqlite.prepare('SELECT pid, command FROM _replicate_lock').all()).toEqual([{ pid: process.pid, command: RUN.command }]);
    await lock.release();
  });

  it('a live run named in the file holds the pair even where PostgreSQL’s lock is free (another server, same database)', async () => {
    const holder = spawn('sleep', ['30']);
    try {
      const run = await connectRun();
      run.sqlite
        .prepare('INSERT INTO _replicate_lock (sqlite_id, postgres_id, pid, host, started_at, command) VALUES (?, ?, ?, ?, ?, ?)')
        .run(pair.sqliteId, pair.postgresId, holder.pid, HOST, '2026-11-22T03:00:00Z', 'replicate run --direction pg-to-sqlite');
      const refused = await lockRefusal(acquireRunLock(run.client, run.sqlite, pair, RUN));
      expect(refused.message).toBe(`another replicate run holds this pair: pid ${holder.pid} on host ${HOST} since 2026-11-22T03:00:00Z (replicate run --direction pg-to-sqlite)`);
      // the refused run let go of PostgreSQL's lock and left the holder's row alone
      expect(await db.query('SELECT * FROM replicate.locks')).toEqual([]);
      expect(run.sqlite.prepare('SELECT pid FROM _replicate_lock').all()).toEqual([{ pid: holder.pid }]);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
    }
    const after = await connectRun();
    const lock = await acquireRunLock(after.client, after.sqlite, pair, RUN);
    await lock.release();
  });

  it('killing the holder’s PostgreSQL session frees the pair', async () => {
    const dying = await connectRun();
    const next = await connectRun();
    // the holder's process died: its pid is gone, and its session is about to be
    await acquireRunLock(dying.client, dying.sqlite, pair, { ...RUN, pid: deadPid() });
    await lockRefusal(acquireRunLock(next.client, next.sqlite, pair, RUN));

    const backend = (await dying.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    await next.client.query('SELECT pg_terminate_backend($1)', [backend]);
    for (let i = 0; i < 100; i++) {
      const alive = await next.client.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [backend]);
      if (alive.rowCount === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const lock = await acquireRunLock(next.client, next.sqlite, pair, RUN);
    expect(await db.query('SELECT pid FROM replicate.locks')).toEqual([{ pid: process.pid }]);
    await lock.release();
  });
});
