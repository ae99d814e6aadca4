/**
 * The command palette: a user presses Ctrl+P, types a few letters of a command, sees
 * every matching command with its key, and runs it with Enter; "Open table…" lists the
 * tables; Esc closes. `?` help lists the same key table.
 */
import { describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { CommandPalette, paletteCommands } from '../src/tui/overlays/command-palette.js';
import { Help, helpLines } from '../src/tui/overlays/help.js';
import { fuzzyFilter, fuzzyMatch } from '../src/tui/fuzzy-match.js';
import { keyBindings, type CommandId } from '../src/tui/keys/key-bindings.js';
import { ThemeContext, createTheme } from '../src/tui/theme.js';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 100));
const TABLES = ['customers', 'products', 'orders', 'order_items', 'audit_log'];

function palette() {
  const ran: CommandId[] = [];
  const opened: string[] = [];
  let closed = 0;
  const r = render(
    <ThemeContext.Provider value={createTheme(false)}>
      <CommandPalette tables={TABLES} width={70} height={20} onRun={(c) => ran.push(c)} onOpenTable={(t) => opened.push(t)} onClose={() => closed++} />
    </ThemeContext.Provider>,
  );
  const type = async (text: string): Promise<void> => {
    for (const ch of text) {
      r.stdin.write(ch);
      await tick();
    }
  };
  return { ...r, ran, opened, closed: () => closed, type, frame: () => r.lastFrame() ?? '' };
}

describe('command palette', () => {
  it('lists every palette command with its key', () => {
    const p = palette();
    const commands = paletteCommands();
    expect(commands.map((c) => c.id)).toEqual(keyBindings.filter((b) => b.inPalette).map((b) => b.command));
    expect(p.frame()).toMatch(/Help: every command and its key\s+\?/);
    expect(p.frame()).toMatch(/Run: SQLite → PostgreSQL \(incremental\)\s+r/);
    expect(p.frame().split('\n').length).toBeLessThanOrEqual(20);
  });

  it('finds a command from a few letters and runs it with Enter', async () => {
    const p = palette();
    await p.type('verify');
    expect(p.frame()).toMatch(/› Verify schemas\s+v/);
    p.stdin.write('\r');
    await tick();
    expect(p.ran).toEqual(['verify']);
  });

  it('runs the command when the last letters and Enter arrive in one chunk (fast typing, a paste)', async () => {
    const p = palette();
    p.stdin.write('fix\r');
    await tick();
    expect(p.ran).toEqual(['fix-script.write']);
  });

  it('moves the choice with the arrows', async () => {
    const p = palette();
    await p.type('run');
    p.stdin.write('\u001B[B');
    await tick();
    p.stdin.write('\r');
    await tick();
    expect(p.ran).toHaveLength(1);
    expect(p.ran[0]).toMatch(/^run\./);
    expect(p.ran[0]).not.toBe('run.sqlite-to-pg');
  });

  it('opens a table through "Open table…"', async () => {
    const p = palette();
    await p.type('open table');
    p.stdin.write('\r');
    await tick();
    expect(p.frame()).toContain('Open table');
    expect(p.frame()).toContain('audit_log');
    await p.type('oit');
    expect(p.frame()).toMatch(/› order_items/);
    p.stdin.write('\r');
    await tick();
    expect(p.opened).toEqual(['order_items']);
    expect(p.ran).toEqual([]);
  });

  it('says when nothing matches, and Esc closes', async () => {
    const p = palette();
    await p.type('zzzz');
    expect(p.frame()).toContain('no command matches');
    p.stdin.write('\u001B');
    await tick();
    expect(p.closed()).toBe(1);
  });
});

describe('fuzzy matching', () => {
  it('prefers word starts and adjacent letters', () => {
    const titles = keyBindings.filter((b) => b.inPalette).map((b) => b.title);
    expect(fuzzyFilter(titles, 'rsp', (t) => t)[0]?.item).toMatch(/^Run: SQLite → PostgreSQL/);
    expect(fuzzyFilter(titles, 'rsp inc', (t) => t)[0]?.item).toBe('Run: SQLite → PostgreSQL (incremental)');
    // equal matches keep the key table's order: the everyday incremental run before the full copy
    expect(fuzzyFilter(titles, 'run sqlite', (t) => t)[0]?.item).toBe('Run: SQLite → PostgreSQL (incremental)');
    expect(fuzzyFilter(titles, 'run sqlite full', (t) => t)[0]?.item).toBe('Run: SQLite → PostgreSQL (full)');
    expect(fuzzyFilter(titles, 'fix', (t) => t)[0]?.item).toBe('Write fix script for SQLite');
    expect(fuzzyMatch('xyz', 'Verify schemas')).toBeNull();
    expect(fuzzyMatch('VS', 'Verify schemas')?.positions).toEqual([0, 7]);
  });
});

describe('help', () => {
  it('lists every key binding, grouped by where it applies, and scrolls', async () => {
    expect(helpLines().filter((l) => !l.heading && l.text !== '')).toHaveLength(keyBindings.length);
    const r = render(
      <ThemeContext.Provider value={createTheme(false)}>
        <Help width={70} height={12} onClose={() => undefined} />
      </ThemeContext.Provider>,
    );
    expect(r.lastFrame()).toContain('Everywhere');
    expect(r.lastFrame()).toMatch(/Ctrl\+P \/ :\s+Command palette/);
    expect(r.lastFrame()).not.toContain('Page down');
    r.stdin.write('G');
    await tick();
    expect(r.lastFrame()).toContain('Page down');
    expect((r.lastFrame() ?? '').split('\n').length).toBeLessThanOrEqual(12);
  });
});
