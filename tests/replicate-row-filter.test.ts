/**
 * A terminal syncs only its own store: the orders mapping says `filter: store_id = :store`,
 * the run binds the store with --param, and only that store's rows move, in full and
 * incremental runs, in the ledger retry, and both ways (on SQLite the filter's column
 * names are translated through the mapping), from the built CLI's reader thread as from
 * the library. A missing value is named; a new value is not hidden behind the old value's
 * checkpoint.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `
  CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL);
  CREATE TABLE orders (id bigint PRIMARY KEY, store_id int NOT NULL, customer_id bigint REFERENCES customers(id), total numeric(10,2) NOT NULL, updated_at timestamptz NOT NULL);`;
// the terminal calls the store column `shop`
const SQLITE = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, updated_at TEXT NOT NULL);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, shop INTEGER NOT NULL, customer_id INTEGER REFERENCES customers(id), total DECIMAL(10,2) NOT NULL, updated_at TEXT NOT NULL);`;

let pair: ReplicationPair;
const orderIds = (): bigint[] => (pair.sqlite().prepare('SELECT id FROM orders ORDER BY id').pluck().all() as bigint[]);

beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  await pair.db.exec(`
    INSERT INTO customers VALUES (1, 'Ada', '2025-11-01 09:00:00+00');
    INSERT INTO orders SELECT g, CASE WHEN g % 2 = 0 THEN 7 ELSE 8 END, 1, g * 1.5, '2025-11-01 10:00:00+00' FROM generate_series(1, 20) g;`);
  const map = await runCli(['map', ...pair.flags], { cwd: pair.dir.path });
  expect(map.code).toBe(0);
  const file = join(pair.dir.path, 'mappings', 'orders.yaml');
  const yaml = readFileSync(file, 'utf8')
    .replace(/^(\s+- \{ ?postgres: store_id, sqlite: )store_id/m, '$1shop')
    .replace(/^\s+- \{ ?postgres: shop, sqlite: shop.*\n/m, '')
    .replace(/^filter: null/m, 'filter: store_id = :store');
  expect(yaml).toContain('filter: store_id = :store');
  writeFileSync(file, yaml);
});
afterAll(() => pair.cleanup());

describe('a mapping row filter with :params', () => {
  it('refuses to run without a value for :store, naming the table and the param', async () => {
    const raw = await runCli(['run', '--direction', 'pg-to-sqlite', ...pair.flags], { cwd: pair.dir.path });
    expect(raw.code).toBe(2);
    expect(raw.stderr).toContain('table "orders"');
    expect(raw.stderr).toContain(':store');
    expect(raw.stderr).toContain('--param store=VALUE');
    expect(orderIds()).toEqual([]);
  });

  it('the dry-run plan shows the filter with the value it binds', async () => {
    const r = await runCli(['run', '--direction', 'pg-to-sqlite', ...pair.flags, '--dry-run', '--param', 'store=7'], { cwd: pair.dir.path });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Row filters:\n  orders: store_id = :store (store = "7")');
  });

  it('the dry run estimates only the rows the filter lets through', async () => {
    const estimate = async (): Promise<number | undefined> => {
      const r = await runCli(['run', '--direction', 'pg-to-sqlite', ...pair.flags, '--dry-run', '--json', '--param', 'store=7'], { cwd: pair.dir.path });
      expect(r.code, r.stderr).toBe(0);
      const plan = JSON.parse(r.stdout) as { tables: { table: string; estimatedRows: number }[] };
      return plan.tables.find((t) => t.table === 'orders')?.estimatedRows;
    };
    // never analyzed: counted, with the filter; 10 of the 20 orders are store 7's
    expect(await estimate()).toBe(10);
    // analyzed: the planner's estimate for the filtered read, from the same statistics
    await pair.db.exec('ANALYZE orders');
    expect(await estimate()).toBe(10);
  });

  it('a full run copies only store 7, and an incremental run only its new and changed rows', async () => {
    const first = await pair.run('pg-to-sqlite', '--param', 'store=7');
    expect(first.code).toBe(0);
    expect(first.json.tables.find((t) => t.name === 'orders')).toMatchObject({ read: 10, written: 10 });
    expect(orderIds()).toEqual([2n, 4n, 6n, 8n, 10n, 12n, 14n, 16n, 18n, 20n]);
    const shops = pair.sqlite().prepare('SELECT DISTINCT shop FROM orders').pluck().all();
    expect(shops).toEqual([7n]);

    await pair.db.exec(`
      INSERT INTO orders VALUES (21, 8, 1, 1.00, '2025-11-02 10:00:00+00'), (22, 7, 1, 2.00, '2025-11-02 10:00:00+00');
      UPDATE orders SET total = 99.99, updated_at = '2025-11-02 11:00:00+00' WHERE id IN (3, 4);`);
    const next = await pair.run('pg-to-sqlite', '--param', 'store=7');
    expect(next.code).toBe(0);
    expect(next.json.tables.find((t) => t.name === 'orders')).toMatchObject({ read: 2, written: 2 });
    expect(pair.sqlite().prepare('SELECT id, total FROM orders WHERE id IN (3, 4, 21, 22) ORDER BY id').raw().all()).toEqual([
      [4n, 99.99],
      [22n, 2n],
    ]);
  });

  it('switching the terminal to store 8 copies store 8 from the start, not from store 7\'s checkpoint', async () => {
    const r = await pair.run('pg-to-sqlite', '--param', 'store=8');
    expect(r.code).toBe(0);
    expect(pair.sqlite().prepare('SELECT count(*) FROM orders WHERE shop = 8').pluck().get()).toBe(11n);
  });

  it('a filtered row waiting for its parent lands once the parent exists, and a row outside the filter never does', async () => {
    await pair.db.exec(`
      ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;
      INSERT INTO orders VALUES (30, 7, 2, 5.00, '2025-11-03 10:00:00+00'), (31, 8, 2, 6.00, '2025-11-03 10:00:00+00');`);
    const waiting = await pair.run('pg-to-sqlite', '--param', 'store=7');
    expect(waiting.code).toBe(3);
    // back from store 8, store 7 is read from the start again: its 11 rows (rewritten, no duplicates) and the new one
    expect(waiting.json.tables.find((t) => t.name === 'orders')).toMatchObject({ read: 12, written: 11, skipped: 1 });
    expect(pair.sqlite().prepare('SELECT count(*) FROM orders WHERE shop = 7').pluck().get()).toBe(11n);
    // a config file gives the value this time
    writeFileSync(join(pair.dir.path, 'replicate.config.json'), JSON.stringify({ params: { store: 7 } }));
    await pair.db.exec(`INSERT INTO customers VALUES (2, 'Grace', '2025-11-03 09:00:00+00')`);
    const landed = await pair.run('pg-to-sqlite');
    expect(landed.code).toBe(0);
    expect(pair.sqlite().prepare('SELECT id FROM orders WHERE id >= 30').pluck().all()).toEqual([30n]);
  });

  it('sqlite-to-pg reads SQLite through the translated filter: shop = ? for store_id = :store', async () => {
    pair.sqlite().exec(`INSERT INTO orders VALUES (40, 7, 1, 7.00, '2025-11-04T10:00:00.000Z'), (41, 9, 1, 9.00, '2025-11-04T10:00:00.000Z')`);
    const dry = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--dry-run', '--json', '--param', 'store=7'], { cwd: pair.dir.path });
    expect(dry.code, dry.stderr).toBe(0);
    const planned = (JSON.parse(dry.stdout) as { tables: { table: string; estimatedRows: number }[] }).tables.find((t) => t.table === 'orders');
    const count = (where: string): number => Number(pair.sqlite().prepare(`SELECT count(*) FROM orders${where}`).pluck().get());
    expect(count('')).toBeGreaterThan(count(' WHERE shop = 7'));
    expect(planned?.estimatedRows).toBe(count(' WHERE shop = 7'));
    const r = await pair.run('sqlite-to-pg', '--param', 'store=7');
    expect(r.code).toBe(0);
    const rows = await pair.db.query<{ id: string }>('SELECT id::text FROM orders WHERE id >= 40 ORDER BY id');
    expect(rows.map((x) => x.id)).toEqual(['40']);
  });

  it('literals, comments and several :params: only real column names and params are touched, on either side', async () => {
    const file = join(pair.dir.path, 'mappings', 'orders.yaml');
    // ':store' inside the literal is text, not a param; the comment would otherwise swallow the rest of the query
    const filter = `store_id = :store AND total > :min AND 'a:b store_id' <> ':store' -- only big orders`;
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^filter: .*$/m, `filter: ${JSON.stringify(filter)}`));
    // store 8's orders over 25.00: 3 (99.99), 17 (25.50) and 19 (28.50), on both sides
    const down = await pair.run('pg-to-sqlite', '--full', '--param', 'store=8', '--param', 'min=25');
    expect(down.code, down.stderr).toBe(0);
    expect(down.json.tables.find((t) => t.name === 'orders')).toMatchObject({ read: 3, written: 3 });
    const up = await pair.run('sqlite-to-pg', '--full', '--param', 'store=8', '--param', 'min=25');
    expect(up.code, up.stderr).toBe(0);
    expect(up.json.tables.find((t) => t.name === 'orders')).toMatchObject({ read: 3, written: 3 });
  });

  it('the built CLI, reading on its reader thread by COPY with the values as literals, copies the same rows', async () => {
    // the filter above (a literal holding ':store', a comment), its two params, and keyset batches of two rows
    pair.sqlite().exec('DELETE FROM orders');
    const r = await spawnCli(['run', '--direction', 'pg-to-sqlite', ...pair.flags, '--full', '--batch-size', '2', '--param', 'store=8', '--param', 'min=25', '--json'], { cwd: pair.dir.path });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { tables: { name: string; read: number; written: number }[] };
    expect(summary.tables.find((t) => t.name === 'orders')).toMatchObject({ read: 3, written: 3 });
    expect(pair.sqlite().prepare('SELECT id, shop, total FROM orders ORDER BY id').raw().all()).toEqual([
      [3n, 8n, 99.99],
      [17n, 8n, 25.5],
      [19n, 8n, 28.5],
    ]);
  });

  it('a filter naming a column the source lacks fails before any row moves, naming the table', async () => {
    const file = join(pair.dir.path, 'mappings', 'orders.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^filter: .*$/m, 'filter: shelf = :store'));
    const r = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--param', 'store=7'], { cwd: pair.dir.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/table "orders": row filter "shelf = :store" does not work on the SQLite source: no such column: shelf/);
  });
});
