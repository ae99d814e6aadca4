/**
 * The built TUI draws with faster stand-ins for two of Ink's text packages (string-width and
 * @alcalzone/ansi-tokenize; src/tui/ink-speedups/, put in by scripts/bundle-cli.mjs). A user
 * must see exactly what Ink would have drawn: every row of real coloured frames, rows made of
 * cells from different lines (as Ink's grid composes them), and awkward text (wide and
 * combining characters, emoji, links, bold with dim), measured and re-styled the same, also
 * the second time, from the cache.
 */
import { describe, expect, it } from 'vitest';
import { actAsColourTerminal } from './harness/colour-terminal.js';
import stringWidth from 'string-width';
import * as ansi from '@alcalzone/ansi-tokenize';
import type { StyledChar } from '@alcalzone/ansi-tokenize';

// a colour terminal for chalk, decided when Ink loads
actAsColourTerminal();
const { render } = await import('ink-testing-library');
const { ThemeContext, createTheme } = await import('../src/tui/theme.js');
const { App } = await import('../src/tui/app.js');
const { tuiSnapshotFixture } = await import('./harness/tui-snapshot.js');
const { default: cachedStringWidth, NARROW_SYMBOLS } = await import('../src/tui/ink-speedups/cached-string-width.js');
const fast = await import('../src/tui/ink-speedups/cached-ansi-tokenize.js');

const ESC = '\u001b';
const AWKWARD = [
  '',
  'plain ascii',
  `${ESC}[1m${ESC}[2mbold and dim${ESC}[22m${ESC}[1m still bold${ESC}[22m done`,
  `${ESC}[31mred ${ESC}[42mon green${ESC}[39m default on green${ESC}[49m plain`,
  `${ESC}[7m › selected row ${ESC}[27m`,
  '表格 wide 漢字 and ｶﾞ halfwidth',
  'e\u0301 combining, 👍🏽 emoji, 👨‍👩‍👧 family, 1\u20e3 keycap, 🇩🇪 flag',
  `${ESC}]8;;https://example.com${ESC}\\link${ESC}]8;;${ESC}\\ after`,
  `${ESC}]8;;https://example.com\u0007bell link${ESC}]8;;\u0007`,
  '████████░░░░ ⠸ ✓ ✗ ◷ ⊘ │ ● ○ ◌ ›',
  `${ESC}[90m12:00:01 ${ESC}[39m${ESC}[33m! ${ESC}[39mwarn ␤ with · marks`,
  `${ESC}[38;2;255;0;0mtruecolour${ESC}[39m ${ESC}[;1;m${ESC}[m odd codes`,
  `${ESC}[12345m five digits`,
  `${ESC}[1;123456m six digits`,
  `${ESC}[1X not colour ${ESC}[?25h cursor ${ESC}(B charset \u009b[31m c1`,
  `tab\there, bell \u0007, delete \u007f, nbsp \u00a0, soft hyphen \u00ad`,
  `symbols ${NARROW_SYMBOLS} then ✓\ufe0f ↔\ufe0f →\u20e3 ·\u0301`,
];

function colouredFrameRows(): string[] {
  const snapshot = tuiSnapshotFixture();
  const actions = {
    run: async () => null, dryRun: async () => null, verify: async () => null, regenerateMappings: async () => null, writeFixScript: async () => null,
    retryWaiting: async () => null, resetTable: async () => null, stop: async () => null, running: () => true, busy: () => null,
  };
  const source = { getSnapshot: () => snapshot, subscribe: () => () => undefined };
  const r = render(
    <ThemeContext.Provider value={createTheme(true)}>
      <App source={source} actions={actions} size={{ columns: 120, rows: 40 }} />
    </ThemeContext.Provider>,
  );
  const rows = (r.lastFrame() ?? '').split('\n');
  r.unmount();
  return rows;
}

const inkChars = (line: string): StyledChar[] => ansi.styledCharsFromTokens(ansi.tokenize(line));
const fastChars = (line: string): StyledChar[] => fast.styledCharsFromTokens(fast.tokenize(line));

describe('the built TUI draws what Ink would', () => {
  const rows = colouredFrameRows();
  const lines = [...rows, ...AWKWARD];

  it('renders a coloured frame to test with', () => {
    expect(rows.length).toBeGreaterThan(30);
    expect(rows.join('\n')).toContain(`${ESC}[`);
  });

  it("counts each of the TUI's symbols as one cell, alone and between others", () => {
    for (const symbol of NARROW_SYMBOLS) {
      expect(stringWidth(symbol)).toBe(1);
      for (const other of NARROW_SYMBOLS) expect(cachedStringWidth(`a${symbol}${other}b`)).toBe(stringWidth(`a${symbol}${other}b`));
    }
  });

  it('measures every line the same, twice', () => {
    for (let round = 0; round < 2; round++) {
      for (const line of lines) {
        expect(cachedStringWidth(line)).toBe(stringWidth(line));
        expect(cachedStringWidth(line, { ambiguousIsNarrow: false })).toBe(stringWidth(line, { ambiguousIsNarrow: false }));
      }
    }
  });

  it('turns every line into the same styled cells and back into the same text, twice', () => {
    for (let round = 0; round < 2; round++) {
      for (const line of lines) {
        expect(fast.tokenize(line)).toEqual(ansi.tokenize(line));
        expect(fastChars(line)).toEqual(inkChars(line));
        expect(fast.styledCharsToString(fastChars(line))).toBe(ansi.styledCharsToString(inkChars(line)));
      }
    }
  });

  it('writes rows composed from cells of different lines and blank cells as Ink does', () => {
    const blank = (): StyledChar => ({ type: 'char', value: ' ', fullWidth: false, styles: [] });
    for (let i = 0; i < lines.length; i++) {
      const a = lines[i] ?? '';
      const b = lines[(i * 7 + 3) % lines.length] ?? '';
      // a grid row: blank cells, then line a's cells, then line b's over part of them, then blanks
      const compose = (chars: (line: string) => StyledChar[]): StyledChar[] => {
        const row: StyledChar[] = Array.from({ length: 10 }, blank);
        row.push(...chars(a));
        row.splice(14, Math.min(6, row.length), ...chars(b).slice(0, 30));
        row.push(blank(), blank());
        return row;
      };
      expect(fast.styledCharsToString(compose(fastChars))).toBe(ansi.styledCharsToString(compose(inkChars)));
    }
  });
});
