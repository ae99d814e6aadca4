/**
 * One screen row built from styled segments and cut to `width` cells, so no area ever
 * draws a line wider than it was given (Ink would wrap it and the frame would grow).
 */
import { memo } from 'react';
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

/** Every key of TextStyle (the compiler says so when one is added), for comparing two styles. */
const STYLE_KEYS = Object.keys({ color: true, backgroundColor: true, bold: true, dimColor: true, inverse: true } satisfies Record<keyof TextStyle, true>) as (keyof TextStyle)[];

function sameStyle(a: TextStyle | undefined, b: TextStyle | undefined): boolean {
  if (a === b) return true;
  for (const k of STYLE_KEYS) if (a?.[k] !== b?.[k]) return false;
  return true;
}

function sameLine(a: LineProps, b: LineProps): boolean {
  if (a.width !== b.width || a.pad !== b.pad || !sameStyle(a.style, b.style)) return false;
  if (a.segments === b.segments) return true;
  if (a.segments.length !== b.segments.length) return false;
  for (let i = 0; i < a.segments.length; i++) {
    const x = a.segments[i] as Segment;
    const y = b.segments[i] as Segment;
    if (x.text !== y.text || !sameStyle(x.style, y.style)) return false;
  }
  return true;
}

/** Redrawn only when its text or styles changed: most rows stay as they were from one frame to the next. */
export const Line = memo(function Line({ segments, width, style, pad }: LineProps) {
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
}, sameLine);
