/**
 * The sample pair the TUI's real-terminal story and the README capture run on: a small
 * shop in SQLite (enough rows that a run takes a moment) and its empty PostgreSQL schema,
 * with one planted missing parent (an order whose customer exists nowhere, so its exact
 * child and parent keys are known) and planted drift (a price kept as REAL in SQLite but
 * numeric(10,2) in PostgreSQL: a type-mismatch warning).
 */
import { createReplicationPair, type ReplicationPair } from './replication.js';

/** What the pair plants, as a test looks for it. */
export const planted = {
  waiting: { table: 'orders', childId: 1042, fkColumn: 'customer_id', parentTable: 'customers', parentId: 999 },
  drift: { table: 'products', column: 'price', severity: 'warning' as const, sqliteType: 'REAL', pgType: 'numeric(10,2)' },
  /** rows per table in SQLite, FK order; every one lands except the waiting order */
  rows: { customers: 300, products: 60, orders: 3000, order_items: 40000 },
};

const PG = `
  CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, email text, updated_at timestamptz NOT NULL);
  CREATE TABLE products (id integer PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL, updated_at timestamptz NOT NULL);
  CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers(id), total numeric(12,2) NOT NULL, updated_at timestamptz NOT NULL);
  CREATE TABLE order_items (id integer PRIMARY KEY, order_id integer NOT NULL REFERENCES orders(id), product_id integer NOT NULL REFERENCES products(id),
    quantity integer NOT NULL, updated_at timestamptz NOT NULL);
  CREATE INDEX ON customers (updated_at); CREATE INDEX ON products (updated_at);
  CREATE INDEX ON orders (updated_at); CREATE INDEX ON order_items (updated_at);`;

const { customers, products, orders, order_items: items } = planted.rows;
const { childId, parentId } = planted.waiting;

// Generated in SQLite itself (recursive CTEs), so the fixture stays a few lines of SQL.
const SQLITE = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, updated_at DATETIME NOT NULL);
  CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL, updated_at DATETIME NOT NULL);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), total DECIMAL(12,2) NOT NULL, updated_at DATETIME NOT NULL);
  CREATE TABLE order_items (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id), product_id INTEGER NOT NULL REFERENCES products(id),
    quantity INTEGER NOT NULL, updated_at DATETIME NOT NULL);
  CREATE INDEX customers_updated ON customers (updated_at); CREATE INDEX products_updated ON products (updated_at);
  CREATE INDEX orders_updated ON orders (updated_at); CREATE INDEX order_items_updated ON order_items (updated_at);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${customers})
    INSERT INTO customers SELECT i, 'Customer ' || i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'c' || i || '@example.com' END,
      strftime('%Y-%m-%dT%H:%M:%fZ', '2025-11-01', '+' || i || ' minutes') FROM n;
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${products})
    INSERT INTO products SELECT i, 'Product ' || i, (i * 37 % 2000 + 99) / 100.0, strftime('%Y-%m-%dT%H:%M:%fZ', '2025-11-01', '+' || i || ' minutes') FROM n;
  PRAGMA foreign_keys = OFF;
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${orders})
    INSERT INTO orders SELECT i, CASE WHEN i = ${childId} THEN ${parentId} ELSE 1 + i % ${customers} END, printf('%.2f', (i * 53 % 9000) / 100.0),
      strftime('%Y-%m-%dT%H:%M:%fZ', '2025-11-02', '+' || i || ' seconds') FROM n;
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${items})
    INSERT INTO order_items SELECT i, CASE WHEN 1 + i % ${orders} = ${childId} THEN 1 ELSE 1 + i % ${orders} END, 1 + i % ${products}, 1 + i % 4,
      strftime('%Y-%m-%dT%H:%M:%fZ', '2025-11-02', '+' || i || ' seconds') FROM n;`;

/**
 * A fresh pair (own PostgreSQL database, own SQLite file in a temp folder); cleanup() drops both.
 * `database` names the PostgreSQL database exactly (the README capture shows it), else it is random.
 */
export function createTuiPair(opts: { database?: string } = {}): Promise<ReplicationPair> {
  return createReplicationPair(PG, SQLITE, opts);
}
