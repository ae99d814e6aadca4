/**
 * string-width as Ink's renderer calls it, put there by the build (scripts/bundle-cli.mjs) where
 * Ink and its text packages import string-width. Ink measures every text node of every frame
 * (widest-line, then string-width on the whole line, and again in the layout for a changed
 * text); a line with one symbol in it (a bar, a spinner, ✓, │) takes string-width's slow path,
 * grapheme segmentation and emoji tests, for all of its characters. Same numbers, less work:
 * - a line of printable ASCII, colour codes and the TUI's own one-cell symbols is counted;
 * - widths are remembered, as most lines are the same from one frame to the next (bounded).
 */
import stringWidth, { type Options } from 'string-width';
import { LinesRemembered } from './lines-remembered.js';

/**
 * One cell each, and each a grapheme of its own (none combines with its neighbours): the
 * symbols the TUI draws (src/tui) and the truncation mark. tests/tui-ink-speedups checks them.
 */
export const NARROW_SYMBOLS = '→←↑↓↔⇄…│─└▏█▒░●○◌◷✓✗⊘›—·␤⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
const NARROW = new Set(Array.from(NARROW_SYMBOLS, (c) => c.charCodeAt(0)));

/** The width by counting, or null when the text has anything else (string-width decides then). */
function countedWidth(text: string): number | null {
  let width = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) width++;
    else if (NARROW.has(c)) width++;
    else if (c === 0x1b && text.charCodeAt(i + 1) === 0x5b) {
      // a colour or style code takes no cell: ESC [ numbers of up to 4 digits, each after a ; , then m
      // (so strip-ansi reads it too, in every version; anything else is left to string-width)
      let end = i + 2;
      let digits = 0;
      for (let d = text.charCodeAt(end); (d >= 0x30 && d <= 0x39) || d === 0x3b; d = text.charCodeAt(++end)) {
        digits = d === 0x3b ? 0 : digits + 1;
        if (digits > 4) return null;
      }
      if (text.charCodeAt(end) !== 0x6d) return null;
      i = end;
    } else return null;
  }
  return width;
}

const widths = new LinesRemembered<number>(2048);
const measure = (text: string): number => countedWidth(text) ?? stringWidth(text);

export default function cachedStringWidth(text: string, options?: Options): number {
  if (options !== undefined) return stringWidth(text, options);
  return widths.get(text, measure);
}
