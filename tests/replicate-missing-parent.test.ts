/**
 * A row whose parent is missing waits in the skip ledger with its parent's key, and lands
 * in the next run once the parent exists; the ledger then empties. Checkpoints move on
 * meanwhile without forgetting it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `
  CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL);
  CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers(id), total numeric(12,2) NOT NULL, updated_at timestamptz NOT NULL);
  CREATE INDEX ON customers (updated_at); CREATE INDEX ON orders (updated_at);`;
const SQLITE = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, updated_at DATETIME NOT NULL);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), total DECIMAL(12,2) NOT NULL, updated_at DATETIME NOT NULL);
  CREATE INDEX customers_updated ON customers (updated_at); CREATE INDEX orders_updated ON orders (updated_at);
  INSERT INTO customers VALUES (1, 'Ada', '2025-11-05T10:00:00.000Z'), (2, 'Grace', '2025-11-05T10:00:00.000Z');
  PRAGMA foreign_keys = OFF;
  INSERT INTO orders VALUES (10, 1, '12.50', '2025-11-05T10:01:00.000Z'), (11, 99, '3.20', '2025-11-05T10:02:00.000Z'), (12, 2, '7.00', '2025-11-05T10:03:00.000Z');`;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
});
afterAll(() => pair.cleanup());

describe('a child whose parent is missing', () => {
  it('is skipped with its parent key while the rest lands, and the run exits 3', async () => {
    const r = await pair.run('sqlite-to-pg');
    expect(r.code).toBe(3);
    expect(r.json.status).toBe('waiting');
    expect(r.json.tables.find((t) => t.name === 'orders')).toMatchObject({ read: 3, written: 2, skipped: 1 });
    const ids = await pair.db.query<{ id: number }>('SELECT id FROM orders ORDER BY id');
    expect(ids.map((r) => r.id)).toEqual([10, 12]);
  });

  it('shows in status with table, key, FK column and parent key', async () => {
    const plain = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags], { cwd: pair.dir.path });
    expect(plain.code).toBe(3);
    expect(plain.stdout).toMatch(/retried 1 row waiting for parents: 0 landed, 1 still waiting for parents/);
    // nothing on stderr but what replicate says (no driver DeprecationWarning from queued queries)
    expect(plain.stderr).not.toMatch(/Warning/);
    const status = await runCli(['status', ...pair.flags, '--json'], { cwd: pair.dir.path });
    expect(status.code).toBe(0);
    expect(status.stderr).toBe('');
    const s = JSON.parse(status.stdout) as { directions: { direction: string; summary: { skipped: { table: string; count: number; oldestFirstSeen: string }[] } }[] };
    const waiting = s.directions.find((d) => d.direction === 'sqlite-to-pg')?.summary.skipped;
    expect(waiting).toEqual([expect.objectContaining({ table: 'orders', count: 1 })]);
    const ledger = await pair.db.query<{ row_key: string; parent_table: string; parent_key: string; fk_columns: unknown; attempts: number }>(
      'SELECT * FROM replicate.skipped_rows',
    );
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ parent_table: 'customers', attempts: 2 });
    expect(ledger[0]?.row_key).toContain('11');
    expect(ledger[0]?.parent_key).toContain('99');
  });

  it('lands in the next run once its parent exists, and the ledger empties', async () => {
    const s = pair.sqlite();
    s.prepare(`INSERT INTO customers VALUES (99, 'Late parent', '2025-11-06T09:00:00.000Z')`).run();
    const r = await pair.run('sqlite-to-pg');
    expect(r.code).toBe(0);
    expect(r.json.waiting).toEqual({ skipped: 0, rejected: 0 });
    const orders = await pair.db.query<{ id: number; customer_id: number; total: string }>('SELECT id, customer_id, total::text FROM orders ORDER BY id');
    expect(orders).toEqual([
      { id: 10, customer_id: 1, total: '12.50' },
      { id: 11, customer_id: 99, total: '3.20' },
      { id: 12, customer_id: 2, total: '7.00' },
    ]);
    expect(await pair.db.query('SELECT * FROM replicate.skipped_rows')).toEqual([]);
  });
});

// The same story the other way: SQLite enforces the FK itself (foreign_keys on), so the
// batch is written first and the guard only asks about a batch SQLite refused.
const PG_SOURCE = `
  CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, credit numeric, updated_at timestamptz NOT NULL);
  CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers(id), total numeric(12,2) NOT NULL, updated_at timestamptz NOT NULL);
  CREATE INDEX ON customers (updated_at); CREATE INDEX ON orders (updated_at);
  INSERT INTO customers VALUES (1, 'Ada', 10, '2025-11-05 10:00:00+00'), (2, 'Grace', 'NaN', '2025-11-05 10:00:00+00');
  INSERT INTO orders VALUES (10, 1, 12.50, '2025-11-05 10:01:00+00'), (11, 2, 3.20, '2025-11-05 10:02:00+00'), (12, 1, 7.00, '2025-11-05 10:03:00+00');`;
const SQLITE_TARGET = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, credit NUMERIC, updated_at DATETIME NOT NULL);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), total DECIMAL(12,2) NOT NULL, updated_at DATETIME NOT NULL);
  CREATE INDEX orders_updated ON orders (updated_at);`;

describe('a child whose parent could not land in SQLite', () => {
  let back: ReplicationPair;
  beforeAll(async () => {
    back = await createReplicationPair(PG_SOURCE, SQLITE_TARGET);
  });
  afterAll(() => back.cleanup());

  it('is looked for per batch while the empty table loads in one transaction', async () => {
    const dry = await runCli(['run', '--direction', 'pg-to-sqlite', ...back.flags, '--dry-run'], { cwd: back.dir.path });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('orders: empty in SQLite: loaded in one transaction, indexes orders_updated built after the rows, foreign keys (customer_id -> customers.id) checked per batch');
  });

  it('waits in the skip ledger (not among the rejects) while its siblings land', async () => {
    const r = await back.run('pg-to-sqlite');
    expect(r.code).toBe(3);
    // the parent: SQLite has no NaN
    expect(r.json.tables.find((t) => t.name === 'customers')).toMatchObject({ written: 1, rejected: 1 });
    expect(r.json.tables.find((t) => t.name === 'orders')).toMatchObject({ read: 3, written: 2, skipped: 1, rejected: 0 });
    const ids = back.sqlite().prepare('SELECT id FROM orders ORDER BY id').pluck().all();
    expect(ids).toEqual([10n, 12n]);
  });

  it('lands once the parent is fixed at the source, and nothing waits any more', async () => {
    await back.db.exec(`UPDATE customers SET credit = 0, updated_at = '2025-11-06 09:00:00+00' WHERE id = 2`);
    const r = await back.run('pg-to-sqlite');
    expect(r.code).toBe(0);
    expect(r.json.waiting).toEqual({ skipped: 0, rejected: 0 });
    const orders = back.sqlite().prepare('SELECT id, customer_id FROM orders ORDER BY id').raw().all();
    expect(orders).toEqual([
      [10n, 1n],
      [11n, 2n],
      [12n, 1n],
    ]);
  });
});

// A first load into an empty SQLite table checks its foreign keys per batch with SQLite's
// own enforcement off for that transaction; it is on again for the tables after it, where
// SQLite alone knows an FK (regions exists only in the SQLite file, so no guard checks it).
const PG_CHAIN = `
  CREATE TABLE stores (id integer PRIMARY KEY, updated_at timestamptz NOT NULL);
  CREATE TABLE customers (id integer PRIMARY KEY, store_id integer REFERENCES stores(id), updated_at timestamptz NOT NULL);
  CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers(id), region_id integer, updated_at timestamptz NOT NULL);
  INSERT INTO stores VALUES (1, '2025-11-05 10:00:00+00');
  INSERT INTO customers VALUES (1, 1, '2025-11-05 10:00:00+00');
  INSERT INTO orders VALUES (10, 1, 1, '2025-11-05 10:01:00+00'), (11, 1, 99, '2025-11-05 10:02:00+00');`;
const SQLITE_CHAIN = `
  CREATE TABLE regions (id INTEGER PRIMARY KEY);
  INSERT INTO regions VALUES (1);
  CREATE TABLE stores (id INTEGER PRIMARY KEY, updated_at DATETIME NOT NULL);
  CREATE TABLE customers (id INTEGER PRIMARY KEY, store_id INTEGER REFERENCES stores(id), updated_at DATETIME NOT NULL);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), region_id INTEGER REFERENCES regions(id), updated_at DATETIME NOT NULL);
  INSERT INTO orders VALUES (1, NULL, NULL, '2025-11-01T00:00:00.000Z');`;

describe('a child whose parent is missing, after a first load checked per batch', () => {
  let chain: ReplicationPair;
  beforeAll(async () => {
    chain = await createReplicationPair(PG_CHAIN, SQLITE_CHAIN);
  });
  afterAll(() => chain.cleanup());

  it('is still refused by SQLite in the next table, which already held rows', async () => {
    const dry = await runCli(['run', '--direction', 'pg-to-sqlite', ...chain.flags, '--dry-run'], { cwd: chain.dir.path });
    expect(dry.stdout).toContain('customers: empty in SQLite: loaded in one transaction, foreign keys (store_id -> stores.id) checked per batch');
    const r = await chain.run('pg-to-sqlite');
    expect(r.code, r.stderr).toBe(3);
    expect(r.json.tables.find((t) => t.name === 'customers')).toMatchObject({ written: 1, skipped: 0, rejected: 0 });
    expect(r.json.tables.find((t) => t.name === 'orders')).toMatchObject({ read: 2, written: 1, rejected: 1 });
    const ids = chain.sqlite().prepare('SELECT id FROM orders ORDER BY id').pluck().all();
    expect(ids).toEqual([1n, 10n]);
    expect(chain.sqlite().prepare('PRAGMA foreign_key_check').all()).toEqual([]);
  });
});

// The same with text keys (uuids), which the per-batch check looks up as one JSON array.
const PG_UUID = `
  CREATE TABLE customers (id uuid PRIMARY KEY, credit numeric, updated_at timestamptz NOT NULL);
  CREATE TABLE orders (id integer PRIMARY KEY, customer_id uuid REFERENCES customers(id), updated_at timestamptz NOT NULL);
  INSERT INTO customers VALUES ('0b6f2a56-6f0e-4c55-9d0a-1f0e6b1d2c01', 10, '2025-11-05 10:00:00+00'),
    ('0b6f2a56-6f0e-4c55-9d0a-1f0e6b1d2c02', 'NaN', '2025-11-05 10:00:00+00'), ('0b6f2a56-6f0e-4c55-9d0a-1f0e6b1d2c03', 3, '2025-11-05 10:00:00+00');
  INSERT INTO orders VALUES (10, '0b6f2a56-6f0e-4c55-9d0a-1f0e6b1d2c01', '2025-11-05 10:01:00+00'), (11, '0b6f2a56-6f0e-4c55-9d0a-1f0e6b1d2c02', '2025-11-05 10:02:00+00'),
    (12, '0b6f2a56-6f0e-4c55-9d0a-1f0e6b1d2c03', '2025-11-05 10:03:00+00'), (13, NULL, '2025-11-05 10:04:00+00');`;
const SQLITE_UUID = `
  CREATE TABLE customers (id TEXT NOT NULL PRIMARY KEY, credit NUMERIC, updated_at DATETIME NOT NULL);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id TEXT REFERENCES customers(id), updated_at DATETIME NOT NULL);`;

describe('a child whose uuid parent could not land in SQLite', () => {
  let text: ReplicationPair;
  beforeAll(async () => {
    text = await createReplicationPair(PG_UUID, SQLITE_UUID);
  });
  afterAll(() => text.cleanup());

  it('waits in the skip ledger with its parent key while its siblings land', async () => {
    const r = await text.run('pg-to-sqlite');
    expect(r.code).toBe(3);
    expect(r.json.tables.find((t) => t.name === 'orders')).toMatchObject({ read: 4, written: 3, skipped: 1, rejected: 0 });
    expect(text.sqlite().prepare('SELECT id FROM orders ORDER BY id').pluck().all()).toEqual([10n, 12n, 13n]);
    const waiting = text.sqlite().prepare('SELECT parent_key FROM _replicate_skipped_rows').pluck().all();
    expect(waiting).toEqual(['[["s","0b6f2a56-6f0e-4c55-9d0a-1f0e6b1d2c02"]]']);
    expect(text.sqlite().prepare('PRAGMA foreign_key_check').all()).toEqual([]);
  });
});
