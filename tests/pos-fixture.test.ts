/**
 * The sample point-of-sale pair loads into a real PostgreSQL database and a real SQLite
 * file, and holds what its README promises: the tables on each side, the row counts,
 * clean foreign keys, the server's generated column.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import pg from 'pg';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadPosFixture, posFixturePaths } from '../src/demo/pos-fixture.js';
import { QueryError } from '../src/errors.js';
import { createTestDatabase, type TestDatabase } from './harness/pg.js';
import { tempDir, type TempDir } from './harness/sqlite.js';

const ALL_TABLES = [
  'audit_logs', 'categories', 'customers', 'order_items', 'orders', 'payments', 'products',
  'shifts', 'stock_levels', 'stores', 'system_settings', 'terminal_stock_levels', 'terminals', 'users',
];
const SERVER_ONLY_TABLES = ['audit_logs', 'system_settings', 'terminal_stock_levels'];

/** The "Row counts" table of the fixture's README: table -> [postgres, sqlite or null]. */
function readmeRowCounts(): Map<string, [number, number | null]> {
  const readme = readFileSync(join(dirname(posFixturePaths().postgresSchema), 'README.md'), 'utf8');
  const counts = new Map<string, [number, number | null]>();
  for (const m of readme.matchAll(/^\| (\w+) \| (\d+) \| (\d+|\(absent\)) \|$/gm)) {
    const [, table, pgRows, liteRows] = m;
    if (table === undefined || pgRows === undefined || liteRows === undefined) continue;
    counts.set(table, [Number(pgRows), liteRows === '(absent)' ? null : Number(liteRows)]);
  }
  return counts;
}

