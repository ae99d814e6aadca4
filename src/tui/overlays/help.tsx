/**
 * `?`: every key and command, rendered from the same key table as the palette and the
 * status bar hints, grouped by where it applies. ↑↓/j/k/PgUp/PgDn scroll; Esc, q, ? or Ctrl+C close.
 */
import { useState } from 'react';
import { Box, Text } from 'ink';
import { useStableInput } from '../shell/use-stable-input.js';
import { commandForKey, keyBindings, keyLabel, type KeyScope } from '../keys/key-bindings.js';
import { useTheme } from '../theme.js';
import { fit, truncate } from '../format/text.js';

export interface HelpProps {
  width: number;
  height: number;
  onClose(): void;
}

const SCOPE_TITLES: Record<KeyScope, string> = {
  global: 'Everywhere',
  explorer: 'Explorer',
  editor: 'Editor',
  panel: 'Panel',
  list: 'In any list or view',
};

export function helpLines(): { text: string; heading: boolean }[] {
  const lines: { text: string; heading: boolean }[] = [];
  for (const scope of Object.keys(SCOPE_TITLES) as KeyScope[]) {
    const bindings = keyBindings.filter((b) => b.scope === scope);
    if (bindings.length === 0) continue;
    if (lines.length > 0) lines.push({ text: '', heading: false });
    lines.push({ text: SCOPE_TITLES[scope], heading: true });
    for (const b of bindings) lines.push({ text: `${fit(keyLabel(b.command) || '(palette)', 16)} ${b.title}`, heading: false });
  }
  return lines;
}

export function Help({ width, height, onClose }: HelpProps) {
  const theme = useTheme();
  const lines = helpLines();
  const rows = Math.max(1, height - 3);
  const maxTop = Math.max(0, lines.length - rows);
  const [top, setTop] = useState(0);
  useStableInput((input, key) => {
    if (key.escape || (key.ctrl && input === 'c') || (input === '?' && !key.ctrl) || (input === 'q' && !key.ctrl)) return onClose();
    const c = commandForKey(input, key, ['list']);
    const to = (n: number): void => setTop(Math.max(0, Math.min(maxTop, n)));
    if (c === 'move.up') to(top - 1);
    else if (c === 'move.down') to(top + 1);
    else if (c === 'move.page-up') to(top - rows);
    else if (c === 'move.page-down') to(top + rows);
    else if (c === 'move.top') to(0);
    else if (c === 'move.bottom') to(maxTop);
  });
  const inner = Math.max(10, width - 4);
  const more = lines.length > rows ? `  ${top + 1}-${Math.min(lines.length, top + rows)}/${lines.length}` : '';
  return (
    <Box flexDirection="column" borderStyle="round" width={width} height={height} paddingX={1}>
      <Text wrap="truncate-end" {...theme.heading()}>
        {truncate(`Help: every key (Esc closes)${more}`, inner)}
      </Text>
      {lines.slice(top, top + rows).map((l, i) => (
        <Text key={i} wrap="truncate-end" {...(l.heading ? theme.style('accent') : {})} bold={l.heading}>
          {truncate(l.text, inner) || ' '}
        </Text>
      ))}
    </Box>
  );
}
