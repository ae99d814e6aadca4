/**
 * Ink's Output (build/output.js: the frame as a grid of styled cells, then one string), put
 * there by the build (scripts/bundle-cli.mjs) where Ink's renderer imports it. Same frames;
 * less work per frame: Ink fills a fresh 120x40 grid of cell objects for every frame (4,800
 * of them) and turns each of its rows back into text, although from one frame to the next
 * most rows are written with the very same text at the same places. Here the writes are
 * sorted into rows first (clipped and transformed exactly as Ink does), and a row written
 * the same way as in an earlier frame takes that frame's text; only a changed row is composed
 * cell by cell, as Ink composes it.
 */
import sliceAnsi from 'slice-ansi';
import stringWidth from 'string-width';
import { styledCharsFromTokens, styledCharsToString, tokenize, type StyledChar } from '@alcalzone/ansi-tokenize';
import { LinesRemembered } from './lines-remembered.js';

type Transformer = (line: string, index: number) => string;

export interface Clip {
  x1: number | undefined;
  x2: number | undefined;
  y1: number | undefined;
  y2: number | undefined;
}

type Operation = { type: 'write'; x: number; y: number; text: string; transformers: Transformer[] } | { type: 'clip'; clip: Clip } | { type: 'unclip' };

/** Rows by how they were written (width, then each write's column and text); a frame has 40. */
const rowsWritten = new LinesRemembered<string>(512);

const widestLine = (text: string): number => {
  let width = 0;
  for (const line of text.split('\n')) width = Math.max(width, stringWidth(line));
  return width;
};

/** The row's width and writes, each text with its length before it: no two ways of writing a row share a key. */
function rowKey(width: number, writes: readonly (number | string)[]): string {
  let key = String(width);
  for (let i = 0; i < writes.length; i += 2) key += `|${writes[i] as number},${(writes[i + 1] as string).length},${writes[i + 1] as string}`;
  return key;
}

/** One row as Ink composes it: blank cells, each write's characters over them, then text. */
function composeRow(width: number, writes: readonly (number | string)[]): string {
  const row: (StyledChar | undefined)[] = [];
  for (let x = 0; x < width; x++) row.push({ type: 'char', value: ' ', fullWidth: false, styles: [] });
  for (let i = 0; i < writes.length; i += 2) {
    let offsetX = writes[i] as number;
    for (const character of styledCharsFromTokens(tokenize(writes[i + 1] as string))) {
      row[offsetX] = character;
      const characterWidth = Math.max(1, stringWidth(character.value));
      for (let k = 1; k < characterWidth; k++) row[offsetX + k] = { type: 'char', value: '', fullWidth: false, styles: character.styles };
      offsetX += characterWidth;
    }
  }
  return styledCharsToString(row.filter((c): c is StyledChar => c !== undefined)).trimEnd();
}

export default class Output {
  readonly width: number;
  readonly height: number;
  private readonly operations: Operation[] = [];

  constructor(options: { width: number; height: number }) {
    this.width = options.width;
    this.height = options.height;
  }

  write(x: number, y: number, text: string, options: { transformers: Transformer[] }): void {
    if (!text) return;
    this.operations.push({ type: 'write', x, y, text, transformers: options.transformers });
  }

  clip(clip: Clip): void {
    this.operations.push({ type: 'clip', clip });
  }

  unclip(): void {
    this.operations.push({ type: 'unclip' });
  }

  get(): { output: string; height: number } {
    // per row, its writes in order: column, text (flat, as a frame makes about 50)
    const rows: (number | string)[][] = Array.from({ length: this.height }, () => []);
    const clips: Clip[] = [];
    for (const operation of this.operations) {
      if (operation.type === 'clip') clips.push(operation.clip);
      if (operation.type === 'unclip') clips.pop();
      if (operation.type !== 'write') continue;
      const { text, transformers } = operation;
      let { x, y } = operation;
      let lines = text.split('\n');
      const clip = clips.at(-1);
      // clipping as Ink's Output.get does it, step for step
      if (clip) {
        const clipHorizontally = typeof clip.x1 === 'number' && typeof clip.x2 === 'number';
        const clipVertically = typeof clip.y1 === 'number' && typeof clip.y2 === 'number';
        if (clipHorizontally) {
          const width = widestLine(text);
          if (x + width < (clip.x1 as number) || x > (clip.x2 as number)) continue;
        }
        if (clipVertically) {
          const height = lines.length;
          if (y + height < (clip.y1 as number) || y > (clip.y2 as number)) continue;
        }
        if (clipHorizontally) {
          const x1 = clip.x1 as number;
          const x2 = clip.x2 as number;
          lines = lines.map((line) => {
            const from = x < x1 ? x1 - x : 0;
            const width = stringWidth(line);
            const to = x + width > x2 ? x2 - x : width;
            return sliceAnsi(line, from, to);
          });
          if (x < x1) x = x1;
        }
        if (clipVertically) {
          const y1 = clip.y1 as number;
          const y2 = clip.y2 as number;
          const from = y < y1 ? y1 - y : 0;
          const height = lines.length;
          const to = y + height > y2 ? y2 - y : height;
          lines = lines.slice(from, to);
          if (y < y1) y = y1;
        }
      }
      let offsetY = 0;
      for (let [index, line] of lines.entries()) {
        // Ink skips a line outside the frame without moving on to the next row
        const row = rows[y + offsetY];
        if (!row) continue;
        for (const transformer of transformers) line = transformer(line, index);
        row.push(x, line);
        offsetY++;
      }
    }
    const text = rows.map((writes) => (writes.length === 0 ? '' : rowsWritten.get(rowKey(this.width, writes), () => composeRow(this.width, writes))));
    return { output: text.join('\n'), height: rows.length };
  }
}
