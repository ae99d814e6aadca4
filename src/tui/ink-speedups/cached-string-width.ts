/**
 * string-width as Ink's renderer calls it, with a cache: the build (scripts/bundle-cli.mjs) puts
 * this module where Ink and its text packages import string-width. Ink measures every text node
 * of every frame (widest-line, then string-width on the whole line); a line with one symbol in
 * it (a bar, a spinner, ✓, │) takes the slow path, grapheme segmentation and emoji tests, for
 * all of its characters. Most lines are the same from one frame to the next, so their widths
 * are remembered: the same numbers, as the function is pure. Bounded: emptied when full.
 */
import stringWidth, { type Options } from 'string-width';

const LIMIT = 2048;
const widths = new Map<string, number>();

export default function cachedStringWidth(text: string, options?: Options): number {
  if (options !== undefined) return stringWidth(text, options);
  let width = widths.get(text);
  if (width === undefined) {
    width = stringWidth(text);
    if (widths.size >= LIMIT) widths.clear();
    widths.set(text, width);
  }
  return width;
}
