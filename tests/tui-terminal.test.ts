/**
 * `replicate tui` in a real terminal (a pseudo-terminal read by a headless xterm), on a
 * pair with a planted missing parent and a drifting column: the user starts a replication
 * from the command palette, watches it run and finish, opens Problems and reads the exact
 * keys of the row that waits for its parent, shrinks the window to 80x24, and quits with
 * the terminal left as it was. The same session writes the README's text capture of the
 * TUI when run by `npm run tui-capture`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BIN } from './harness/cli.js';
import type { ReplicationPair } from './harness/replication.js';
import { keys, spawnTerminal, type PtyTerminal } from './harness/terminal.js';
import { createTuiPair, planted } from './harness/tui-pair.js';

const README = fileURLToPath(new URL('../README.md', import.meta.url));
const CAPTURE_START = '<!-- tui-capture: start (npm run tui-capture rewrites this block) -->';
const CAPTURE_END = '<!-- tui-capture: end -->';
const updateCapture = process.env.TUI_CAPTURE === '1';

let pair: ReplicationPair;
let t: PtyTerminal;
let header = '';

beforeAll(async () => {
  // one database name only this story uses, so the status bar (and the README capture) reads the same every run
  pair = await createTuiPair({ database: 'tui_shop' });
  // colours as a user's terminal has them: the screen text must not depend on them
  // batches of 250 rows (160 of them for the order lines): the run moves in steps frames can show and
  // lasts several frames even on a fast machine (first loads into empty tables are quick)
  // CI=true as in a CI job's shell: Ink alone would then draw nothing until the app quits
  t = spawnTerminal(process.execPath, [BIN, 'tui', ...pair.flags, '--batch-size', '250'], { cols: 100, rows: 30, cwd: pair.dir.path, env: { NO_COLOR: undefined, FORCE_COLOR: undefined, CI: 'true' } });
});
afterAll(async () => {
  t.kill();
  await pair.cleanup();
});

const lines = (): string[] => t.screenLines();
/** The last line with text on it (Ink keeps the terminal's last row for its cursor). */
const lastLine = (): { text: string; row: number } => {
  const all = lines();
  let row = all.length - 1;
  while (row > 0 && (all[row] ?? '').trim() === '') row--;
  return { text: all[row] ?? '', row };
};
const statusBar = (): string => lastLine().text;
const { waiting, drift } = planted;

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The line of the screen that mentions every one of `parts`, or undefined. */
function lineWith(screen: string, ...parts: (string | RegExp)[]): string | undefined {
  return screen.split('\n').find((l) => parts.every((p) => (typeof p === 'string' ? l.includes(p) : p.test(l))));
}

