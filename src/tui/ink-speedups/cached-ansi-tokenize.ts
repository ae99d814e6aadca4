/**
 * @alcalzone/ansi-tokenize as Ink's Output (the frame's grid of styled cells) calls it, put
 * there by the build (scripts/bundle-cli.mjs). Same results; less work per frame:
 * - tokenize and styledCharsFromTokens remember the last few hundred lines, across frames
 *   (Ink's own cache lives for one frame; most lines do not change between two). The arrays
 *   are shared as Ink already shares them within a frame: it reads them and never changes them.
 * - styledCharsToString (each of the frame's 40 rows of 120 cells) skips the style diff between
 *   two cells whose styles are the same codes: the diff is empty then. The package's version
 *   builds three Sets and two arrays for every cell; at 120x40 that was most of a frame's 7-9 MB
 *   of garbage.
 */
import { ansiCodesToString, diffAnsiCodes, styledCharsFromTokens as toStyledChars, tokenize as tokenizeLine, type AnsiCode, type StyledChar, type Token } from '@alcalzone/ansi-tokenize';
import { LinesRemembered } from './lines-remembered.js';

export * from '@alcalzone/ansi-tokenize';

/** Lines remembered: a frame writes about 50 (one per text node); the cache holds several frames' worth. */
const tokensOf = new LinesRemembered<Token[]>(512);
const charsOf = new WeakMap<Token[], StyledChar[]>();
const tokenizeWhole = (text: string): Token[] => tokenizeLine(text);

export function tokenize(text: string, endChar?: number): Token[] {
  if (endChar !== undefined) return tokenizeLine(text, endChar);
  return tokensOf.get(text, tokenizeWhole);
}

export function styledCharsFromTokens(tokens: Token[]): StyledChar[] {
  let chars = charsOf.get(tokens);
  if (chars === undefined) {
    chars = toStyledChars(tokens);
    charsOf.set(tokens, chars);
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
