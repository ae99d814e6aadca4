/**
 * The TUI shell as a user drives it: keys from the key table reach the commands, the
 * palette and help open and close, Tab moves focus (the status bar's hints follow), quitting
 * during a run asks first and stops the run safely, and no frame is taller or wider than
 * the terminal, at 80x24 and larger.
 */
import { describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { App, type SnapshotSource, type TuiActions } from '../src/tui/app.js';
import { ThemeContext, createTheme } from '../src/tui/theme.js';
import type { TuiSnapshot } from '../src/tui/state/tui-snapshot.js';
import { tuiSnapshotFixture } from './harness/tui-snapshot.js';

const tick = (ms = 100): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** records what the shell asks for; a run "goes" until stop() is called */
function recordingActions(running = false) {
  const calls: string[] = [];
  let isRunning = running;
  const done = async (name: string): Promise<void> => void calls.push(name);
  const actions: TuiActions = {
    run: (d, full) => done(`run ${d}${full ? ' full' : ''}`),
    dryRun: (d) => done(`dry-run ${d}`),
    verify: () => done('verify'),
    regenerateMappings: () => done('map'),
    writeFixScript: () => done('fix-script'),
    retryWaiting: () => done('retry'),
    resetTable: (t) => done(`reset ${t}`),
    stop: async () => {
      calls.push('stop');
      await tick(20);
      isRunning = false;
    },
    running: () => isRunning,
    busy: () => (isRunning ? 'run' : null),
  };
  return { actions, calls };
}

function staticSource(snapshot: TuiSnapshot): SnapshotSource {
  return { getSnapshot: () => snapshot, subscribe: () => () => undefined };
}

function app(opts: { running?: boolean; size?: { columns: number; rows: number }; snapshot?: TuiSnapshot } = {}) {
  const { actions, calls } = recordingActions(opts.running ?? false);
  let quits = 0;
  const size = opts.size ?? { columns: 100, rows: 30 };
  const r = render(
    <ThemeContext.Provider value={createTheme(false)}>
      <App source={staticSource(opts.snapshot ?? tuiSnapshotFixture())} actions={actions} size={size} onQuit={() => quits++} />
    </ThemeContext.Provider>,
  );
  const press = async (...keys: string[]): Promise<void> => {
    for (const k of keys) {
      r.stdin.write(k);
      await tick();
    }
  };
  /** waits (up to 2 s) for the frame to show or stop showing a text: renders are slower on a busy machine */
  const until = async (text: string, shown = true): Promise<void> => {
    for (let i = 0; i < 100 && (r.lastFrame() ?? '').includes(text) !== shown; i++) await tick(20);
    // the newly shown overlay registers its key listener just after it is drawn
    await tick();
  };
  const openPalette = async (): Promise<void> => {
    await press('\u0010');
    await until('Command palette');
  };
  return { ...r, calls, quits: () => quits, press, until, openPalette, frame: () => r.lastFrame() ?? '' };
}

const statusLine = (frame: string): string => frame.split('\n').at(-1) ?? '';

describe('the TUI shell', () => {
  it('keys from the key table start commands in the background', async () => {
    const a = app();
    await a.press('r', 'R', 'v', 'd');
    expect(a.calls).toEqual(['run sqlite-to-pg', 'run pg-to-sqlite', 'verify', 'dry-run sqlite-to-pg']);
  });

  it('letters typed right after : land in the palette query, never run as commands', async () => {
    const a = app();
    // no wait between the keys: the palette has not been drawn when 'v' and 'e' arrive
    a.stdin.write(':');
    a.stdin.write('v');
    a.stdin.write('e');
    await a.until('Command palette');
    expect(a.frame()).toContain('> ve');
    expect(a.calls).toEqual([]);
    await a.press('\u001B');
    await a.until('Command palette', false);
    // `:` and the query in one chunk (a paste)
    a.stdin.write(':verify');
    await a.until('Command palette');
    expect(a.frame()).toContain('> verify');
    await a.press('\r');
    expect(a.calls).toEqual(['verify']);
  });

  it('Ctrl+P opens the palette; a command typed and Enter runs it and closes the palette', async () => {
    const a = app();
    await a.openPalette();
    expect(a.frame()).toContain('Command palette');
    await a.press(...'write fix');
    await a.press('\r');
    expect(a.calls).toEqual(['fix-script']);
    expect(a.frame()).not.toContain('Command palette');
    // while the palette is open, letters are its query, not commands
    await a.press(':');
    await a.until('Command palette');
    await a.press('r', '\u001B');
    await a.until('Command palette', false);
    expect(a.calls).toEqual(['fix-script']);
    expect(a.frame()).not.toContain('Command palette');
  });

  it('the palette runs the commands that have no key: full runs, retry, reset of the open table', async () => {
    const a = app();
    for (const [query, expected] of [
      ['postgresql → sqlite (full', 'run pg-to-sqlite full'],
      ['retry waiting', 'retry'],
      ['regenerate', 'map'],
    ] as const) {
      await a.openPalette();
      await a.press(...query, '\r');
      await a.until('Command palette', false);
      expect(a.calls.at(-1)).toBe(expected);
    }
    await a.openPalette();
    await a.press(...'open table', '\r');
    await a.until('Open table');
    await a.press(...'orders', '\r');
    await a.until('Open table', false);
    await a.openPalette();
    await a.press(...'reset', '\r');
    await a.until('Command palette', false);
    expect(a.calls.at(-1)).toBe('reset orders');
  });

  it('? shows help from the key table; Esc closes it', async () => {
    const a = app();
    await a.press('?');
    await a.until('Toggle explorer');
    expect(a.frame()).toMatch(/Ctrl\+B\s+Toggle explorer/);
    await a.press('\u001B');
    expect(a.frame()).not.toContain('Toggle explorer');
  });

  it('Tab and Shift+Tab cycle the areas, 1 2 3 jump; the hints follow the focus', async () => {
    const a = app();
    expect(statusLine(a.frame())).toContain('/ filter');
    await a.press('\t');
    expect(statusLine(a.frame())).not.toContain('/ filter');
    await a.press('\u001B[Z');
    expect(statusLine(a.frame())).toContain('/ filter');
    await a.press('3');
    expect(statusLine(a.frame())).not.toContain('/ filter');
    await a.press('1');
    expect(statusLine(a.frame())).toContain('/ filter');
  });

  it('Ctrl+B and Ctrl+J hide and show the explorer and the panel', async () => {
    const a = app();
    expect(a.frame()).toContain('TABLES');
    expect(a.frame()).toContain('Problems');
    await a.press('\u0002');
    await a.until('TABLES', false);
    expect(a.frame()).not.toContain('TABLES');
    // Ctrl+J reaches a program as a bare line feed
    await a.press('\n');
    await a.until('Problems', false);
    expect(a.frame()).not.toContain('Problems');
    await a.press('1', '3');
    await a.until('Problems');
    expect(a.frame()).toContain('TABLES');
    expect(a.frame()).toContain('Problems');
  });

  it('q quits at once when nothing runs', async () => {
    const a = app();
    await a.press('q');
    expect(a.quits()).toBe(1);
    expect(a.calls).toEqual([]);
  });

  it('q during a run asks first; n keeps running, Ctrl+C twice stops safely and then quits', async () => {
    const a = app({ running: true });
    await a.press('q');
    await a.until('Stop it safely');
    expect(a.frame()).toContain('A run is going. Stop it safely and quit?');
    await a.press('n');
    expect(a.frame()).not.toContain('Stop it safely');
    expect(a.quits()).toBe(0);
    await a.press('\u0003');
    await a.until('Stop it safely');
    expect(a.frame()).toContain('Stop it safely');
    // a second Ctrl+C answers yes
    await a.press('\u0003');
    expect(a.calls).toEqual(['stop']);
    for (let i = 0; i < 50 && a.quits() === 0; i++) await tick(20);
    expect(a.quits()).toBe(1);
  });

  it('shows the last notice and never draws wider or taller than the terminal', async () => {
    const snapshot = tuiSnapshotFixture({ extraTables: 40, extraOutput: 300 });
    snapshot.notice = { level: 'error', text: 'verify failed: cannot connect to PostgreSQL (postgres://app@db:5432/shop): connection refused' };
    for (const size of [
      { columns: 80, rows: 24 },
      { columns: 100, rows: 30 },
    ]) {
      const a = app({ size, snapshot });
      for (const keys of [[], ['\u0010'], ['\u001B', '?'], ['\u001B', '\u0002'], ['\u0002', '3']]) {
        await a.press(...keys);
        const lines = a.frame().split('\n');
        expect(lines.length).toBeLessThanOrEqual(size.rows);
        for (const l of lines) expect(Array.from(l).length).toBeLessThanOrEqual(size.columns);
      }
      await a.press('\u001B');
      expect(a.frame()).toContain('verify failed: cannot connect to PostgreSQL');
      a.unmount();
    }
  });
});
