/**
 * The Schema tab: a user opens a table and sees its columns side by side, SQLite | PostgreSQL,
 * with canonical types, the drift findings under the column they concern, and the mapping
 * rule that applies (rename, transform, key translation, local-only, generated and skipped).
 */
import { describe, expect, it } from 'vitest';
import { EditorArea } from '../src/tui/areas/editor-area.js';
import { tuiSnapshotFixture } from './harness/tui-snapshot.js';
import { KEYS, expectWithin, renderTui } from './harness/tui-render.js';

const schema = (table: string | null, width = 100, height = 16) =>
  renderTui(<EditorArea snapshot={tuiSnapshotFixture()} table={table} tab="schema" focused width={width} height={height} />);

describe('editor: Schema tab', () => {
  it('pairs each SQLite column with its PostgreSQL column and marks the drift error on it', () => {
    const { lines, frame } = schema('orders');
    expect(lines()[0]).toMatch(/\[Schema\].*orders$/);
    const status = lines().find((l) => l.includes('status text')) ?? '';
    expect(status).toMatch(/^!!status \(missing\)\s+│ status text not null/);
    const under = lines()[lines().indexOf(status) + 1] ?? '';
    expect(under).toContain('error missing_column: NOT NULL in PostgreSQL');
    expect(lines().find((l) => l.includes('total numeric'))).toMatch(/total numeric\(12,2\)\s+│ total numeric\(12,2\)\s+│ decimal-text/);
    expect(lines().find((l) => l.includes('total_with_tax'))).toMatch(/—\s+│ total_with_tax numeric\(12,2\)\s+│ generated: skipped/);
    expect(lines().find((l) => l.startsWith('  customer_id'))).toContain('FK → customers');
    expect(frame()).toContain('timestamp-text, cursor');
  });

  it('shows renames, transforms, warnings, key translation and local-only columns', () => {
    const products = schema('products');
    expect(products.lines().find((l) => l.includes('stock_quantity'))).toMatch(/stock_quantity integer\s+│ master_stock_quantity integer\s+│ rename$/);
    expect(products.lines().find((l) => l.includes('price'))).toMatch(/^! price double\s+│ price numeric\(12,2\)\s+│ decimal-real/);
    expect(products.frame()).toContain('warning type_mismatch: REAL in SQLite, numeric(12,2) in PostgreSQL');
    const customers = schema('customers');
    expect(customers.lines()[1]).toContain('key: SQLite local_id, PostgreSQL id kept in server_id');
    expect(customers.lines().find((l) => l.startsWith('  server_id'))).toMatch(/server_id integer\s+│ id integer not null\s+│ key translation/);
    expect(customers.lines().find((l) => l.includes('sync_status'))).toMatch(/sync_status text\s+│ —\s+│ local-only/);
    expect(customers.lines().find((l) => l.startsWith('  local_id'))).toContain('local-only (SQLite key)');
  });

  it('a table that exists on one side only says so and lists the other side as missing', () => {
    const { frame } = schema('audit_log');
    expect(frame()).toContain('warning missing_table: exists in PostgreSQL only');
    expect(frame()).toMatch(/at \(missing\)\s+│ at timestamptz/);
  });

  it('asks for a table when none is open', () => {
    expect(schema(null).frame()).toContain('open a table from the explorer (Enter)');
  });

  it('fits 56x10 (explorer shown at 80x24) and scrolls to the columns below', async () => {
    const r = schema('order_items', 56, 10);
    expectWithin(r.frame(), 56, 10);
    expect(r.frame()).not.toContain('updated_at');
    expect(r.lines().at(-1)).toMatch(/1-8\/\d+/);
    await r.press('G');
    expect(r.frame()).toContain('updated_at');
    expectWithin(r.frame(), 56, 10);
    await r.press('g', KEYS.pageDown);
    expect(r.lines().at(-1)).toMatch(/^8-/);
  });
});
