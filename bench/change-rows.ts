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

/**
 * Updates every (1/fraction)-th row of orders and order_items; returns how many rows changed.
 * Round n (from 1) picks other rows than the rounds before it (an offset of n - 1) and stamps
 * them a day later than round n - 1's, so every round is a fresh change past the checkpoint.
 */
export function changeFraction(sqlitePath: string, fraction: number, round = 1): ChangedRows {
  const every = Math.max(1, Math.round(1 / fraction));
  const offset = (round - 1) % every;
  // Later than anything the generator wrote (2024), spread over a day.
  const day = `'+${round - 1} days'`;
  const stamp = `strftime('%Y-%m-%dT%H:%M:%fZ', '2025-06-01T00:00:00.000Z', ${day}, '+' || (rowid % 86400) || ' seconds')`;
  const db = new Database(sqlitePath);
  try {
    return db.transaction(() => {
      const orders = db.prepare(`UPDATE orders SET notes = 'corrected after audit', updated_at = ${stamp} WHERE rowid % ? = ?`).run(every, offset).changes;
      const items = db.prepare(`UPDATE order_items SET quantity = quantity + 1, updated_at = ${stamp} WHERE id % ? = ?`).run(every, offset).changes;
      return { orders, order_items: items, total: orders + items };
    })();
  } finally {
    db.close();
  }
}
