/**
 * A large first load into an empty SQLite file: once a table's foreign key has asked for
 * thousands of parents, the parent's keys are read into memory and answer for the rest
 * of the load (uuid keys and integer keys alike). A child whose parent could not land
 * still waits in the skip ledger with its parent's key, wherever in the load it comes,
 * and nothing that landed lacks its parent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const uuid = (n: string): string => `'00000000-0000-4000-8000-' || lpad(to_hex(${n}), 12, '0')`;
const PG = `
  CREATE TABLE customers (id uuid PRIMARY KEY, credit numeric, updated_at timestamptz NOT NULL);
  CREATE TABLE orders (id integer PRIMARY KEY, customer_id uuid REFERENCES customers(id), total numeric, updated_at timestamptz NOT NULL);
  CREATE TABLE order_lines (id integer PRIMARY KEY, order_id integer NOT NULL REFERENCES orders(id), updated_at timestamptz NOT NULL);
  -- customer 4999 cannot land in SQLite (no NaN there), nor can order 3000
  INSERT INTO customers SELECT (${uuid('g')})::uuid, CASE WHEN g = 4999 THEN 'NaN' ELSE g::numeric END, '2025-11-05 10:00:00+00' FROM generate_series(1, 5000) g;
  INSERT INTO orders SELECT g, (${uuid('g')})::uuid, CASE WHEN g = 3000 THEN 'NaN' ELSE g::numeric END, '2025-11-05 10:01:00+00' FROM generate_series(1, 5000) g;
  -- past the first 5000 parents asked for: answered from the keys in memory
  INSERT INTO orders VALUES (5001, (${uuid('4999')})::uuid, 1, '2025-11-05 10:02:00+00'), (5002, (${uuid('17')})::uuid, 2, '2025-11-05 10:02:00+00'),
    (5003, NULL, 3, '2025-11-05 10:02:00+00');
  INSERT INTO order_lines SELECT g, g, '2025-11-05 10:03:00+00' FROM generate_series(1, 5003) g;
  INSERT INTO order_lines VALUES (6001, 3000, '2025-11-05 10:04:00+00'), (6002, 4999, '2025-11-05 10:04:00+00'), (6003, 5001, '2025-11-05 10:04:00+00'),
    (6004, 5002, '2025-11-05 10:04:00+00');`;
const SQLITE = `
  CREATE TABLE customers (id TEXT NOT NULL PRIMARY KEY, credit NUMERIC, updated_at DATETIME NOT NULL);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id TEXT REFERENCES customers(id), total NUMERIC, updated_at DATETIME NOT NULL);
  CREATE TABLE order_lines (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id), updated_at DATETIME NOT NULL);`;
const key = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

// a UTF-16 file takes its text as strings, not as the batch's bytes (text-slices.ts): the same answers
describe.each(['UTF-8', 'UTF-16le'])('a large first load into a %s SQLite file, parents checked from keys in memory', (encoding) => {
  let pair: ReplicationPair;
  beforeAll(async () => {
    pair = await createReplicationPair(PG, `PRAGMA encoding = '${encoding}';${SQLITE}`);
  });
  afterAll(() => pair.cleanup());

  it('holds back exactly the children whose parent did not land, early or late in the load', async () => {
    const r = await pair.run('pg-to-sqlite', '--batch-size', '1000');
    expect(r.code, r.stderr).toBe(3);
    expect(r.json.tables.find((t) => t.name === 'customers')).toMatchObject({ read: 5000, written: 4999, rejected: 1 });
    // 3000 rejected; 4999 and 5001 wait for customer 4999
    expect(r.json.tables.find((t) => t.name === 'orders')).toMatchObject({ read: 5003, written: 5000, skipped: 2, rejected: 1 });
    // the lines of orders 3000, 4999 and 5001, early and late
    expect(r.json.tables.find((t) => t.name === 'order_lines')).toMatchObject({ read: 5007, written: 5001, skipped: 6, rejected: 0 });

    const db = pair.sqlite();
    expect(db.pragma('encoding', { simple: true })).toBe(encoding);
    const waiting = db.prepare('SELECT table_name, parent_key FROM _replicate_skipped_rows ORDER BY table_name, row_key').raw().all();
    expect(waiting).toEqual([
      ['order_lines', '[["i","3000"]]'],
      ['order_lines', '[["i","4999"]]'],
      ['order_lines', '[["i","5001"]]'],
      ['order_lines', '[["i","3000"]]'],
      ['order_lines', '[["i","4999"]]'],
      ['order_lines', '[["i","5001"]]'],
      ['orders', `[["s","${key(4999)}"]]`],
      ['orders', `[["s","${key(4999)}"]]`],
    ]);
    expect(db.prepare('SELECT customer_id FROM orders WHERE id IN (5002, 5003) ORDER BY id').pluck().all()).toEqual([key(17), null]);
    expect(db.prepare('SELECT id FROM order_lines WHERE id > 5000 ORDER BY id').pluck().all()).toEqual([5002n, 5003n, 6004n]);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
  });

  it('lets them all land once the parents are fixed at the source', async () => {
    await pair.db.exec(`UPDATE customers SET credit = 0, updated_at = '2025-11-06 09:00:00+00' WHERE credit = 'NaN';
      UPDATE orders SET total = 0, updated_at = '2025-11-06 09:00:00+00' WHERE total = 'NaN'`);
    const r = await pair.run('pg-to-sqlite');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.waiting).toEqual({ skipped: 0, rejected: 0 });
    const db = pair.sqlite();
    expect(db.prepare('SELECT count(*) FROM order_lines').pluck().get()).toBe(5007n);
    expect(db.prepare('SELECT count(*) FROM orders').pluck().get()).toBe(5003n);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
  });
});
