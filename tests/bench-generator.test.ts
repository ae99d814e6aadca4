/**
 * The benchmark's point-of-sale generator, at a tiny scale: the database it writes has
 * the rows it reports, every foreign key resolves, values are typed the way a real app
 * writes them, the same seed gives the same data, and the PostgreSQL schema the
 * benchmark loads into accepts every row with its foreign keys live.
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportSqliteCsv, psqlCopyIn } from '../bench/floor.js';
import { generatePos, plannedCounts, posPostgresSchemaPath, POS_TABLES, type GeneratedPos } from '../bench/generate-pos.js';
import { createTestDatabase, type TestDatabase } from './harness/pg.js';
import { tempDir, type TempDir } from './harness/sqlite.js';

const SCALE = 0.002;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('the benchmark point-of-sale generator', () => {
  let dir: TempDir;
  let generated: GeneratedPos;
  let db: Database.Database;

  beforeEach(() => {
    dir = tempDir('replicate-bench-gen-');
    generated = generatePos(dir.file('pos.db'), { scale: SCALE });
    db = new Database(generated.path, { readonly: true });
  });

  afterEach(() => {
    db.close();
    dir.remove();
  });

  const all = <T>(sql: string): T[] => db.prepare(sql).all() as T[];
  const one = (sql: string): number => Number((db.prepare(sql).get() as { n: number }).n);

  it('writes the rows it reports, shaped like a shop: stores with tills and staff, orders with lines and payments', () => {
    for (const table of POS_TABLES) expect(one(`SELECT count(*) AS n FROM ${table}`), table).toBe(generated.counts[table]);
    expect(generated.rows).toBe(POS_TABLES.reduce((n, t) => n + generated.counts[t], 0));

    const planned = plannedCounts(SCALE);
    expect(generated.counts).toMatchObject({ stores: planned.stores, customers: planned.customers, products: planned.products, orders: planned.orders });
    expect(generated.counts.terminals).toBe(4 * planned.stores);
    expect(generated.counts.users).toBe(8 * planned.stores);
    expect(one('SELECT count(*) AS n FROM categories WHERE parent_id IS NOT NULL')).toBe(48);
    // Most rows are order lines: one to seven per order, every order has at least one.
    expect(one('SELECT count(*) AS n FROM orders WHERE id NOT IN (SELECT order_id FROM order_items)')).toBe(0);
    expect(one('SELECT max(c) AS n FROM (SELECT count(*) AS c FROM order_items GROUP BY order_id)')).toBeLessThanOrEqual(7);
    expect(generated.counts.order_items).toBeGreaterThan(generated.counts.orders * 3);
  });

  it('leaves no dangling foreign key, including the categories that point at categories', () => {
    expect(all('PRAGMA foreign_key_check')).toEqual([]);
    expect(one(`SELECT count(*) AS n FROM categories c JOIN categories p ON p.id = c.parent_id WHERE p.parent_id IS NULL`)).toBe(48);
    // An order's till and cashier belong to the order's store.
    expect(one(`SELECT count(*) AS n FROM orders o JOIN terminals t ON t.id = o.terminal_id WHERE t.store_id <> o.store_id`)).toBe(0);
    expect(one(`SELECT count(*) AS n FROM orders o JOIN users u ON u.id = o.user_id WHERE u.store_id <> o.store_id`)).toBe(0);
  });

  it('types values like a real app: uuid text, integer line ids, ISO dates with milliseconds, 0/1 booleans, JSON text, money that adds up', () => {
    for (const table of POS_TABLES) {
      const stamps = all<{ created_at: string; updated_at: string }>(`SELECT created_at, updated_at FROM ${table}`);
      for (const s of stamps) {
        expect(s.created_at, table).toMatch(ISO_MS);
        expect(s.updated_at, table).toMatch(ISO_MS);
      }
    }
    for (const { id } of all<{ id: string }>('SELECT id FROM orders UNION ALL SELECT id FROM payments UNION ALL SELECT id FROM customers')) expect(id).toMatch(UUID);
    expect(one(`SELECT count(*) AS n FROM order_items WHERE typeof(id) <> 'integer'`)).toBe(0);
    expect(one(`SELECT count(*) AS n FROM payments WHERE is_refund NOT IN (0, 1)`)).toBe(0);
    expect(one(`SELECT count(*) AS n FROM products WHERE NOT json_valid(attributes)`)).toBe(0);
    expect(one(`SELECT count(*) AS n FROM order_items WHERE modifiers IS NOT NULL AND NOT json_valid(modifiers)`)).toBe(0);
    expect(one(`SELECT count(*) AS n FROM order_items WHERE modifiers IS NOT NULL`)).toBeGreaterThan(0);
    // Each order's subtotal is the sum of its lines, and its total adds the tax (compared in cents).
    expect(one(`SELECT count(*) AS n FROM orders o WHERE round(o.subtotal * 100) <> (SELECT round(sum(line_total) * 100) FROM order_items i WHERE i.order_id = o.id)`)).toBe(0);
    expect(one(`SELECT count(*) AS n FROM orders WHERE round(subtotal * 100) + round(tax_total * 100) <> round(total * 100)`)).toBe(0);
  });

  it('gives the same data for the same seed and different data for another seed', () => {
    const dump = (path: string): string => {
      const other = new Database(path, { readonly: true });
      try {
        return POS_TABLES.map((t) => JSON.stringify(other.prepare(`SELECT * FROM ${t} ORDER BY rowid`).raw().all())).join('\n');
      } finally {
        other.close();
      }
    };
    const again = generatePos(dir.file('again.db'), { scale: SCALE });
    const reseeded = generatePos(dir.file('reseeded.db'), { scale: SCALE, seed: 7 });
    expect(again.counts).toEqual(generated.counts);
    expect(dump(again.path)).toBe(dump(generated.path));
    expect(dump(reseeded.path)).not.toBe(dump(generated.path));
  });

  describe('with the PostgreSQL schema the benchmark loads into', () => {
    let target: TestDatabase;

    beforeEach(async () => {
      target = await createTestDatabase('bench');
      await target.exec(readFileSync(posPostgresSchemaPath(), 'utf8'));
    });

    afterEach(async () => {
      await target.drop();
    });

    it('has the same tables and columns, and psql \\copy loads every generated row with the FKs live', async () => {
      for (const table of POS_TABLES) {
        const pgColumns = (await target.query<{ column_name: string }>(
          `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`, [table],
        )).map((r) => r.column_name);
        expect(pgColumns, table).toEqual(all<{ name: string }>(`PRAGMA table_info(${table})`).map((c) => c.name));
      }
      const fks = await target.query<{ n: string }>(`SELECT count(*) AS n FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`);
      expect(Number(fks[0]?.n)).toBe(11);

      const csv = await exportSqliteCsv(generated.path, dir.path, POS_TABLES);
      const loaded = await psqlCopyIn(target.url, csv, dir.path);
      expect(loaded.diagnostics).toBe('');
      expect(loaded.code).toBe(0);
      for (const table of POS_TABLES) {
        const rows = await target.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
        expect(Number(rows[0]?.n), table).toBe(generated.counts[table]);
      }
      const totals = await target.query<{ total: string }>(`SELECT sum(total)::text AS total FROM orders`);
      expect(totals[0]?.total).toBe(one(`SELECT printf('%.2f', sum(round(total * 100)) / 100.0) AS n FROM orders`).toFixed(2));
    });
  });
});
