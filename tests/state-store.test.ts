/**
 * Replication state kept in the target: checkpoints, the skip and reject ledgers and run
 * history, told as one story for each target (PostgreSQL schema `replicate`, SQLite
 * tables `_replicate_*`). The ids that key it: state-ids.test.ts. The engine's PostgreSQL
 * sessions read every value as its raw text (rawTextTypes): the store must not depend on parsers.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStateStore } from '../src/replicator/state/postgres-state-store.js';
import { SqliteStateStore } from '../src/replicator/state/sqlite-state-store.js';
import { clearOwedSql, listOwed, recordOwed } from '../src/replicator/state/owed-constraints.js';
import type { PairScope, StateStore } from '../src/replicator/state/state-store.js';
import { rawTextTypes } from '../src/replicator/values/pg-raw-types.js';
import { createTestDatabase, type TestDatabase } from './harness/pg.js';
import { createSqliteFile, tempDir, type TempDir } from './harness/sqlite.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));


interface Target {
  store(scope: PairScope): StateStore;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
}

const targets: { name: string; open(): Promise<Target> }[] = [
  {
    name: 'PostgreSQL',
    async open() {
      const db: TestDatabase = await createTestDatabase('state');
      const client = new pg.Client({ connectionString: db.url, types: rawTextTypes });
      await client.connect();
      const sql = async (text: string) => void (await client.query(text));
      return {
        store: (scope) => new PostgresStateStore(client, scope),
        begin: () => sql('BEGIN'),
        commit: () => sql('COMMIT'),
        rollback: () => sql('ROLLBACK'),
        async close() {
          await client.end();
          await db.drop();
        },
      };
    },
  },
  {
    name: 'SQLite',
    async open() {
      const dir: TempDir = tempDir();
      const path = dir.file('terminal.db');
      createSqliteFile(path, 'CREATE TABLE orders (id INTEGER PRIMARY KEY)');
      const db = new Database(path);
      db.defaultSafeIntegers(true);
      return {
        store: (scope) => new SqliteStateStore(db, scope),
        begin: async () => void db.exec('BEGIN'),
        commit: async () => void db.exec('COMMIT'),
        rollback: async () => void db.exec('ROLLBACK'),
        async close() {
          db.close();
          dir.remove();
        },
      };
    },
  },
];

const postgresId = randomUUID();
/** A fresh terminal (its own SQLite id) for each story, so stories do not see each other. */
function terminal(direction: PairScope['direction'] = 'sqlite-to-pg'): PairScope {
  return { sqliteId: randomUUID(), postgresId, direction };
}

