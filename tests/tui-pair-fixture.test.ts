/**
 * The TUI's sample pair plants what the real-terminal story looks for: one order whose
 * customer exists nowhere (it waits in the skip ledger with its exact keys, every other
 * row lands) and a price column that drifts (REAL in SQLite, numeric(10,2) in PostgreSQL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './harness/cli.js';
import type { ReplicationPair } from './harness/replication.js';
import { createTuiPair, planted } from './harness/tui-pair.js';

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createTuiPair();
});
afterAll(() => pair.cleanup());

describe('the TUI sample pair', () => {
  it('drifts: verify warns that the price is REAL in SQLite and numeric(10,2) in PostgreSQL', async () => {
    const r = await runCli(['verify', ...pair.flags, '--json'], { cwd: pair.dir.path });
    const report = JSON.parse(r.stdout) as { issues: { table: string; column: string | null; severity: string; kind: string; detail: string }[] };
    const { drift } = planted;
    const found = report.issues.filter((f) => f.table === drift.table && f.column === drift.column);
    expect(found).toEqual([expect.objectContaining({ severity: drift.severity, kind: 'type_mismatch', detail: expect.stringContaining(`SQLite ${drift.sqliteType} vs PostgreSQL ${drift.pgType}`) })]);
    expect(report.issues.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('replicates every row but the planted order, which waits for its missing customer', async () => {
    const r = await pair.run('sqlite-to-pg');
    expect(r.code).toBe(3);
    const { rows, waiting } = planted;
    expect(Object.fromEntries(r.json.tables.map((t) => [t.name, [t.written, t.skipped]]))).toEqual({
      customers: [rows.customers, 0],
      products: [rows.products, 0],
      orders: [rows.orders - 1, 1],
      order_items: [rows.order_items, 0],
    });
    const ledger = await pair.db.query<{ table_name: string; row_key: string; parent_table: string; parent_key: string }>('SELECT * FROM replicate.skipped_rows');
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ parent_table: waiting.parentTable });
    expect(ledger[0]?.row_key).toContain(String(waiting.childId));
    expect(ledger[0]?.parent_key).toContain(String(waiting.parentId));
  });
});
