/**
 * The app holds a write transaction on the terminal's SQLite file for longer than replicate
 * waits: the run (or reset) fails with exit 1 and a message that names the file, says how
 * long it waited, that nothing was written, and what to do; once the app is idle, the
 * next run goes ahead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `CREATE TABLE readings (id bigint PRIMARY KEY, value double precision NOT NULL);`;
const SQLITE = `CREATE TABLE readings (id INTEGER PRIMARY KEY, value REAL NOT NULL);`;

let pair: ReplicationPair;
let app: ChildProcess | null = null;

/** The app: another process with a write transaction open on the file (BEGIN IMMEDIATE), until it is told to commit. */
async function appInTransaction(path: string): Promise<ChildProcess> {
  const script = `
    const db = new (require('better-sqlite3'))(${JSON.stringify(path)});
    db.exec('BEGIN IMMEDIATE');
    db.prepare('UPDATE readings SET value = value + 1 WHERE id = 1').run();
    console.log('in transaction');
    process.stdin.once('data', () => { db.exec('COMMIT'); db.close(); process.exit(0); });`;
  const child = spawn(process.execPath, ['-e', script], { cwd: process.cwd() });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the app exited (${code}) before its transaction was open`)));
    createInterface({ input: child.stdout }).once('line', () => resolve());
  });
  return child;
}

async function appCommits(): Promise<void> {
  const child = app;
  app = null;
  if (!child) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.stdin?.write('commit\n');
  await exited;
}

const sqliteRows = (): bigint => (pair.sqlite().prepare('SELECT count(*) AS n FROM readings ').get() as { n: bigint }).n;
const sqliteCheckpoints = (): unknown[] => pair.sqlite().prepare('SELECT direction, table_name, position, updated_at FROM _replicate_checkpoints').all();

beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  await pair.db.exec(`INSERT INTO readings SELECT g, g * 0.5 FROM generate_series(1, 1000) g`);
  expect((await pair.run('pg-to-sqlite')).code).toBe(0);
  expect((await pair.run('sqlite-to-pg')).code).toBe(0);
});
afterEach(appCommits);
afterAll(() => pair.cleanup());

const BUSY = (path: string): RegExp =>
  new RegExp(
    `^replicate: another process holds a write lock on ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(the app, in the middle of a transaction\\): ` +
      `replicate waited 5 s for it and gave up; nothing was written since the last checkpoint\\n  hint: run again when the app is idle \\(no transaction open on the file\\)\\n$`,
  );

describe('the app holds a write transaction on the SQLite file', () => {
  it('a pg-to-sqlite run fails with exit 1 naming the file and what to do, writes nothing, and goes ahead once the app is idle', async () => {
    await pair.db.exec(`INSERT INTO readings SELECT g, g * 0.5 FROM generate_series(1001, 1500) g`);
    const checkpoints = sqliteCheckpoints();
    app = await appInTransaction(pair.sqlitePath);

    const run = await runCli(['run', '--direction', 'pg-to-sqlite', ...pair.flags], { cwd: pair.dir.path });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(BUSY(pair.sqlitePath));
    await appCommits();
    expect(sqliteRows()).toBe(1000n);
    expect(sqliteCheckpoints()).toEqual(checkpoints);

    const again = await pair.run('pg-to-sqlite');
    expect(again.code, again.stderr).toBe(0);
    expect(sqliteRows()).toBe(1500n);
  });

  it('reset fails the same way and forgets nothing', async () => {
    const checkpoints = sqliteCheckpoints();
    const inPostgres = await pair.db.query('SELECT table_name, position FROM replicate.checkpoints');
    app = await appInTransaction(pair.sqlitePath);

    const reset = await runCli(['reset', ...pair.flags], { cwd: pair.dir.path });
    expect(reset.code).toBe(1);
    expect(reset.stderr).toMatch(BUSY(pair.sqlitePath));
    expect(reset.stdout).toBe('');
    await appCommits();
    expect(sqliteCheckpoints()).toEqual(checkpoints);
    expect(await pair.db.query('SELECT table_name, position FROM replicate.checkpoints')).toEqual(inPostgres);
  });
});
