/**
 * @alcalzone/ansi-tokenize as Ink's Output (the frame's grid of styled cells) calls it, put
 * there by the build (scripts/bundle-cli.mjs). Same results; less work and less heap per frame:
 * - tokenize counts a line of printable ASCII, colour codes and the TUI's own one-cell symbols
 *   (cached-string-width.ts' NARROW_SYMBOLS) cell by cell: each such character is a grapheme of
 *   its own and not full width, so the package's grapheme segmentation (Intl.Segmenter, about
 *   0.3 ms for a 100-character progress line) is not needed; a colour code is still read by the
 *   package, alone. Anything else goes to the package whole.
 * - styledCharsFromTokens gives every cell the same shape and lets the cells that share their
 *   styles share one array (the package spreads each token into an object of its own shape,
 *   with a copy of the codes: five heap objects a cell). Ink reads them and never changes them.
 * - styledCharsToString (each of the frame's 40 rows of 120 cells) skips the style diff between
 *   two cells whose styles are the same codes: the diff is empty then. The package's version
 *   builds three Sets and two arrays for every cell; at 120x40 that was most of a frame's 7-9 MB
 *   of garbage.
 * Nothing is remembered across frames here: the Output stand-in (remembered-output.ts) already
 * takes an unchanged row whole from an earlier frame, so only changed rows come here, and while
 * a run goes their text is new (counts, rates). Remembering their cells kept about 20,000
 * objects alive (bench case f, 11 s into `run --tui`), which every major GC of the run marked
 * again: a run makes about 36.
 */
import { ansiCodesToString, diffAnsiCodes, reduceAnsiCodesIncremental, tokenize as tokenizeLine, type AnsiCode, type StyledChar, type Token } from '@alcalzone/ansi-tokenize';
import { NARROW_SYMBOLS } from './cached-string-width.js';

export * from '@alcalzone/ansi-tokenize';

const NARROW = new Set(Array.from(NARROW_SYMBOLS, (c) => c.charCodeAt(0)));
/** The package's tokens for one colour code (ESC [ ... m); a frame uses a few dozen different ones. */
const codeTokens = new Map<string, Token[]>();

function colourCode(sequence: string): Token[] {
  let tokens = codeTokens.get(sequence);
  if (tokens === undefined) {
    tokens = tokenizeLine(sequence);
    if (codeTokens.size >= 256) codeTokens.clear();
    codeTokens.set(sequence, tokens);
  }
  return tokens;
}

/** The tokens by counting, or null when the line has anything else (the package decides then). */
function countedTokens(text: string): Token[] | null {
  const tokens: Token[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || NARROW.has(c)) {
      tokens.push({ type: 'char', value: text.charAt(i), fullWidth: false });
    } else if (c === 0x1b && text.charCodeAt(i + 1) === 0x5b) {
      let end = i + 2;
      for (let d = text.charCodeAt(end); (d >= 0x30 && d <= 0x39) || d === 0x3b; d = text.charCodeAt(++end));
      if (text.charCodeAt(end) !== 0x6d) return null;
      const code = colourCode(text.slice(i, end + 1));
      // a sequence the package reads as anything but colour codes: let it read the whole line
      if (code.length === 0 || code.some((t) => t.type !== 'ansi')) return null;
      for (const t of code) tokens.push(t);
      i = end;
    } else return null;
  }
  return tokens;
}

export function tokenize(text: string, endChar?: number): Token[] {
  return (endChar === undefined ? countedTokens(text) : null) ?? tokenizeLine(text, endChar);
}

export function styledCharsFromTokens(tokens: Token[]): StyledChar[] {
  // reduceAnsiCodesIncremental returns a new array, never changes the one given: cells share it
  let codes: AnsiCode[] = [];
  const chars: StyledChar[] = [];
  for (const token of tokens) {
    if (token.type === 'ansi') codes = reduceAnsiCodesIncremental(codes, [token]);
    else chars.push({ type: 'char', value: token.value, fullWidth: token.fullWidth, styles: codes });
  }
  return chars;
}

function sameCodes(a: readonly AnsiCode[], b: readonly AnsiCode[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function styledCharsToString(chars: StyledChar[]): string {
  let text = '';
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] as StyledChar;
    if (i === 0) {
      if (char.styles.length > 0) text += ansiCodesToString(char.styles);
    } else {
      const before = (chars[i - 1] as StyledChar).styles;
      if (!sameCodes(before, char.styles)) text += ansiCodesToString(diffAnsiCodes(before, char.styles));
    }
    text += char.value;
    // the row ends with its styles reset
    if (i === chars.length - 1 && char.styles.length > 0) text += ansiCodesToString(diffAnsiCodes(char.styles, []));
  }
  return text;
}
