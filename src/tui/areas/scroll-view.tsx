/**
 * A vertically scrolled block of prepared lines (Schema, Mapping, Progress tabs): movement
 * keys scroll it while it has focus; when the content is longer than the box, the last row
 * says where the view is ("12-20/45 ↑↓").
 */
import { Box } from 'ink';
import { useState } from 'react';
import { commandForKey } from '../keys/key-bindings.js';
import { useTheme, type TextStyle } from '../theme.js';
import { Line, type Segment } from './line.js';
import { nextIndex, scrollPosition } from './list-cursor.js';
import { useStableInput } from '../shell/use-stable-input.js';

export interface ViewLine {
  segments: Segment[];
  /** a style for the whole row (the current table in Progress) */
  style?: TextStyle;
}

export interface ScrollViewProps {
  lines: readonly ViewLine[];
  focused: boolean;
  width: number;
  height: number;
  /** a line to bring into view when the content first shows (the current table) */
  anchor?: number;
}

export function ScrollView({ lines, focused, width, height, anchor }: ScrollViewProps) {
  const theme = useTheme();
  const overflow = lines.length > height;
  const rows = Math.max(1, overflow ? height - 1 : height);
  const maxTop = Math.max(0, lines.length - rows);
  const [rawTop, setTop] = useState(() => Math.min(maxTop, Math.max(0, (anchor ?? 0) - Math.floor(rows / 2))));
  const top = Math.min(rawTop, maxTop);

  useStableInput((input, key) => {
    const command = commandForKey(input, key, ['list']);
    // scrolling a view moves its top line; the last top line is the one that shows the end
    setTop((prev) => nextIndex(command, Math.min(prev, maxTop), maxTop + 1, rows) ?? prev);
  }, focused);

  const position = scrollPosition(top, rows, lines.length);
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      {lines.slice(top, top + rows).map((l, i) => (
        <Line key={top + i} width={width} segments={l.segments} {...(l.style ? { style: l.style, pad: true } : {})} />
      ))}
      {overflow ? <Line width={width} segments={[{ text: `${position} ↑↓ PgUp PgDn g G`, style: theme.style('muted') }]} /> : null}
    </Box>
  );
}

/** A message in place of content ("open a table from the explorer (Enter)"). */
export function Placeholder({ text, width, height }: { text: string; width: number; height: number }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Line width={width} segments={[{ text, style: theme.style('muted') }]} />
    </Box>
  );
}