describe('replicate tui in a 100x30 terminal', () => {
  it('opens full screen on the pair: tables in FK order, both connections up, the drift counted', async () => {
    await t.waitFor(() => /sqlite .*●.*pg .*●/.test(statusBar()) && !/loading/i.test(t.screenText()), 'both connections up and loading done', 30_000);
    expect(t.isAlternateScreen()).toBe(true);
    const screen = t.screenText();
    // the frame's first line, which must stay the terminal's first line whatever happens
    header = (lines()[0] ?? '').split(/\s+/)[0] ?? '';
    expect(header, screen).not.toBe('');
    const row = (name: string): number => lines().findIndex((l) => new RegExp(`^\\W*${name}\\b`).test(l));
    for (const name of ['customers', 'orders', 'products', 'order_items']) expect(row(name), `${name} in the explorer\n${screen}`).toBeGreaterThanOrEqual(0);
    expect(row('customers')).toBeLessThan(row('orders'));
    expect(row('orders')).toBeLessThan(row('order_items'));
    expect(row('products')).toBeLessThan(row('order_items'));
    // the drift warning is on the products table's badge and in the status bar's count
    expect(lines()[row(drift.table)]).toMatch(/!1/);
    expect(statusBar()).toMatch(/!1\b/);
  });

  it('runs SQLite → PostgreSQL from the palette and shows the run move and finish', async () => {
    await t.press(keys.ctrl('p'));
    await t.waitForText('Command palette');
    // the first letter once the palette takes keys (one typed the instant it opens can be lost), then the rest
    await t.press('r');
    await t.waitFor((s) => /> r/.test(s), 'the palette to take the first letter', 2_000).catch(async () => {
      await t.press('r');
      await t.waitForText(/> r/);
    });
    await t.press(...'un sqlite'.split(''));
    // Enter only once the whole query is on screen: sent with the last letters, it would arrive as typed text
    await t.waitFor((s) => /> run sqlite\b/.test(s) && /› *Run: SQLite → PostgreSQL/.test(s), 'the query typed and a SQLite → PostgreSQL run selected first');
    await t.press(keys.enter);
    const seen: string[] = [];
    await t.waitFor((s) => {
      seen.push(statusBar());
      // finished, and the job after it (re-reading the ledgers, shown as "[run…]") over too
      return /sqlite→pg\s+(waiting|done)/.test(statusBar()) && !/^\[\S+…\]/m.test(s) && !s.includes('Command palette');
    }, 'the run to finish', 60_000);
    // it was seen running before it finished, and every row but the waiting one landed
    expect(seen.some((l) => /sqlite→pg\s+running/.test(l)), seen.join('\n')).toBe(true);
    const { rows } = planted;
    // the Progress tab: every table read in full (the waiting order was read too)
    for (const table of Object.keys(rows)) expect(lineWith(t.screenText(), new RegExp(`\\b${table}\\b.*\\b100%`)), `${table} at 100%\n${t.screenText()}`).toBeDefined();
    expect(t.screenText()).toMatch(/1 waiting/);
  });

  it('opens Problems and finds the exact child key and parent key of the skipped row', async () => {
    await t.press('3');
    // the panel has the focus once the explorer's hints (its '/' filter) leave the status bar
    const child = `{"id":${waiting.childId}}`;
    const parent = `{"id":${waiting.parentId}}`;
    const screen = await t.waitFor((s) => !statusBar().includes('/ filter') && lineWith(s, child, parent) !== undefined, 'Problems focused, with the waiting row');
    // grouped by table and missing parent, then the row: child key, FK column, parent table and key
    expect(lineWith(screen, `${waiting.table} ← ${waiting.parentTable}`, parent), screen).toBeDefined();
    const row = lineWith(screen, child, parent) ?? '';
    expect(row).toMatch(new RegExp(`${escape(child)}.*${waiting.fkColumn}.*${waiting.parentTable}.*${escape(parent)}`));
    captured = screen;
  });

  it('redraws at 80x24 with nothing lost off the top: the first line of the frame first, the status bar last', async () => {
    await t.resize(80, 24);
    await t.waitFor(() => lines().length === 24 && /sqlite→pg\s+waiting/.test(statusBar()), 'a redraw at 80x24');
    await new Promise((r) => setTimeout(r, 500)); // a late frame must not scroll it either
    const screen = lines();
    const shown = screen.join('\n');
    expect(screen[0], shown).toMatch(new RegExp(`^${escape(header)}\\b`));
    expect(lastLine().row, shown).toBeGreaterThanOrEqual(22);
    expect(statusBar()).toMatch(/sqlite→pg\s+waiting/);
    // one frame on screen: the heading, the panel's tabs and the status bar once, nothing left of the 100x30 frame
    expect(screen.filter((l) => l.startsWith(header)), shown).toHaveLength(1);
    expect(screen.filter((l) => /Problems \d+/.test(l)), shown).toHaveLength(1);
    expect(screen.filter((l) => /sqlite→pg\s+waiting/.test(l)), shown).toHaveLength(1);
    expect(lineWith(shown, `{"id":${waiting.childId}}`), shown).toBeDefined();
  });

  it('quits with q: exit code 0, the alternate screen left and the cursor shown again', async () => {
    await t.press('q');
    // the run is over, so no question is expected; if one comes, answer it as a user would
    const asked = await t.waitFor((s) => t.exitStatus() !== null || /quit\?/i.test(s), 'the TUI to exit or ask').then(() => t.exitStatus() === null);
    if (asked) await t.press('y');
    const status = await t.waitForExit(15_000);
    expect(status.exitCode).toBe(0);
    expect(t.output()).toContain('\u001B[?1049l');
    expect(t.isAlternateScreen()).toBe(false);
    expect(t.cursorVisible()).toBe(true);
  });
});

let captured = '';

describe('the README capture', () => {
  it(updateCapture ? 'is rewritten from this session' : 'shows the same screen as this session (numbers aside)', () => {
    expect(captured, 'the Problems step did not capture a screen').not.toBe('');
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(CAPTURE_START);
    const end = readme.indexOf(CAPTURE_END);
    expect(start, `README.md has no ${CAPTURE_START} block`).toBeGreaterThanOrEqual(0);
    const block = `${CAPTURE_START}\n\`\`\`text\n${captured.replace(/\s+$/, '')}\n\`\`\`\n${CAPTURE_END}`;
    if (updateCapture) {
      writeFileSync(README, readme.slice(0, start) + block + readme.slice(end + CAPTURE_END.length));
      return;
    }
    expect(shape(readme.slice(start, end + CAPTURE_END.length)), 'README.md capture is stale: run npm run tui-capture').toBe(shape(block));
  });
});

/**
 * What a capture shows apart from what changes run to run (counts, rates, times, and the bar
 * widths and truncations they shift): its words, line by line, without any holding a digit, a
 * bar or an ellipsis.
 */
function shape(text: string): string {
  return text
    .split('\n')
    .map((line) => line.split(/\s+/).filter((w) => w !== '' && !/[0-9\u2580-\u259F…]/.test(w)).join(' '))
    .join('\n');
}
