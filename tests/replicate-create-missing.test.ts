/**
 * A first migration of a SQLite app into an empty PostgreSQL database, in one command
 * (`run --create-missing`): the tables are created, every row lands, a child whose parent
 * did not land (missing at the source, or rejected) waits in the skip ledger, and the
 * foreign keys added after the data are valid. Fixing the parents lands the children.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const SQLITE = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, credit DECIMAL(8,2) NOT NULL);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), total DECIMAL(12,2) NOT NULL);
  CREATE TABLE order_lines (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id), qty INTEGER NOT NULL);`;

const CUSTOMERS = 120;
let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair('', SQLITE);
  const s = pair.sqlite();
  s.pragma('foreign_keys = OFF');
  s.transaction(() => {
    // customer 7's credit does not fit DECIMAL(8,2): rejected, so its orders have no parent
    for (let i = 1; i <= CUSTOMERS; i++) s.prepare('INSERT INTO customers VALUES (?, ?, ?)').run(i, `customer ${i}`, i === 7 ? '1234567.50' : `${i}.25`);
    for (let o = 1; o <= 400; o++) s.prepare('INSERT INTO orders VALUES (?, ?, ?)').run(o, o === 250 ? 999 : ((o * 7) % CUSTOMERS) + 1, `${o}.10`);
    for (let l = 1; l <= 900; l++) s.prepare('INSERT INTO order_lines VALUES (?, ?, ?)').run(l, ((l * 13) % 400) + 1, l % 5);
  })();
  s.close();
});
afterAll(() => pair.cleanup());

const ordersOf7 = Array.from({ length: 400 }, (_, i) => i + 1).filter((o) => o !== 250 && ((o * 7) % CUSTOMERS) + 1 === 7);
const held = new Set([250, ...ordersOf7]);

describe('run --create-missing into an empty PostgreSQL database', () => {
  it('creates the tables and lands every row whose parents landed, in small batches', async () => {
    const r = await pair.run('sqlite-to-pg', '--create-missing', '--batch-size', '50');
    expect(r.code, r.stderr).toBe(3);
    const stats = (name: string): unknown => r.json.tables.find((t) => t.name === name);
    expect(stats('customers')).toMatchObject({ read: CUSTOMERS, written: CUSTOMERS - 1, rejected: 1 });
    expect(stats('orders')).toMatchObject({ read: 400, written: 400 - held.size, skipped: held.size });
    const linesHeld = Array.from({ length: 900 }, (_, i) => i + 1).filter((l) => held.has(((l * 13) % 400) + 1)).length;
    expect(stats('order_lines')).toMatchObject({ read: 900, written: 900 - linesHeld, skipped: linesHeld });
    const orders = await pair.db.query<{ id: string }>('SELECT id::text FROM orders ORDER BY orders.id');
    expect(orders.map((o) => Number(o.id))).toEqual(Array.from({ length: 400 }, (_, i) => i + 1).filter((o) => !held.has(o)));
  });

  it("hands out new ids past the copied ones: the created tables' identities moved on", async () => {
    for (const table of ['customers', 'orders', 'order_lines']) {
      const [seq] = await pair.db.query<{ next: string; max: string }>(
        `SELECT nextval(pg_get_serial_sequence('${table}', 'id'))::text AS next, (SELECT max(id) FROM ${table})::text AS max`,
      );
      expect(BigInt(seq?.next ?? '0'), table).toBeGreaterThan(BigInt(seq?.max ?? '0'));
    }
  });

  it('ends with primary keys and valid foreign keys', async () => {
    const cons = await pair.db.query<{ rel: string; contype: string; convalidated: boolean }>(
      "SELECT conrelid::regclass::text AS rel, contype::text, convalidated FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2",
    );
    expect(cons).toEqual([
      { rel: 'customers', contype: 'p', convalidated: true },
      { rel: 'order_lines', contype: 'f', convalidated: true },
      { rel: 'order_lines', contype: 'p', convalidated: true },
      { rel: 'orders', contype: 'f', convalidated: true },
      { rel: 'orders', contype: 'p', convalidated: true },
    ]);
  });

  it('lands the waiting children once their parents are fixed at the source', async () => {
    const s = pair.sqlite();
    s.prepare("UPDATE customers SET credit = '12.50' WHERE id = 7").run();
    s.prepare("INSERT INTO customers VALUES (999, 'late', '1.00')").run();
    s.close();
    const r = await pair.run('sqlite-to-pg', '--create-missing');
    expect(r.code, r.stderr).toBe(0);
    const counts = await pair.db.query<{ c: number; o: number; l: number }>(
      'SELECT (SELECT count(*) FROM customers)::int AS c, (SELECT count(*) FROM orders)::int AS o, (SELECT count(*) FROM order_lines)::int AS l',
    );
    expect(counts[0]).toEqual({ c: CUSTOMERS + 1, o: 400, l: 900 });
    expect(await pair.db.query('SELECT * FROM replicate.skipped_rows')).toEqual([]);
  });
});