describe.each(targets)('replication state in $name', ({ open }) => {
  let target: Target;
  beforeAll(async () => {
    target = await open();
  });
  afterAll(() => target.close());

  async function readyStore(scope: PairScope): Promise<StateStore> {
    const store = target.store(scope);
    await store.ensure();
    return store;
  }

  it('ensure() can run on every run without touching what is stored', async () => {
    const store = await readyStore(terminal());
    await store.saveCheckpoint('orders', '{"cursor":"2025-11-05T10:00:00Z","key":[7]}');
    await store.ensure();
    await store.ensure();
    expect((await store.getCheckpoint('orders'))?.position).toBe('{"cursor":"2025-11-05T10:00:00Z","key":[7]}');
  });

  it('a checkpoint is saved, read back and moved forward', async () => {
    const store = await readyStore(terminal());
    expect(await store.getCheckpoint('orders')).toBeNull();
    await store.saveCheckpoint('orders', 'p1');
    const first = await store.getCheckpoint('orders');
    expect(first).toEqual({ table: 'orders', position: 'p1', updatedAt: expect.stringMatching(ISO) });
    await store.saveCheckpoint('orders', 'p2');
    expect((await store.getCheckpoint('orders'))?.position).toBe('p2');
    await store.saveCheckpoint('customers', 'c1');
    expect(await store.resetCheckpoints('orders')).toBe(1);
    expect(await store.getCheckpoint('orders')).toBeNull();
    expect((await store.getCheckpoint('customers'))?.position).toBe('c1');
    expect(await store.resetCheckpoints()).toBe(1);
    expect(await store.getCheckpoint('customers')).toBeNull();
  });

  it('two terminals, and the two directions of one terminal, never see each other’s state', async () => {
    const a = terminal();
    const b = terminal();
    const storeA = await readyStore(a);
    const storeB = await readyStore(b);
    const storeAback = await readyStore({ ...a, direction: 'pg-to-sqlite' });
    await storeA.saveCheckpoint('orders', 'a-position');
    await storeB.saveCheckpoint('orders', 'b-position');
    await storeA.recordSkipped([{ table: 'orders', rowKey: '[11]', fkColumns: ['customer_id'], parentTable: 'customers', parentKey: '[99]' }]);
    await storeB.recordRejected([{ table: 'orders', rowKey: '[12]', column: 'total', reason: 'not a number: "abc"', code: null }]);

    expect((await storeA.getCheckpoint('orders'))?.position).toBe('a-position');
    expect((await storeB.getCheckpoint('orders'))?.position).toBe('b-position');
    expect(await storeAback.getCheckpoint('orders')).toBeNull();
    expect((await storeA.listSkipped('orders')).map((s) => s.rowKey)).toEqual(['[11]']);
    expect(await storeB.listSkipped('orders')).toEqual([]);
    expect(await storeAback.listSkipped('orders')).toEqual([]);
    expect(await storeA.listRejected('orders')).toEqual([]);
    expect((await storeB.listRejected('orders')).map((r) => r.rowKey)).toEqual(['[12]']);

    expect(await storeA.resetCheckpoints()).toBe(1);
    expect((await storeB.getCheckpoint('orders'))?.position).toBe('b-position');
  });

  it('a row waiting for its parent is recorded once, retried, and cleared when it lands', async () => {
    const store = await readyStore(terminal());
    await store.recordSkipped([
      { table: 'orders', rowKey: '[11]', fkColumns: ['customer_id'], parentTable: 'customers', parentKey: '[99]' },
      { table: 'orders', rowKey: '[11]', fkColumns: ['store_id'], parentTable: 'stores', parentKey: '[5]' },
    ]);
    await pause(15);
    await store.recordSkipped([{ table: 'orders', rowKey: '[14]', fkColumns: ['customer_id'], parentTable: 'customers', parentKey: '[98]' }]);
    const first = await store.listSkipped('orders');
    expect(first.map((s) => [s.rowKey, s.fkColumns, s.parentTable, s.parentKey, s.attempts])).toEqual([
      ['[11]', ['customer_id'], 'customers', '[99]', 1],
      ['[11]', ['store_id'], 'stores', '[5]', 1],
      ['[14]', ['customer_id'], 'customers', '[98]', 1],
    ]);
    const waiting11 = first[0];
    expect(waiting11?.firstSeen).toMatch(ISO);
    expect(waiting11?.lastTried).toBe(waiting11?.firstSeen);

    // the next run retries it: the parent it waits for may have changed its key
    await pause(15);
    await store.recordSkipped([{ table: 'orders', rowKey: '[11]', fkColumns: ['customer_id'], parentTable: 'customers', parentKey: '[100]' }]);
    const retried = (await store.listSkipped('orders')).find((s) => s.rowKey === '[11]' && s.parentTable === 'customers');
    expect(retried).toMatchObject({ attempts: 2, parentKey: '[100]', firstSeen: waiting11?.firstSeen });
    expect(retried && retried.lastTried > retried.firstSeen).toBe(true);

    // its parents arrived: every entry of the row leaves the ledger
    await store.clearSkipped('orders', ['[11]']);
    expect((await store.listSkipped('orders')).map((s) => s.rowKey)).toEqual(['[14]']);
    await store.clearSkipped('orders', []);
    expect(await store.listSkipped('orders')).toHaveLength(1);
  });

  it('a rejected row keeps its first sighting, takes the latest reason, and leaves when fixed', async () => {
    const store = await readyStore(terminal());
    await store.recordRejected([
      { table: 'items', rowKey: '[2]', column: 'qty', reason: 'not an integer: "abc"', code: null },
      { table: 'items', rowKey: '[3]', column: 'name', reason: 'NUL byte in text bound for PostgreSQL', code: '22021' },
    ]);
    const [first] = await store.listRejected('items');
    expect(first).toEqual({ table: 'items', rowKey: '[2]', column: 'qty', reason: 'not an integer: "abc"', code: null, firstSeen: expect.stringMatching(ISO), attempts: 1 });
    await pause(15);
    await store.recordRejected([{ table: 'items', rowKey: '[2]', column: 'qty', reason: 'out of range for integer: 99999999999', code: '22003' }]);
    const again = (await store.listRejected('items')).find((r) => r.rowKey === '[2]');
    expect(again).toMatchObject({ reason: 'out of range for integer: 99999999999', code: '22003', attempts: 2, firstSeen: first?.firstSeen });
    await store.clearRejected('items', ['[2]', '[404]']);
    expect((await store.listRejected('items')).map((r) => [r.rowKey, r.code])).toEqual([['[3]', '22021']]);
  });

  it('a checkpoint saved in a batch transaction that rolls back is not there, nor are its ledger entries', async () => {
    const store = await readyStore(terminal());
    await store.saveCheckpoint('orders', 'committed');
    await target.begin();
    await store.saveCheckpoint('orders', 'rolled-back');
    await store.recordSkipped([{ table: 'orders', rowKey: '[21]', fkColumns: ['customer_id'], parentTable: 'customers', parentKey: '[1]' }]);
    await store.recordRejected([{ table: 'orders', rowKey: '[22]', column: null, reason: 'refused', code: '23514' }]);
    await target.rollback();
    expect((await store.getCheckpoint('orders'))?.position).toBe('committed');
    expect(await store.listSkipped('orders')).toEqual([]);
    expect(await store.listRejected('orders')).toEqual([]);

    await target.begin();
    await store.saveCheckpoint('orders', 'next batch');
    await target.commit();
    expect((await store.getCheckpoint('orders'))?.position).toBe('next batch');
  });

  it("a batch's history row commits with its checkpoint, and rolls back with it, so a killed run still shows what it wrote", async () => {
    const store = await readyStore(terminal());
    const sofar = (written: number) => ({ table: 'orders', read: written, written, skipped: 0, rejected: 0, ms: 5, error: null });
    await store.startRun('killed');
    await target.begin();
    await store.saveCheckpoint('orders', 'batch 1', { runId: 'killed', stats: sofar(500) });
    await target.commit();
    await target.begin();
    await store.saveCheckpoint('orders', 'batch 2', { runId: 'killed', stats: sofar(1000) });
    await target.rollback();
    // a table without a cursor keeps no checkpoint: its history row alone
    await target.begin();
    await store.recordProgress({ runId: 'killed', stats: { ...sofar(20), table: 'shops' } });
    await target.commit();
    const run = (await store.summary()).lastRuns[0];
    expect(run?.status).toBe('running');
    expect(run?.tables.map((t) => [t.table, t.written])).toEqual([
      ['orders', 500],
      ['shops', 20],
    ]);
    expect((await store.getCheckpoint('orders'))?.position).toBe('batch 1');
  });

  it('run history and the summary show runs newest first and how long rows have waited', async () => {
    const store = await readyStore(terminal());
    await store.startRun('run-1');
    await store.recordTable('run-1', { table: 'customers', read: 3, written: 3, skipped: 0, rejected: 0, ms: 12.4, error: null });
    await store.recordTable('run-1', { table: 'orders', read: 5, written: 3, skipped: 1, rejected: 1, ms: 20, error: null });
    await store.recordSkipped([{ table: 'orders', rowKey: '[11]', fkColumns: ['customer_id'], parentTable: 'customers', parentKey: '[99]' }]);
    await store.recordRejected([{ table: 'orders', rowKey: '[12]', column: 'total', reason: 'not a number', code: null }]);
    await store.saveCheckpoint('customers', 'c3');
    await store.saveCheckpoint('orders', 'o5');
    await store.finishRun('run-1', 'waiting');
    const oldest = (await store.listSkipped('orders'))[0]?.firstSeen;

    await pause(15);
    await store.startRun('run-2'); // killed before it finished
    await pause(15);
    await store.startRun('run-3');
    await store.recordSkipped([{ table: 'orders', rowKey: '[15]', fkColumns: ['customer_id'], parentTable: 'customers', parentKey: '[98]' }]);
    await store.recordTable('run-3', { table: 'orders', read: 1, written: 0, skipped: 1, rejected: 0, ms: 3, error: null });
    await store.recordTable('run-3', { table: 'orders', read: 1, written: 0, skipped: 1, rejected: 0, ms: 4, error: 'lost the connection' });
    await store.finishRun('run-3', 'failed');

    const summary = await store.summary();
    expect(summary.checkpoints.map((c) => [c.table, c.position])).toEqual([
      ['customers', 'c3'],
      ['orders', 'o5'],
    ]);
    expect(summary.skipped).toEqual([{ table: 'orders', count: 2, oldestFirstSeen: oldest }]);
    expect(summary.rejected).toEqual([{ table: 'orders', count: 1, oldestFirstSeen: expect.stringMatching(ISO) }]);
    expect(summary.lastRuns.map((r) => [r.runId, r.status, r.direction])).toEqual([
      ['run-3', 'failed', 'sqlite-to-pg'],
      // still 'running' when run-3 started under the pair's lock: it was cut off
      ['run-2', 'cut-off', 'sqlite-to-pg'],
      ['run-1', 'waiting', 'sqlite-to-pg'],
    ]);
    const [run3, run2, run1] = summary.lastRuns;
    expect(run3?.tables).toEqual([{ table: 'orders', read: 1, written: 0, skipped: 1, rejected: 0, ms: 4, error: 'lost the connection' }]);
    expect(run2?.tables).toEqual([]);
    expect(run1?.tables).toEqual([
      { table: 'customers', read: 3, written: 3, skipped: 0, rejected: 0, ms: 12, error: null },
      { table: 'orders', read: 5, written: 3, skipped: 1, rejected: 1, ms: 20, error: null },
    ]);
    expect(run1?.startedAt).toMatch(ISO);
    expect(run1?.finishedAt).toMatch(ISO);
    expect(run2?.finishedAt).toBeNull();

    expect((await store.summary(1)).lastRuns.map((r) => r.runId)).toEqual(['run-3']);
    expect((await store.summary(0)).lastRuns).toEqual([]);
  });
});

