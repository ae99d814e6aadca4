/**
 * The Progress tab: while a run goes, a user sees the whole run and every table with a bar,
 * rows done/total, rows/s, elapsed and ETA, the open table highlighted; it fits 80x24.
 */
import { describe, expect, it } from 'vitest';
import { EditorArea } from '../src/tui/areas/editor-area.js';
import { tuiSnapshotFixture } from './harness/tui-snapshot.js';
import { expectWithin, renderTui } from './harness/tui-render.js';
import type { TuiSnapshot } from '../src/tui/state/tui-snapshot.js';

const progress = (snapshot: TuiSnapshot, table: string | null, width = 100, height = 12) =>
  renderTui(<EditorArea snapshot={snapshot} table={table} tab="progress" focused width={width} height={height} />);

describe('editor: Progress tab', () => {
  it('shows the overall run and each table in FK order with done/total, rate, elapsed and ETA', () => {
    const { lines } = progress(tuiSnapshotFixture(), 'order_items');
    expect(lines()[1]).toBe('Run SQLite → PostgreSQL (incremental) running  05:50');
    expect(lines()[2]).toMatch(/█+░+ 14\.5M\/26\.5M 54%  41\.2k rows\/s  ETA 4m 51s/);
    const names = lines().slice(3, 8).map((l) => /^..\s(\S+)/.exec(l)?.[1]);
    expect(names).toEqual(['customers', 'products', 'orders', 'order_items', 'audit_log']);
    const items = lines()[6] ?? '';
    expect(items.startsWith('›')).toBe(true); // the open table
    expect(items).toMatch(/8M\/20M\s+40%\s+41\.2k\/s\s+ETA 4m 51s\s+3m 14s ✗1/);
    expect(lines()[5]).toMatch(/5M\/5M\s+100%\s+41\.3k\/s\s+2m 01s ◷1/);
    expect(lines()[7]).toMatch(/0\/\? queued/);
  });

  it('counts are exact while they are short, compact when they are long', () => {
    const snapshot = tuiSnapshotFixture();
    const small: TuiSnapshot = { ...snapshot, tables: snapshot.tables.map((t) => (t.name === 'orders' && t.progress ? { ...t, progress: { ...t.progress, state: 'running', done: 3042, total: 5000 } } : t)) };
    const { lines } = progress(small, null);
    expect(lines()[5]).toMatch(/ 3,042\/5,000 /);
    expect(lines()[6]).toMatch(/ 8M\/20M /);
  });

  it('works with no table open and before any run, saying how to start one', () => {
    const snapshot = tuiSnapshotFixture();
    const idle: TuiSnapshot = { ...snapshot, run: { ...snapshot.run, state: 'idle', direction: null, startedAt: null, elapsedMs: 0 }, tables: snapshot.tables.map((t) => ({ ...t, progress: null })) };
    const { frame } = progress(idle, null);
    expect(frame()).toContain('Run idle');
    expect(frame()).toContain('no run yet: r runs SQLite → PostgreSQL');
    expect(frame()).toMatch(/customers\s+not in this run/);
  });

  it('an incremental run that found nothing new in a table shows it done and full, not 0% of the table', () => {
    const snapshot = tuiSnapshotFixture();
    const quiet: TuiSnapshot = {
      ...snapshot,
      tables: snapshot.tables.map((t) => (t.name === 'customers' && t.progress ? { ...t, progress: { ...t.progress, state: 'done', done: 0, total: 17, rowsPerSecond: 0 } } : t)),
    };
    const { lines } = progress(quiet, null);
    const customers = lines().find((l) => l.includes('customers')) ?? '';
    expect(customers).toMatch(/✓ customers\s+█+\s+0\/0\s+100%/);
    expect(customers).not.toContain('░');
    expect(customers).not.toContain('0/17');
  });

  it('an unknown estimate shows the rows read so far, not "of 0"', () => {
    const snapshot = tuiSnapshotFixture();
    const unknown: TuiSnapshot = { ...snapshot, run: { ...snapshot.run, totalEstimated: 0, totalRead: 12_400 } };
    const { lines } = progress(unknown, null);
    expect(lines()[2]).toMatch(/ 12\.4k {2}41\.2k rows\/s/);
    expect(lines()[2]).not.toContain('/0');
  });

  it('shows a failed table with its error, and the dry-run plan after the tables', () => {
    const snapshot = tuiSnapshotFixture();
    const failed: TuiSnapshot = {
      ...snapshot,
      run: { ...snapshot.run, state: 'failed', planText: 'plan: sqlite-to-pg\n  1. customers (incremental)' },
      tables: snapshot.tables.map((t) => (t.name === 'orders' && t.progress ? { ...t, progress: { ...t.progress, state: 'failed', error: 'connection lost' } } : t)),
    };
    const { frame } = progress(failed, null, 100, 14);
    expect(frame()).toMatch(/✗ orders\s+failed: connection lost/);
    expect(frame()).toContain('Dry-run plan (nothing written):');
    expect(frame()).toContain('1. customers (incremental)');
  });

  it('stays inside 56x10 (80x24 with the explorer and panel shown) with many tables, scrolling to the open one', () => {
    const { frame } = progress(tuiSnapshotFixture({ extraTables: 30 }), 'extra_020', 56, 10);
    expectWithin(frame(), 56, 10);
    expect(frame()).toContain('extra_020');
    expect(frame()).toMatch(/\d+-\d+\/37/);
  });
});
