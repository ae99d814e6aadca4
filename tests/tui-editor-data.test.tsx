/**
 * The Data tab: a user peeks at the rows of a table that did not land, the row waiting on
 * its parent (key, FK column, parent and its key, how long, attempts, values) and the
 * rejected row with its reason, scrolling a wide row sideways to reach its last column,
 * and the foreign keys and indexes a cut-off `--create-missing` run still owes the table.
 */
import { describe, expect, it } from 'vitest';
import { EditorArea } from '../src/tui/areas/editor-area.js';
import { tuiSnapshotFixture, withOwedConstraints } from './harness/tui-snapshot.js';
import { KEYS, expectWithin, renderTui } from './harness/tui-render.js';

const data = (table: string, width = 100, height = 10) =>
  renderTui(<EditorArea snapshot={tuiSnapshotFixture()} table={table} tab="data" focused width={width} height={height} />);

describe('editor: Data tab', () => {
  it('shows the waiting row with its key, FK column, parent key, wait, attempts and values', () => {
    const { lines } = data('orders');
    expect(lines()[0]).toMatch(/\[Data 1\]\s+orders$/);
    expect(lines()[1]).toContain('Waiting on parents (1)');
    expect(lines()[2]).toMatch(/key\s+fk column\s+parent\s+waited\s+tries\s+id\s+customer_id\s+total/);
    expect(lines()[3]).toMatch(/\{"id":17\}\s+customer_id\s+customers \{"id":999\}\s+2m\s+3\s+17\s+999\s+42\.50/);
  });

  it('shows the rejected row with its reason and scrolls sideways to its last column, keeping the key', async () => {
    const r = data('order_items', 90);
    const row = (): string => r.lines().find((l) => l.includes('{"id":5}')) ?? '';
    expect(row()).toContain('qty     null value in column "qty" violates not-null constraint');
    expect(r.frame()).not.toContain('HAPPY-BIRTHDAY-NORA');
    expect(r.lines().at(-1)).toContain('column 2 of 17');
    for (let i = 0; i < 16; i++) await r.press(i % 2 === 0 ? 'l' : KEYS.right);
    expect(row()).toMatch(/^.\{"id":5\}\s+.*HAPPY-BIRTHDAY-NORA/);
    expect(row()).not.toContain('violates');
    const last = Number(/column (\d+) of 17/.exec(r.lines().at(-1) ?? '')?.[1]);
    expect(last).toBeGreaterThan(5);
    expect(r.lines().find((l) => l.includes('key'))).toMatch(/gift_message\s+updated_at/); // the header scrolls with the rows
    await r.press('h', KEYS.left);
    expect(r.lines().at(-1)).toContain(`column ${last - 2} of 17`);
    expectWithin(r.frame(), 90, 10);
  });

  it('moves between rows and says when a table has nothing waiting or rejected', async () => {
    const r = data('orders');
    expect(r.lines()[1]?.startsWith('›')).toBe(true);
    await r.press('j', 'j');
    expect(r.lines()[3]?.startsWith('›{"id":17}')).toBe(true);
    expect(data('customers').frame()).toContain('✓ no rows of customers are waiting on parents or rejected');
  });

  it('lists what --create-missing still owes the table, and how long it has been owed', () => {
    const r = renderTui(<EditorArea snapshot={withOwedConstraints(tuiSnapshotFixture())} table="order_items" tab="data" focused width={100} height={12} />);
    const title = r.lines().findIndex((l) => l.includes('Owed since --create-missing (2): the next sqlite-to-pg run adds them'));
    expect(title).toBeGreaterThan(0);
    expect(r.lines()[title + 1]).toMatch(/name\s+kind\s+definition\s+owed for/);
    expect(r.lines()[title + 2]).toMatch(/order_items_order_id_fkey\s+foreign key\s+\(order_id\) -> orders \(id\)\s+5m/);
    expect(r.lines()[title + 3]).toMatch(/order_items_sku_idx\s+index\s+\(warehouse, picked_by\)\s+5m/);
    // the rows that did not land are still listed above it
    expect(r.frame()).toContain('Rejected (1)');
    expectWithin(r.frame(), 100, 12);
  });

  it('fits a narrow box', () => {
    const r = data('order_items', 30, 6);
    expectWithin(r.frame(), 30, 6);
  });
});
