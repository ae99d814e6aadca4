/**
 * The built TUI draws with faster stand-ins for two of Ink's text packages (string-width and
 * @alcalzone/ansi-tokenize) and for Ink's Output, the frame's grid of cells (src/tui/ink-speedups/,
 * put in by scripts/bundle-cli.mjs). A user
 * must see exactly what Ink would have drawn: every row of real coloured frames, rows made of
 * cells from different lines (as Ink's grid composes them), and awkward text (wide and
 * combining characters, emoji, links, bold with dim), measured and re-styled the same, also
 * the second time, from the cache; and whole frames of overlapping, clipped and transformed
 * writes composed the same, also where rows come from an earlier frame.
 */
import { describe, expect, it } from 'vitest';
import { actAsColourTerminal } from './harness/colour-terminal.js';
import stringWidth from 'string-width';
import * as ansi from '@alcalzone/ansi-tokenize';
import type { StyledChar } from '@alcalzone/ansi-tokenize';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

// a colour terminal for chalk, decided when Ink loads
actAsColourTerminal();
const { render } = await import('ink-testing-library');
const { ThemeContext, createTheme } = await import('../src/tui/theme.js');
const { App } = await import('../src/tui/app.js');
const { tuiSnapshotFixture } = await import('./harness/tui-snapshot.js');
const { default: cachedStringWidth, NARROW_SYMBOLS } = await import('../src/tui/ink-speedups/cached-string-width.js');
const fast = await import('../src/tui/ink-speedups/cached-ansi-tokenize.js');
const { default: RememberedOutput } = await import('../src/tui/ink-speedups/remembered-output.js');

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

type Transformer = (line: string, index: number) => string;
interface OutputLike {
  write(x: number, y: number, text: string, options: { transformers: Transformer[] }): void;
  clip(clip: { x1?: number; x2?: number; y1?: number; y2?: number }): void;
  unclip(): void;
  get(): { output: string; height: number };
}
type OutputClass = new (options: { width: number; height: number }) => OutputLike;
type Op = { kind: 'write'; x: number; y: number; text: string; transformers: Transformer[] } | { kind: 'clip'; clip: { x1?: number; x2?: number; y1?: number; y2?: number } } | { kind: 'unclip' };

const colour: Transformer = (line, i) => `${ESC}[3${(i % 6) + 1}m${line}${ESC}[39m`;
const inverse: Transformer = (line) => `${ESC}[7m${line}${ESC}[27m`;

/** A frame's writes and clips as Ink's renderer makes them: overlapping, partly outside the frame, clipped, transformed. */
function frameOps(seed: number, width: number, height: number, texts: readonly string[]): Op[] {
  let s = seed;
  const next = (n: number): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % n;
  };
  const ops: Op[] = [];
  let open = 0;
  for (let i = 0; i < 40; i++) {
    const r = next(100);
    if (r < 12) {
      const x1 = next(width + 4) - 2;
      const y1 = next(height + 4) - 2;
      const clip = next(4) === 0 ? { y1, y2: y1 + next(height) } : next(4) === 0 ? { x1, x2: x1 + next(width) } : { x1, x2: x1 + next(width), y1, y2: y1 + next(height) };
      ops.push({ kind: 'clip', clip });
      open++;
    } else if (r < 20 && open > 0) {
      ops.push({ kind: 'unclip' });
      open--;
    } else {
      const lineCount = 1 + next(3);
      const text = Array.from({ length: lineCount }, () => texts[next(texts.length)] ?? '').join('\n');
      const transformers = [[], [colour], [inverse, colour]][next(3)] as Transformer[];
      ops.push({ kind: 'write', x: next(width + 6) - 3, y: next(height + 6) - 3, text, transformers });
    }
  }
  return ops;
}

function draw(Output: OutputClass, width: number, height: number, ops: readonly Op[]): { output: string; height: number } {
  const output = new Output({ width, height });
  for (const op of ops) {
    if (op.kind === 'write') output.write(op.x, op.y, op.text, { transformers: op.transformers });
    else if (op.kind === 'clip') output.clip(op.clip);
    else output.unclip();
  }
  return output.get();
}

describe("the built TUI's frames are Ink's", () => {
  it("composes every frame as Ink's Output does, also where it takes rows remembered from an earlier frame", async () => {
    const inkBuild = dirname(createRequire(import.meta.url).resolve('ink'));
    const { default: InkOutput } = (await import(pathToFileURL(join(inkBuild, 'output.js')).href)) as { default: OutputClass };
    const texts = [...colouredFrameRows().map((row, i) => row.slice(0, 20 + ((i * 13) % 90))), ...AWKWARD];
    let compared = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const width = 20 + (seed % 5) * 20;
      const height = 4 + (seed % 7) * 3;
      const first = frameOps(seed, width, height, texts);
      // the next frame: the same writes but for a few changed texts, as a running run's frames are
      const second = first.map((op, i) => (op.kind === 'write' && i % 7 === 3 ? { ...op, text: texts[(seed + i) % texts.length] ?? '' } : op));
      for (const ops of [first, second, first, second]) {
        const ink = draw(InkOutput, width, height, ops);
        expect(draw(RememberedOutput, width, height, ops)).toEqual(ink);
        compared += ink.output.split('\n').filter((row) => row !== '').length;
      }
    }
    // most rows have something on them
    expect(compared).toBeGreaterThan(60 * 4 * 3);
  });
});
