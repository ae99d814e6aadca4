/**
 * The explorer: a user sees every table in FK order with its badges, narrows the list by
 * typing a filter, moves with j/k/arrows/g/G and opens a table with Enter.
 */
import { describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { Explorer, type ExplorerProps } from '../src/tui/areas/explorer.js';
import { ThemeContext, createTheme } from '../src/tui/theme.js';
import { tuiSnapshotFixture } from './harness/tui-snapshot.js';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 100));

function explorer(over: Partial<ExplorerProps> = {}) {
  const opened: string[] = [];
  const capturing: boolean[] = [];
  const props: ExplorerProps = {
    tables: tuiSnapshotFixture().tables,
    current: null,
    focused: true,
    width: 28,
    height: 10,
    onOpen: (t) => opened.push(t),
    onCaptureInput: (c) => capturing.push(c),
    ...over,
  };
  const r = render(
    <ThemeContext.Provider value={createTheme(false)}>
      <Explorer {...props} />
    </ThemeContext.Provider>,
  );
  return { ...r, opened, capturing, frame: (): string => r.lastFrame() ?? '' };
}

const lines = (frame: string): string[] => frame.split('\n');

describe('explorer', () => {
  it('lists every table in FK order with badges a user can read without colour', () => {
    const { frame } = explorer();
    const names = lines(frame()).slice(1).map((l) => /^[›●\s]*(\S+)/.exec(l)?.[1]);
    expect(names.filter(Boolean)).toEqual(['customers', 'products', 'orders', 'order_items', 'audit_log']);
    const orders = lines(frame()).find((l) => l.includes('orders') && !l.includes('order_items')) ?? '';
    expect(orders).toContain('◷1'); // one row waiting on its parent
    expect(orders).toContain('!!1'); // one drift error
    const items = lines(frame()).find((l) => l.includes('order_items')) ?? '';
    expect(items).toMatch(/40%/);
    expect(items).toContain('✗1');
    expect(lines(frame()).find((l) => l.includes('customers'))).toContain('✓');
    expect(frame()).toMatch(/^TABLES 5/);
  });

  it('"/" filters the list as the user types; Backspace widens it, Esc clears it', async () => {
    const { stdin, frame, capturing } = explorer();
    await tick(); // input is read once the component has mounted
    stdin.write('/');
    await tick();
    expect(capturing.at(-1)).toBe(true);
    for (const c of 'item') stdin.write(c);
    await tick();
    expect(frame()).toContain('order_items');
    expect(frame()).not.toContain('customers');
    expect(frame()).toContain('TABLES 1/5');
    expect(frame()).toContain('/item');
    for (let i = 0; i < 4; i++) stdin.write('\u007f');
    stdin.write('ord');
    await tick();
    expect(frame()).toContain('TABLES 2/5');
    stdin.write('\r'); // Enter ends typing and keeps the filter
    await tick();
    expect(capturing.at(-1)).toBe(false);
    expect(frame()).toContain('TABLES 2/5');
    stdin.write('\u001B'); // Esc clears it
    await tick();
    expect(frame()).toContain('TABLES 5');
    expect(frame()).toContain('customers');
  });

  it('gives the keys back when focus leaves while the filter is being typed', async () => {
    const r = explorer();
    await tick();
    r.stdin.write('/');
    r.stdin.write('c');
    await tick();
    expect(r.capturing.at(-1)).toBe(true);
    const props: ExplorerProps = { tables: tuiSnapshotFixture().tables, current: null, focused: false, width: 28, height: 10, onOpen: () => {}, onCaptureInput: (c) => r.capturing.push(c) };
    r.rerender(
      <ThemeContext.Provider value={createTheme(false)}>
        <Explorer {...props} />
      </ThemeContext.Provider>,
    );
    await tick();
    expect(r.capturing.at(-1)).toBe(false);
    expect(r.frame()).toContain('/c  (Esc clears)');
  });

  it('moves with j/k, arrows, g/G and opens the selected table with Enter', async () => {
    const { stdin, frame, opened } = explorer();
    await tick();
    const selected = (): string => lines(frame()).find((l) => l.startsWith('›')) ?? '';
    expect(selected()).toContain('customers');
    stdin.write('j');
    await tick();
    stdin.write('\u001B[B');
    await tick();
    expect(selected()).toContain('orders');
    stdin.write('\r');
    await tick();
    expect(opened).toEqual(['orders']);
    stdin.write('G');
    await tick();
    expect(selected()).toContain('audit_log');
    stdin.write('k');
    await tick();
    expect(selected()).toContain('order_items');
    stdin.write('g');
    await tick();
    expect(selected()).toContain('customers');
  });

  it('scrolls a long list within its height and shows where it is', async () => {
    const { stdin, frame } = explorer({ tables: tuiSnapshotFixture({ extraTables: 40 }).tables, height: 8 });
    await tick();
    expect(lines(frame())).toHaveLength(8);
    expect(lines(frame())[0]).toContain('1-7/45');
    stdin.write('G');
    await tick();
    expect(lines(frame())[0]).toContain('39-45/45');
    expect(frame()).toContain('extra_040');
    expect(frame()).not.toContain('customers');
  });

  it('marks the table open in the editor and never draws wider or taller than its box', () => {
    const { frame } = explorer({ current: 'orders', width: 16, height: 4 });
    expect(lines(frame()).find((l) => l.includes('●'))).toContain('orders');
    expect(lines(frame()).length).toBeLessThanOrEqual(4);
    for (const l of lines(frame())) expect(Array.from(l).length).toBeLessThanOrEqual(16);
  });
});
