/**
 * @alcalzone/ansi-tokenize as Ink's Output (the frame's grid of styled cells) calls it, put
 * there by the build (scripts/bundle-cli.mjs). Same results; less work and less heap per frame:
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
import { ansiCodesToString, diffAnsiCodes, reduceAnsiCodesIncremental, type AnsiCode, type StyledChar, type Token } from '@alcalzone/ansi-tokenize';

export * from '@alcalzone/ansi-tokenize';

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
