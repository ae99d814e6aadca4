/**
 * The incremental case's edit: the app touches a fraction of orders and order lines
 * (a new value and a later `updated_at`), as a day of refunds and corrections would.
 */
import Database from 'better-sqlite3';

export interface ChangedRows {
  orders: number;
  order_items: number;
  total: number;
}

/** Updates every (1/fraction)-th row of orders and order_items; returns how many rows changed. */
export function changeFraction(sqlitePath: string, fraction: number): ChangedRows {
  const every = Math.max(1, Math.round(1 / fraction));
  // Later than anything the generator wrote (2024), spread over a day.
  const stamp = "strftime('%Y-%m-%dT%H:%M:%fZ', '2025-06-01T00:00:00.000Z', '+' || (rowid % 86400) || ' seconds')";
  const db = new Database(sqlitePath);
  try {
    return db.transaction(() => {
      const orders = db.prepare(`UPDATE orders SET notes = 'corrected after audit', updated_at = ${stamp} WHERE rowid % ? = 0`).run(every).changes;
      const items = db.prepare(`UPDATE order_items SET quantity = quantity + 1, updated_at = ${stamp} WHERE id % ? = 0`).run(every).changes;
      return { orders, order_items: items, total: orders + items };
    })();
  } finally {
    db.close();
  }
}
