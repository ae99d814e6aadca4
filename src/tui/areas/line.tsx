/**
 * One screen row built from styled segments and cut to `width` cells, so no area ever
 * draws a line wider than it was given (Ink would wrap it and the frame would grow).
 */
import { Text } from 'ink';
import type { TextStyle } from '../theme.js';
import { textWidth, truncate } from '../format/text.js';

export interface Segment {
  text: string;
  style?: TextStyle;
}

export function fitSegments(segments: readonly Segment[], width: number, pad = false): Segment[] {
  const out: Segment[] = [];
  let left = Math.max(0, width);
  for (const s of segments) {
    if (left <= 0) break;
    const w = textWidth(s.text);
    if (w <= left) {
      out.push(s);
      left -= w;
    } else {
      out.push({ ...s, text: truncate(s.text, left) });
      left = 0;
    }
  }
  if (pad && left > 0) out.push({ text: ' '.repeat(left) });
  return out;
}

export interface LineProps {
  segments: readonly Segment[];
  width: number;
  /** style for the whole row (selection), applied under the segments' own */
  style?: TextStyle;
  /** fill the row to `width` (so an inverse selection spans the whole row) */
  pad?: boolean;
}

export function Line({ segments, width, style, pad }: LineProps) {
  const fitted = fitSegments(segments, width, pad);
  // an empty <Text> takes no row at all in Ink: a blank line must hold a space
  const blank = fitted.every((s) => s.text === '');
  return (
    <Text wrap="truncate-end" {...style}>
      {blank ? ' ' : fitted.map((s, i) => (
        <Text key={i} {...s.style}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}
