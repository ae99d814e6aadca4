/**
 * Each run first retries the rows held back in the ledgers, and says what became of them in
 * the words of the run's summary: how many landed (and only those count as written), how
 * many were deleted at the source meanwhile, and how many still wait for a parent or are
 * still rejected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `
  CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL);
  CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers(id), qty integer NOT NULL, updated_at timestamptz NOT NULL);`;
const SQLITE = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, updated_at DATETIME NOT NULL);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), qty INTEGER NOT NULL, updated_at DATETIME NOT NULL);
  INSERT INTO customers VALUES (1, 'Ada', '2025-11-05T10:00:00.000Z');
  PRAGMA foreign_keys = OFF;
  INSERT INTO orders VALUES
    (10, 1, 1, '2025-11-05T10:01:00.000Z'),
    (11, 98, 2, '2025-11-05T10:02:00.000Z'),
    (12, 99, 3, '2025-11-05T10:03:00.000Z'),
    (13, 1, 'two', '2025-11-05T10:04:00.000Z');`;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
});
afterAll(() => pair.cleanup());

const run = () => runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags], { cwd: pair.dir.path });

describe("the ledgers' retry line", () => {
  it('says a rejected row is still rejected, as the summary does, not waiting', async () => {
    const first = await pair.run('sqlite-to-pg');
    expect(first.json.tables.find((t) => t.name === 'orders')).toMatchObject({ read: 4, written: 1, skipped: 2, rejected: 1 });
    pair.sqlite().prepare('DELETE FROM orders WHERE id IN (11, 12)').run();
    await pair.db.exec("DELETE FROM replicate.skipped_rows"); // only the rejected row is left to retry
    const r = await run();
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('orders: retried 1 rejected row: 0 landed, 1 still rejected');
    expect(r.stdout).toMatch(/0 rows waiting for parents, 1 row rejected/);
  });

  it('counts a waiting row deleted at the source as gone from it, not as landed or written', async () => {
    const s = pair.sqlite();
    s.exec('PRAGMA foreign_keys = OFF');
    s.prepare("INSERT INTO orders VALUES (11, 98, 2, '2025-11-05T10:05:00.000Z'), (12, 99, 3, '2025-11-05T10:06:00.000Z')").run();
    s.prepare('UPDATE orders SET qty = 4 WHERE id = 13').run();
    expect((await run()).stdout).toContain('orders: retried 1 rejected row: 1 landed');
    // the two new orders wait for customers 98 and 99; 98 arrives, order 12 is deleted
    s.prepare("INSERT INTO customers VALUES (98, 'Late', '2025-11-06T09:00:00.000Z')").run();
    s.prepare('DELETE FROM orders WHERE id = 12').run();
    const r = await run();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('orders: retried 2 rows waiting for parents: 1 landed, 1 gone from the source');
    expect(r.stdout).toMatch(/orders: 1 read, 1 written in/);
    const history = await pair.db.query<{ rows_written: string }>(
      "SELECT rt.rows_written::text AS rows_written FROM replicate.run_tables rt JOIN replicate.runs r USING (sqlite_id, postgres_id, direction, run_id) WHERE rt.table_name = 'orders' ORDER BY r.started_at DESC LIMIT 1",
    );
    expect(history).toEqual([{ rows_written: '1' }]);
    expect(await pair.db.query('SELECT id FROM orders ORDER BY id')).toEqual([{ id: 10 }, { id: 11 }, { id: 13 }]);
    expect(await pair.db.query('SELECT row_key FROM replicate.skipped_rows')).toEqual([]);
  });
});
