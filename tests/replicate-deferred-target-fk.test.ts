/**
 * A PostgreSQL foreign key checked only at COMMIT (DEFERRABLE INITIALLY DEFERRED) does not
 * stand in for the FK guard: a row whose parent is missing still waits in the skip ledger
 * while the rest of its batch lands, on the first run and on an incremental run after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `
  CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL);
  CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers(id) DEFERRABLE INITIALLY DEFERRED, updated_at timestamptz NOT NULL);`;
const SQLITE = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, updated_at DATETIME NOT NULL);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), updated_at DATETIME NOT NULL);
  INSERT INTO customers VALUES (1, 'Ada', '2025-11-05T10:00:00.000Z');
  PRAGMA foreign_keys = OFF;
  INSERT INTO orders VALUES (10, 1, '2025-11-05T10:01:00.000Z'), (11, 99, '2025-11-05T10:02:00.000Z');`;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
});
afterAll(() => pair.cleanup());

const orderIds = async (): Promise<number[]> => (await pair.db.query<{ id: number }>('SELECT id FROM orders ORDER BY id')).map((r) => r.id);

describe('a deferred FK on the target', () => {
  it('first run: the orphan waits, its batch-mate lands', async () => {
    const r = await pair.run('sqlite-to-pg');
    expect(r.code, r.stderr).toBe(3);
    expect(r.json.tables.find((t) => t.name === 'orders')).toMatchObject({ written: 1, skipped: 1 });
    expect(await orderIds()).toEqual([10]);
  });

  it('incremental run: a new orphan waits too, a new child of an existing parent lands', async () => {
    const s = pair.sqlite();
    s.exec(`PRAGMA foreign_keys = OFF; INSERT INTO orders VALUES (12, 1, '2025-11-05T11:00:00.000Z'), (13, 77, '2025-11-05T11:01:00.000Z')`);
    s.close();
    const r = await pair.run('sqlite-to-pg');
    expect(r.code, r.stderr).toBe(3);
    expect(r.json.tables.find((t) => t.name === 'orders')).toMatchObject({ written: 1, skipped: 1 });
    expect(await orderIds()).toEqual([10, 12]);
  });
});
