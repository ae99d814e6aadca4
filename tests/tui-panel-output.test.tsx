/**
 * The Output panel: a user reads the run log, newest last; it follows new lines until the
 * user scrolls up, and G follows again.
 */
import { describe, expect, it } from 'vitest';
import { PanelArea } from '../src/tui/areas/panel-area.js';
import { ThemeContext, createTheme } from '../src/tui/theme.js';
import type { TuiSnapshot } from '../src/tui/state/tui-snapshot.js';
import { FIXTURE_NOW, tuiSnapshotFixture } from './harness/tui-snapshot.js';
import { KEYS, expectWithin, renderTui, settle } from './harness/tui-render.js';

const panel = (snapshot: TuiSnapshot) => <PanelArea snapshot={snapshot} tab="output" focused width={80} height={6} onOpenProblem={() => {}} />;

describe('panel: Output', () => {
  it('shows the newest lines last, with level marks', () => {
    const { lines } = renderTui(panel(tuiSnapshotFixture()));
    expect(lines()[0]).toMatch(/^ Problems 3 \[Output\]\s+3-7\/7 following$/);
    expect(lines().at(-1)).toMatch(/✗ order_items: row \{"id":5\} rejected: null value/);
    expect(lines().at(-3)).toMatch(/! orders: row \{"id":17\} waits for customers \{"id":999\}/);
  });

  it('a long line scrolls sideways', async () => {
    const r = renderTui(panel(tuiSnapshotFixture()));
    expect(r.lines().at(-1)).not.toContain('not-null constraint');
    await r.press('l', 'l', KEYS.right);
    expect(r.lines().at(-1)).toContain('not-null constraint');
    expect(r.lines()[0]).toMatch(/following →\d+$/);
  });

  it('follows new lines, stops following when scrolled up, and G follows again', async () => {
    const snapshot = tuiSnapshotFixture({ extraOutput: 20 });
    const r = renderTui(panel(snapshot));
    expect(r.lines().at(-1)).toContain('log line 20');
    const more = (n: number): TuiSnapshot => ({ ...snapshot, output: [...snapshot.output, ...Array.from({ length: n }, (_, i) => ({ at: FIXTURE_NOW, level: 'info' as const, text: `new line ${i + 1}` }))] });
    const rerender = (s: TuiSnapshot): void => r.rerender(<ThemeContext.Provider value={createTheme(false)}>{panel(s)}</ThemeContext.Provider>);
    rerender(more(2));
    await settle();
    expect(r.lines().at(-1)).toContain('new line 2'); // following the tail
    await r.press('k', 'k');
    expect(r.lines().at(-1)).toContain('log line 20');
    expect(r.lines()[0]).toContain('(G follows)');
    rerender(more(5));
    await settle();
    expect(r.lines().at(-1)).toContain('log line 20'); // what the user reads stays put
    await r.press('G');
    expect(r.lines().at(-1)).toContain('new line 5');
    expect(r.lines()[0]).toContain('following');
    expectWithin(r.frame(), 80, 6);
  });
});
