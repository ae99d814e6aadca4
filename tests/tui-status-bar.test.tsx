/**
 * The status bar: a user reads both connections (password masked) and their state, the
 * direction, run state and elapsed time, the overall rate, the error/warning/waiting/
 * rejected counts, and the keys that work in the focused area, on one line of any width.
 */
import { describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { StatusBar } from '../src/tui/areas/status-bar.js';
import { ThemeContext, createTheme } from '../src/tui/theme.js';
import type { TuiSnapshot } from '../src/tui/state/tui-snapshot.js';
import { tuiSnapshotFixture } from './harness/tui-snapshot.js';
import { formatClock } from '../src/tui/format/duration.js';

const elapsed = formatClock(tuiSnapshotFixture().run.elapsedMs);

function bar(snapshot: TuiSnapshot, focused: 'explorer' | 'editor' | 'panel', width: number): string {
  const r = render(
    <ThemeContext.Provider value={createTheme(false)}>
      <StatusBar snapshot={snapshot} focused={focused} width={width} />
    </ThemeContext.Provider>,
  );
  const frame = r.lastFrame() ?? '';
  r.unmount();
  return frame;
}

describe('status bar', () => {
  it('shows both connections, the run, its rate and the counts on one line', () => {
    const line = bar(tuiSnapshotFixture(), 'explorer', 200);
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain('sqlite terminal.db ●');
    expect(line).toContain('pg postgres://app:***@localhost:5432/shop ●');
    expect(line).toContain(`sqlite→pg running ${elapsed}`);
    expect(line).toContain('41.2k rows/s');
    expect(line).toMatch(/✗1 !3 ◷1 ⊘1/);
  });

  it('hints the keys of the focused area, from the key table', () => {
    expect(bar(tuiSnapshotFixture(), 'explorer', 200)).toMatch(/\/ filter.*Enter open.*Ctrl\+P palette.*\? help/);
    const editor = bar(tuiSnapshotFixture(), 'editor', 200);
    expect(editor).not.toContain('/ filter');
    expect(editor).toContain('Ctrl+P palette');
    expect(editor).toContain('q quit');
  });

  it('fits 80 columns: connections shrink first, the run, rate and every count stay', () => {
    const s = tuiSnapshotFixture();
    s.connections.postgres.label = 'postgres://replicate@127.0.0.1:41231/central_terminal_7';
    const line = bar(s, 'panel', 80);
    expect(Array.from(line).length).toBeLessThanOrEqual(80);
    expect(line).toContain(`sqlite→pg running ${elapsed} │ 41.2k rows/s │ ✗1 !3 ◷1 ⊘1`);
    // the labels keep their ends: the file name and the database name
    expect(line).toMatch(/^…?\S*\.db ● │ …\S*_7 ● │ /);
  });

  it('says when a connection failed and when nothing runs', () => {
    const s = tuiSnapshotFixture();
    s.connections.postgres = { label: 'postgres://app@db:5432/shop', state: 'failed', error: 'connection refused' };
    s.run = { ...s.run, state: 'idle', direction: null, startedAt: null };
    const line = bar(s, 'explorer', 160);
    expect(line).toContain('pg postgres://app@db:5432/shop ✗');
    expect(line).toContain('│ idle │');
    expect(line).not.toContain('rows/s');
  });
});
