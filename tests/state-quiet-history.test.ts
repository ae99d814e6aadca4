/**
 * A pg-to-sqlite run that finds nothing to do writes its history in one commit: the rows of
 * tables where nothing happened go in with the next row that says something, or with the
 * run's end, still one per table in the order the tables ended. A run cut off before that
 * has the rows of every table that did something.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../src/replicator/state/sqlite-state-store.js';
import type { PairScope, TableRunStats } from '../src/replicator/state/state-store.js';
import { createSqliteFile, tempDir, type TempDir } from './harness/sqlite.js';

const quiet = (table: string): TableRunStats => ({ table, read: 0, written: 0, skipped: 0, rejected: 0, ms: 1, error: null });

let dir: TempDir;
let db: Database.Database;
const scope: PairScope = { sqliteId: randomUUID(), postgresId: randomUUID(), direction: 'pg-to-sqlite' };
beforeEach(() => {
  dir = tempDir();
  const path = dir.file('terminal.db');
  createSqliteFile(path, 'CREATE TABLE notes (id INTEGER PRIMARY KEY)');
  db = new Database(path);
});
afterEach(() => {
  db.close();
  dir.remove();
});

/** the tables of `runId` as another connection reads them from the file */
function recorded(runId: string): string[] {
  const other = new Database(dir.file('terminal.db'), { readonly: true });
  try {
    return other.prepare('SELECT table_name FROM _replicate_run_tables WHERE run_id = ? ORDER BY seq').pluck().all(runId) as string[];
  } finally {
    other.close();
  }
}

describe('history of tables with nothing to do', () => {
  it('is written with the next busy table, and the rest with the run\'s end, in order', async () => {
    const store = new SqliteStateStore(db, scope);
    await store.ensure();
    await store.startRun('r1');
    await store.recordTable('r1', quiet('categories'));
    await store.recordTable('r1', quiet('customers'));
    expect(recorded('r1')).toEqual([]);
    await store.recordTable('r1', { ...quiet('orders'), read: 2, written: 2 });
    expect(recorded('r1')).toEqual(['categories', 'customers', 'orders']);
    await store.recordTable('r1', quiet('payments'));
    // a store wired again on the same file (a reconnect) still writes it at the end
    const again = new SqliteStateStore(db, scope);
    await again.finishRun('r1', 'done');
    expect(recorded('r1')).toEqual(['categories', 'customers', 'orders', 'payments']);
    const run = (await again.summary()).lastRuns[0];
    expect(run?.status).toBe('done');
    expect(run?.tables.map((t) => t.table)).toEqual(['categories', 'customers', 'orders', 'payments']);
  });

  it('of two pairs sharing the file is written in each pair\'s own history', async () => {
    const other: PairScope = { ...scope, postgresId: randomUUID() };
    const a = new SqliteStateStore(db, scope);
    const b = new SqliteStateStore(db, other);
    await a.ensure();
    await a.startRun('ra');
    await b.startRun('rb');
    await a.recordTable('ra', quiet('categories'));
    await b.recordTable('rb', quiet('stores'));
    await b.finishRun('rb', 'done');
    await a.finishRun('ra', 'done');
    expect((await a.summary()).lastRuns.map((r) => [r.runId, r.tables.map((t) => t.table)])).toEqual([['ra', ['categories']]]);
    expect((await b.summary()).lastRuns.map((r) => [r.runId, r.tables.map((t) => t.table)])).toEqual([['rb', ['stores']]]);
  });

  it("goes in before a busy table's first batch, in order; a batch that rolls back loses none of it", async () => {
    const store = new SqliteStateStore(db, scope);
    await store.ensure();
    await store.startRun('r4');
    await store.recordTable('r4', quiet('categories'));
    const sofar = (written: number): TableRunStats => ({ ...quiet('orders'), read: written, written });
    db.exec('BEGIN');
    await store.saveCheckpoint('orders', 'batch 1', { runId: 'r4', stats: sofar(500) });
    db.exec('ROLLBACK');
    db.exec('BEGIN');
    await store.saveCheckpoint('orders', 'batch 1', { runId: 'r4', stats: sofar(500) });
    db.exec('COMMIT');
    expect(recorded('r4')).toEqual(['categories', 'orders']);
    await store.recordTable('r4', sofar(700));
    await store.finishRun('r4', 'done');
    expect(recorded('r4')).toEqual(['categories', 'orders']);
    expect((await store.summary()).lastRuns[0]?.tables.map((t) => [t.table, t.written])).toEqual([
      ['categories', 0],
      ['orders', 700],
    ]);
  });

  it('of a run cut off before its end is missing; the rows of tables that did something are there', async () => {
    const store = new SqliteStateStore(db, scope);
    await store.ensure();
    await store.startRun('r2');
    await store.recordTable('r2', { ...quiet('orders'), read: 1, written: 0, skipped: 1 });
    await store.recordTable('r2', quiet('payments'));
    db.close(); // killed here
    db = new Database(dir.file('terminal.db'));
    expect(recorded('r2')).toEqual(['orders']);
    const next = new SqliteStateStore(db, scope);
    await next.startRun('r3');
    expect((await next.summary()).lastRuns.map((r) => [r.runId, r.status])).toEqual([
      ['r3', 'running'],
      ['r2', 'cut-off'],
    ]);
  });
});