describe('the sample point-of-sale schema pair', () => {
  let db: TestDatabase;
  let client: pg.Client;
  let dir: TempDir;
  let sqlitePath: string;

  beforeEach(async () => {
    db = await createTestDatabase('pos');
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    dir = tempDir();
    sqlitePath = dir.file('terminal.db');
  });

  afterEach(async () => {
    await client.end();
    await db.drop();
    dir.remove();
  });

  async function pgCount(table: string): Promise<number> {
    const rows = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${table}"`);
    return Number(rows[0]?.n);
  }

  it('ships every fixture file where posFixturePaths() says', () => {
    for (const path of Object.values(posFixturePaths())) expect(existsSync(path), path).toBe(true);
  });

  it('loads both sides with the tables and row counts the README states', async () => {
    await loadPosFixture({ sqlitePath, pg: client, withData: true });

    const pgTables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(pgTables.map((r) => r.table_name)).toEqual(ALL_TABLES);

    const lite = new Database(sqlitePath, { readonly: true });
    try {
      const liteTables = lite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .pluck()
        .all();
      expect(liteTables).toEqual(ALL_TABLES.filter((t) => !SERVER_ONLY_TABLES.includes(t)));

      const counts = readmeRowCounts();
      expect([...counts.keys()].sort()).toEqual(ALL_TABLES);
      for (const [table, [pgRows, liteRows]] of counts) {
        expect(await pgCount(table), `PostgreSQL ${table}`).toBe(pgRows);
        if (liteRows === null) continue;
        const n = lite.prepare(`SELECT count(*) FROM "${table}"`).pluck().get();
        expect(n, `SQLite ${table}`).toBe(liteRows);
      }
      expect(counts.get('terminals')).toEqual([4, 4]);

      // the terminal database is consistent: every FK has its parent, the file is sound
      expect(lite.pragma('foreign_key_check')).toEqual([]);
      expect(lite.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      lite.close();
    }
  });

  it('keeps the drift the seeds describe: local keys, an old column name, epoch shifts', async () => {
    await loadPosFixture({ sqlitePath, pg: client });
    const lite = new Database(sqlitePath, { readonly: true });
    try {
      // terminals are keyed locally; children point at local_id, server_id holds the uuid
      const term = lite.prepare("SELECT local_id, server_id FROM terminals WHERE local_id = 'term_001'").get();
      expect(term).toEqual({ local_id: 'term_001', server_id: '00000002-0000-4000-8000-000000000001' });
      const shiftTerminals = lite.prepare('SELECT DISTINCT terminal_id FROM shifts ORDER BY 1').pluck().all();
      expect(shiftTerminals).toEqual(['term_001', 'term_002', 'term_003', 'term_004']);
      const [pgShift] = await db.query<{ terminal_id: string; opened: string }>(
        "SELECT terminal_id::text, extract(epoch FROM opened_at)::bigint::text AS opened FROM shifts WHERE id = '00000004-0000-4000-8000-000000000001'",
      );
      const liteShift = lite
        .prepare("SELECT terminal_id, opened_at FROM shifts WHERE id = '00000004-0000-4000-8000-000000000001'")
        .get();
      expect(pgShift).toEqual({ terminal_id: '00000002-0000-4000-8000-000000000001', opened: '1762243440' });
      expect(liteShift).toEqual({ terminal_id: 'term_001', opened_at: 1762243440 });

      // the same product stock under two names
      const [pgProduct] = await db.query<{ master_stock_quantity: string }>(
        "SELECT master_stock_quantity::text FROM products WHERE sku = 'COF-103'",
      );
      const liteStock = lite.prepare("SELECT stock_quantity FROM products WHERE sku = 'COF-103'").pluck().get();
      expect(Number(pgProduct?.master_stock_quantity)).toBe(liteStock);

      // offline sales wait on the terminal only
      const pending = lite.prepare("SELECT count(*) FROM orders WHERE sync_status = 'pending'").pluck().get();
      expect(pending).toBe(3);
      const pendingOnServer = await db.query("SELECT 1 FROM orders WHERE id::text LIKE '00000008-%-000000000901'");
      expect(pendingOnServer).toEqual([]);
    } finally {
      lite.close();
    }
  });

  it('computes available_quantity on the server and has no such column on the terminal', async () => {
    await loadPosFixture({ sqlitePath, pg: client });
    const wrong = await db.query(
      'SELECT 1 FROM stock_levels WHERE available_quantity IS DISTINCT FROM quantity - reserved_quantity',
    );
    expect(wrong).toEqual([]);
    const reserved = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM stock_levels WHERE reserved_quantity > 0');
    expect(Number(reserved[0]?.n)).toBeGreaterThan(0);

    const key = { store: '00000001-0000-4000-8000-000000000001', product: '00000007-0000-4000-8000-000000000001' };
    const [updated] = await db.query<{ quantity: string; available_quantity: string }>(
      `UPDATE stock_levels SET quantity = 10, reserved_quantity = 2.5
       WHERE store_id = $1 AND product_id = $2 RETURNING quantity::text, available_quantity::text`,
      [key.store, key.product],
    );
    expect(updated).toEqual({ quantity: '10.000', available_quantity: '7.500' });

    const lite = new Database(sqlitePath, { readonly: true });
    try {
      const cols = lite.prepare("SELECT name FROM pragma_table_xinfo('stock_levels')").pluck().all();
      expect(cols).toContain('reserved_quantity');
      expect(cols).not.toContain('available_quantity');
    } finally {
      lite.close();
    }
  });

  it('loads the schemas alone without data, and the optional NULL-email customers on top', async () => {
    await loadPosFixture({ sqlitePath, pg: client, withData: false });
    expect(await pgCount('orders')).toBe(0);
    const lite = new Database(sqlitePath);
    try {
      expect(lite.prepare('SELECT count(*) FROM orders').pluck().get()).toBe(0);
      lite.exec(readFileSync(posFixturePaths().sqliteData, 'utf8'));
      lite.exec(readFileSync(posFixturePaths().sqliteNullEmails, 'utf8'));
      expect(lite.prepare('SELECT count(*) FROM customers').pluck().get()).toBe(23);
      expect(lite.prepare('SELECT count(*) FROM customers WHERE email IS NULL').pluck().get()).toBe(3);
    } finally {
      lite.close();
    }
  });

  it('refuses to load over an existing SQLite database and leaves it alone', async () => {
    writeFileSync(sqlitePath, 'not a fixture target');
    await expect(loadPosFixture({ sqlitePath, pg: client })).rejects.toBeInstanceOf(QueryError);
    expect(readFileSync(sqlitePath, 'utf8')).toBe('not a fixture target');
    expect(await db.query("SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'")).toEqual([]);
  });
});
