/**
 * The Problems panel: a user finds every row that did not land and why, with the exact
 * child key and parent key of a row waiting on its parent, and opens its table with Enter.
 */
import { describe, expect, it } from 'vitest';
import { PanelArea } from '../src/tui/areas/panel-area.js';
import type { EditorTab } from '../src/tui/areas/editor-area.js';
import type { TuiSnapshot } from '../src/tui/state/tui-snapshot.js';
import { tuiSnapshotFixture, withOwedConstraints } from './harness/tui-snapshot.js';
import { KEYS, expectWithin, renderTui } from './harness/tui-render.js';

function problems(snapshot: TuiSnapshot = tuiSnapshotFixture(), width = 100, height = 10) {
  const opened: [string, EditorTab][] = [];
  const r = renderTui(<PanelArea snapshot={snapshot} tab="problems" focused width={width} height={height} onOpenProblem={(t, tab) => opened.push([t, tab])} />);
  return { ...r, opened };
}

describe('panel: Problems', () => {
  it('lists the waiting row under its table and missing parent, with child key, FK column, parent key and wait', () => {
    const { lines } = problems();
    expect(lines()[0]).toMatch(/^\[Problems 3\]\s+Output/);
    expect(lines()[1]).toMatch(/◷ orders ← customers \{"id":999\} missing: 1 row waits/);
    expect(lines()[2]).toMatch(/child orders \{"id":17\} customer_id → parent customers \{"id":999\}  waited 2m, 3 tries/);
  });

  it('lists every reject with its reason and every drift error', () => {
    const { frame } = problems();
    expect(frame()).toContain('✗ order_items: 1 rejected');
    expect(frame()).toContain('order_items {"id":5} qty: null value in column "qty" violates not-null constraint [23502]  1m ago');
    expect(frame()).toContain('!! drift errors: 1');
    expect(frame()).toContain('orders.status missing_column (sqlite): NOT NULL in PostgreSQL without a default');
  });

  it('Enter opens the table of the problem: Data for rows, Schema for drift', async () => {
    const r = problems();
    await r.press('j', KEYS.enter);
    expect(r.opened).toEqual([['orders', 'data']]);
    await r.press('G', KEYS.enter);
    expect(r.opened.at(-1)).toEqual(['orders', 'schema']);
    await r.press('k', 'k', 'k', KEYS.enter);
    expect(r.opened.at(-1)).toEqual(['order_items', 'data']);
  });

  it('says when more rows wait than are listed, and scrolls a long list within its height', async () => {
    const base = tuiSnapshotFixture();
    const many: TuiSnapshot = {
      ...base,
      counts: { ...base.counts, waiting: 5000 },
      tables: base.tables.map((t) =>
        t.name === 'orders'
          ? { ...t, waiting: Array.from({ length: 30 }, (_, i) => ({ ...t.waiting[0]!, rowKey: `{"id":${100 + i}}`, parentKey: `{"id":${900 + (i % 3)}}` })) }
          : t,
      ),
    };
    const r = problems(many, 80, 8);
    expectWithin(r.frame(), 80, 8);
    expect(r.lines()[0]).toMatch(/1-7\/\d+$/);
    expect(r.frame()).toContain('orders ← customers {"id":900} missing: 10 rows wait');
    await r.press('G');
    expect(r.frame()).toContain('… 4,970 more waiting not listed');
  });

  it('a long reason scrolls sideways into view with l/→ and back with h/←', async () => {
    const r = problems(tuiSnapshotFixture(), 50, 10);
    const reject = (): string => r.lines().find((l) => l.includes('{"id":5}') || l.includes('violates') || l.includes('23502')) ?? '';
    expect(reject()).not.toContain('[23502]');
    await r.press('l', KEYS.right, 'l', 'l', 'l', 'l', 'l', 'l');
    expect(reject()).toContain('[23502]  1m ago');
    expect(r.lines()[0]).toMatch(/→\d+$/);
    await r.press('h', KEYS.left, 'h', 'h', 'h', 'h', 'h', 'h', 'h', 'h');
    expect(reject()).toContain('{"id":5} qty: null value');
    expectWithin(r.frame(), 50, 10);
  });

  it('lists the foreign keys and indexes a cut-off --create-missing run still owes, counted, and Enter opens their table', async () => {
    const r = problems(withOwedConstraints(tuiSnapshotFixture()), 110, 14);
    expect(r.lines()[0]).toMatch(/^\[Problems 5\]/);
    expect(r.frame()).toContain('+ order_items: 2 owed since --create-missing, added by the next sqlite-to-pg run');
    expect(r.frame()).toContain('order_items foreign key order_items_order_id_fkey (order_id) -> orders (id)  owed for 5m');
    expect(r.frame()).toContain('order_items index order_items_sku_idx (warehouse, picked_by)  owed for 5m');
    const at = r.lines().findIndex((l) => l.includes('+ order_items: 2 owed'));
    await r.press(...Array<string>(at - 1).fill('j'), KEYS.enter);
    expect(r.opened).toEqual([['order_items', 'data']]);
  });

  it('says so when there are no problems', () => {
    const base = tuiSnapshotFixture();
    const clean: TuiSnapshot = { ...base, counts: { errors: 0, warnings: 0, waiting: 0, rejected: 0 }, tables: base.tables.map((t) => ({ ...t, waiting: [], rejected: [], findings: [] })) };
    const { frame } = problems(clean);
    expect(frame()).toContain('[Problems 0]');
    expect(frame()).toContain('✓ no problems');
  });
});