describe('a run reads every table’s PostgreSQL state in one query at its start', () => {
  let target: Target;
  beforeAll(async () => {
    target = await (targets[0] as (typeof targets)[number]).open();
  });
  afterAll(() => target.close());

  it('answers with the stored checkpoints and ledgers, then with what the run writes', async () => {
    const scope = terminal();
    const before = target.store(scope);
    await before.ensure();
    await before.saveCheckpoint('orders', 'stored');
    await before.recordSkipped([{ table: 'orders', rowKey: '[5]', fkColumns: ['customer_id'], parentTable: 'customers', parentKey: '[9]' }]);
    await before.recordRejected([{ table: 'items', rowKey: '[6]', column: 'qty', reason: 'not a number', code: null }]);

    const run = target.store(scope);
    await run.prefetch?.(['orders', 'items', 'customers']);
    expect((await run.getCheckpoint('orders'))?.position).toBe('stored');
    expect(await run.getCheckpoint('items')).toBeNull();
    expect((await run.listSkipped('orders')).map((s) => s.parentKey)).toEqual(['[9]']);
    expect(await run.listSkipped('items')).toEqual([]);
    expect((await run.listRejected('items')).map((r) => r.reason)).toEqual(['not a number']);
    expect(await run.listRejected('customers')).toEqual([]);

    // a batch that rolls back leaves the stored state; one that commits replaces it
    await target.begin();
    await run.saveCheckpoint('items', 'rolled back');
    await run.recordSkipped([{ table: 'customers', rowKey: '[7]', fkColumns: ['store_id'], parentTable: 'stores', parentKey: '[1]' }]);
    await target.rollback();
    expect(await run.getCheckpoint('items')).toBeNull();
    expect(await run.listSkipped('customers')).toEqual([]);
    await target.begin();
    await run.saveCheckpoint('orders', 'moved on');
    await run.clearSkipped('orders', ['[5]']);
    await run.recordRejected([{ table: 'customers', rowKey: '[8]', column: null, reason: 'refused', code: '23514' }]);
    await target.commit();
    expect((await run.getCheckpoint('orders'))?.position).toBe('moved on');
    expect(await run.listSkipped('orders')).toEqual([]);
    expect((await run.listRejected('customers')).map((r) => r.rowKey)).toEqual(['[8]']);
    expect(await run.resetCheckpoints()).toBe(1);
    expect(await run.getCheckpoint('orders')).toBeNull();
  });

  it('carries what --create-missing still owes, so the run spends no query of its own on it', async () => {
    const db = await createTestDatabase('owed');
    const client = new pg.Client({ connectionString: db.url, types: rawTextTypes });
    await client.connect();
    try {
      let queries = 0;
      const counting = new Proxy(client, {
        get(target, prop, receiver) {
          if (prop !== 'query') return Reflect.get(target, prop, receiver);
          return (...args: Parameters<pg.Client['query']>) => {
            queries++;
            return Reflect.apply(target.query, target, args);
          };
        },
      });
      const scope = terminal();
      const store = new PostgresStateStore(counting, scope);
      await store.ensure();
      await recordOwed(client, scope, [
        { table: 'orders', name: 'orders_customer_id_fkey', kind: 'foreign key', statement: 'ALTER TABLE orders ADD ...', detail: '(customer_id) -> customers (id)', parentTable: 'customers' },
        { table: 'orders', name: 'orders_number_key', kind: 'index', statement: 'CREATE UNIQUE INDEX ...', detail: 'UNIQUE (number)', parentTable: null },
      ]);
      await store.prefetch(['orders', 'customers']);
      const afterPrefetch = queries;
      const owed = await store.listOwed();
      expect(queries).toBe(afterPrefetch);
      expect(owed.map((o) => [o.table, o.name, o.kind, o.detail, o.parentTable, o.seq])).toEqual([
        ['orders', 'orders_customer_id_fkey', 'foreign key', '(customer_id) -> customers (id)', 'customers', 1],
        ['orders', 'orders_number_key', 'index', 'UNIQUE (number)', null, 2],
      ]);
      expect(owed[0]?.since).toMatch(ISO);
      expect(owed).toEqual(await listOwed(client, scope));

      // read once: once the run has added one, asking again reads what is left
      await client.query(clearOwedSql(client, scope, 'orders', 'orders_customer_id_fkey'));
      expect((await store.listOwed()).map((o) => o.name)).toEqual(['orders_number_key']);
    } finally {
      await client.end();
      await db.drop();
    }
  });
});
