/**
 * After a first copy, an incremental run carries only what changed; rows sharing one
 * updated_at are never lost at a batch boundary (keyset on (cursor, key)).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';
import { runCli } from './harness/cli.js';

const PG = `CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL, price numeric(12,2) NOT NULL, updated_at timestamptz NOT NULL);
            CREATE INDEX ON products (updated_at);`;
const SQLITE = `CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price DECIMAL(12,2) NOT NULL, updated_at DATETIME NOT NULL);
                CREATE INDEX products_updated ON products (updated_at);`;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  // 10,000 rows stamped by one price import: the same updated_at
  await pair.db.exec(`INSERT INTO products SELECT g, 'product ' || g, (g % 500) + 0.99, '2025-11-05 10:00:00.123456+00' FROM generate_series(1, 10000) g`);
});
afterAll(() => pair.cleanup());

describe('incremental runs', () => {
  it('10,000 rows sharing one updated_at all arrive with a batch size of 100', async () => {
    const r = await pair.run('pg-to-sqlite', '--batch-size', '100');
    expect(r.code).toBe(0);
    expect(r.json.tables[0]).toMatchObject({ read: 10000, written: 10000 });
    const s = pair.sqlite();
    const row = s.prepare('SELECT count(*) AS n, count(DISTINCT id) AS d, min(updated_at) AS lo, max(updated_at) AS hi FROM products').get() as Record<string, unknown>;
    expect(row).toEqual({ n: 10000n, d: 10000n, lo: '2025-11-05T10:00:00.123456Z', hi: '2025-11-05T10:00:00.123456Z' });
  });

  it('a second run with nothing changed reads nothing', async () => {
    const r = await pair.run('pg-to-sqlite', '--batch-size', '100');
    expect(r.code).toBe(0);
    expect(r.json.tables[0]).toMatchObject({ read: 0, written: 0 });
  });

  it('carries only the inserts and updates since the last run', async () => {
    await pair.db.exec(`
      UPDATE products SET price = 1.00, updated_at = '2025-11-06 08:00:00+00' WHERE id IN (17, 4242);
      INSERT INTO products VALUES (10001, 'new', 5.55, '2025-11-06 08:00:01+00');`);
    const r = await pair.run('pg-to-sqlite', '--batch-size', '100');
    expect(r.code).toBe(0);
    expect(r.json.tables[0]).toMatchObject({ read: 3, written: 3 });
    const s = pair.sqlite();
    const rows = s.prepare('SELECT id, price, updated_at FROM products WHERE id IN (17, 4242, 10001) ORDER BY id').all();
    expect(rows).toEqual([
      { id: 17n, price: 1n, updated_at: '2025-11-06T08:00:00.000Z' },
      { id: 4242n, price: 1n, updated_at: '2025-11-06T08:00:00.000Z' },
      { id: 10001n, price: 5.55, updated_at: '2025-11-06T08:00:01.000Z' },
    ]);
  });

  it('says it goes on from the checkpoint without counting the table first; a first copy says how many rows there are', async () => {
    const plain = (...extra: string[]) => runCli(['run', '--direction', 'pg-to-sqlite', ...pair.flags, ...extra], { cwd: pair.dir.path });
    const incremental = await plain();
    expect(incremental.code).toBe(0);
    expect(incremental.stdout).toContain('products: incremental from checkpoint\n');
    expect(incremental.stdout).not.toContain('rows at the source');
    const full = await plain('--full');
    expect(full.code).toBe(0);
    expect(full.stdout).toContain('products: full, ~10,001 rows at the source');
  });
});
