/**
 * The Mapping tab: a user reads the table's mapping as the tool reads it, and where it
 * comes from (the file, or the generated default), scrolling through it.
 */
import { describe, expect, it } from 'vitest';
import { EditorArea } from '../src/tui/areas/editor-area.js';
import { tuiSnapshotFixture } from './harness/tui-snapshot.js';
import { KEYS, expectWithin, renderTui } from './harness/tui-render.js';

const mapping = (table: string, width = 80, height = 12) =>
  renderTui(<EditorArea snapshot={tuiSnapshotFixture()} table={table} tab="mapping" focused width={width} height={height} />);

describe('editor: Mapping tab', () => {
  it('names the mapping file the tool reads, or says the mapping is the generated default', () => {
    expect(mapping('orders').lines()[1]).toBe('source: mappings/orders.yaml');
    expect(mapping('customers').lines()[1]).toMatch(/^source: generated default \(no mapping file/);
  });

  it('shows the YAML and scrolls down to the foreign keys, cursor and policy', async () => {
    const r = mapping('orders');
    expect(r.frame()).toContain('version: 1');
    expect(r.frame()).not.toContain('conflict: latest-wins');
    expect(r.lines().at(-1)).toMatch(/^1-10\/\d+ /);
    await r.press('G');
    expect(r.frame()).toContain('conflict: latest-wins');
    expect(r.frame()).toContain('priority: 100');
    await r.press('g');
    // line by line down to the foreign keys
    let presses = 0;
    while (!r.frame().includes('references: customers') && presses < 60) {
      await r.press('j');
      presses++;
    }
    expect(r.frame()).toContain('- { columns: [ customer_id ], references: customers, ref_columns: [ id ] }');
    expect(presses).toBeGreaterThan(10);
    expect(r.lines().at(-1)).toMatch(new RegExp(`^${presses + 1}-${presses + 10}/`));
    await r.press(KEYS.pageUp); // a page is the view's height less one line of overlap
    expect(r.lines().at(-1)).toMatch(new RegExp(`^${presses + 1 - 9}-`));
    await r.press(KEYS.pageUp, KEYS.pageUp, KEYS.pageUp, KEYS.pageUp);
    expect(r.frame()).toContain('version: 1');
    expectWithin(r.frame(), 80, 12);
  });

  it('keeps long YAML lines within a narrow box', () => {
    const r = mapping('orders', 40, 8);
    expectWithin(r.frame(), 40, 8);
    expect(r.frame()).toContain('…');
  });
});
