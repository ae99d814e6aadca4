/**
 * The Output log: the run log, newest last. It follows the tail as lines arrive; scrolling
 * up stops following (so a line being read does not run away), G or scrolling to the end
 * follows again.
 */
import { Box } from 'ink';
import { useState } from 'react';
import { commandForKey } from '../../keys/key-bindings.js';
import type { OutputLine, TuiSnapshot } from '../../state/tui-snapshot.js';
import { useTheme, severityRole } from '../../theme.js';
import { oneLine, sliceCells, textWidth } from '../../format/text.js';
import { Line, type Segment } from '../line.js';
import { nextIndex, scrollPosition } from '../list-cursor.js';
import { useStableInput } from '../../shell/use-stable-input.js';
import { useSideScroll } from '../side-scroll.js';

export interface OutputLogProps {
  snapshot: TuiSnapshot;
  header: Segment[];
  focused: boolean;
  width: number;
  height: number;
}

const LEVEL_MARK: Record<OutputLine['level'], string> = { info: ' ', warn: '!', error: '✗' };

function clock(at: number): string {
  const d = new Date(at);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

export function OutputLog({ snapshot, header, focused, width, height }: OutputLogProps) {
  const theme = useTheme();
  const lines = snapshot.output;
  const visible = Math.max(1, height - 1);
  const maxTop = Math.max(0, lines.length - visible);
  // null: following the tail
  const [pinned, setPinned] = useState<number | null>(null);
  const top = pinned === null ? maxTop : Math.min(pinned, maxTop);
  // time and level mark take 11 cells
  const side = useSideScroll(lines.reduce((n, l) => Math.max(n, textWidth(l.text)), 0) + 11 - width + 1);

  useStableInput((input, key) => {
    const command = commandForKey(input, key, ['list']);
    if (side.move(command)) return;
    setPinned((prev) => {
      const from = prev === null ? maxTop : Math.min(prev, maxTop);
      const next = nextIndex(command, from, maxTop + 1, visible);
      if (next === null) return prev;
      return next >= maxTop ? null : next;
    });
  }, focused);

  const position = [
    lines.length > visible ? `${scrollPosition(top, visible, lines.length)}${pinned === null ? ' following' : ' (G follows)'}` : '',
    side.offset > 0 ? `→${side.offset}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const headerWidth = header.reduce((n, s) => n + textWidth(s.text), 0);
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Line width={width} segments={[...header, { text: position ? ' '.repeat(Math.max(1, width - headerWidth - textWidth(position))) + position : '', style: theme.style('muted') }]} />
      {lines.length === 0 ? <Line width={width} segments={[{ text: 'nothing logged yet', style: theme.style('muted') }]} /> : null}
      {lines.slice(top, top + visible).map((l, i) => (
        <Line
          key={top + i}
          width={width}
          segments={[
            { text: `${clock(l.at)} `, style: theme.style('muted') },
            { text: `${LEVEL_MARK[l.level]} `, style: theme.style(severityRole(l.level)) },
            { text: sliceCells(oneLine(l.text), side.offset, Number.MAX_SAFE_INTEGER), ...(l.level === 'info' ? {} : { style: theme.style(severityRole(l.level)) }) },
          ]}
        />
      ))}
    </Box>
  );
}
