/**
 * Fitting text into terminal cells. Widths count code points, which is exact for the
 * names, keys and values the TUI shows (ASCII and most accented text); a wide CJK
 * character may overhang by one cell, and Ink's own truncation still clips the row.
 */

export function textWidth(s: string): number {
  return Array.from(s).length;
}

/** Cut to `width` cells, ending with "…" when something was cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  const chars = Array.from(s);
  if (chars.length <= width) return s;
  if (width === 1) return '…';
  return chars.slice(0, width - 1).join('') + '…';
}

/** Cut or pad with spaces to exactly `width` cells. */
export function fit(s: string, width: number): string {
  const t = truncate(s, width);
  return t + ' '.repeat(Math.max(0, width - textWidth(t)));
}

/** Right-aligned `fit`. */
export function fitRight(s: string, width: number): string {
  const t = truncate(s, width);
  return ' '.repeat(Math.max(0, width - textWidth(t))) + t;
}

/** The part of `s` from cell `from`, `width` cells long: a horizontally scrolled window. */
export function sliceCells(s: string, from: number, width: number): string {
  return Array.from(s)
    .slice(Math.max(0, from), Math.max(0, from) + Math.max(0, width))
    .join('');
}

/** Control characters (newlines, escapes from data) would break the layout: show them as "␤"/"·". */
export function oneLine(s: string): string {
  return s.replace(/\r?\n/g, '␤').replace(/[\u0000-\u001f\u007f]/g, '·');
}
