/**
 * The command palette (Ctrl+P or `:`): type to fuzzy-search every palette command, shown
 * with its key from the key table; ↑↓ choose, Enter runs, Esc (or Ctrl+C) closes. "Open table…"
 * turns the list into the tables, searched the same way.
 */
import { useMemo, useState } from 'react';
import { Box, Text } from 'ink';
import { useStableInput } from '../shell/use-stable-input.js';
import { keyBindings, keyLabel, type CommandId } from '../keys/key-bindings.js';
import { fuzzyFilter } from '../fuzzy-match.js';
import { useTheme, CURSOR } from '../theme.js';
import { fit, truncate } from '../format/text.js';

export interface CommandPaletteProps {
  /** table names for "Open table…", in explorer order */
  tables: readonly string[];
  width: number;
  height: number;
  onRun(command: CommandId): void;
  onOpenTable(table: string): void;
  onClose(): void;
  mode?: 'commands' | 'tables';
  /** letters typed after Ctrl+P or `:` before the palette was drawn (see app.tsx) */
  initialQuery?: string;
}

interface Entry {
  id: string;
  title: string;
  keys: string;
}

export function paletteCommands(): Entry[] {
  return keyBindings.filter((b) => b.inPalette).map((b) => ({ id: b.command, title: b.title, keys: keyLabel(b.command) }));
}

export function CommandPalette({ tables, width, height, onRun, onOpenTable, onClose, mode: initialMode = 'commands', initialQuery = '' }: CommandPaletteProps) {
  const theme = useTheme();
  const [mode, setMode] = useState(initialMode);
  const [query, setQuery] = useState(initialQuery);
  const [selected, setSelected] = useState(0);
  const entries = useMemo<Entry[]>(() => (mode === 'commands' ? paletteCommands() : tables.map((t) => ({ id: t, title: t, keys: '' }))), [mode, tables]);
  const matches = useMemo(() => fuzzyFilter(entries, query, (e) => e.title), [entries, query]);
  const at = Math.min(selected, Math.max(0, matches.length - 1));

  const choose = (chosen: Entry | undefined): void => {
    if (!chosen) return;
    if (mode === 'tables') return onOpenTable(chosen.id);
    if (chosen.id === 'table.open') {
      setMode('tables');
      setQuery('');
      setSelected(0);
      return;
    }
    onRun(chosen.id as CommandId);
  };

  useStableInput((input, key) => {
    if (key.escape || (key.ctrl && input === 'c')) return onClose();
    if (key.return) return choose(matches[at]?.item);
    if (key.upArrow) return setSelected(Math.max(0, at - 1));
    if (key.downArrow) return setSelected(Math.min(matches.length - 1, at + 1));
    if (key.pageUp) return setSelected(Math.max(0, at - 5));
    if (key.pageDown) return setSelected(Math.min(matches.length - 1, at + 5));
    if (key.backspace || key.delete) {
      setQuery((q) => q.slice(0, -1));
      return setSelected(0);
    }
    if (key.ctrl || key.meta || key.tab || input.length === 0) return;
    // A fast typist (or a paste, or a test driving a real terminal) can deliver the last
    // letters and Enter in one chunk: the letters extend the query, then Enter picks from it.
    const enterAt = input.search(/[\r\n]/);
    const text = (enterAt < 0 ? input : input.slice(0, enterAt)).replace(/[\u0000-\u001f\u007f]/g, '');
    if (enterAt >= 0) {
      const typed = query + text;
      setQuery(typed);
      setSelected(0);
      return choose(text ? fuzzyFilter(entries, typed, (e) => e.title)[0]?.item : matches[at]?.item);
    }
    if (text) {
      setQuery((q) => q + text);
      setSelected(0);
    }
  });

  const inner = Math.max(10, width - 4);
  const rows = Math.max(1, height - 4);
  const top = Math.min(Math.max(0, at - rows + 1), Math.max(0, matches.length - rows));
  const shown = matches.slice(top, top + rows);
  const title = mode === 'commands' ? 'Command palette' : 'Open table';
  return (
    <Box flexDirection="column" borderStyle="round" width={width} height={height} paddingX={1}>
      <Text wrap="truncate-end" {...theme.heading()}>
        {truncate(`${title}  ${matches.length}/${entries.length}${matches.length > rows ? `  (${at + 1}/${matches.length})` : ''}`, inner)}
      </Text>
      <Text wrap="truncate-end">{truncate(`> ${query}▏`, inner)}</Text>
      {shown.length === 0 ? <Text {...theme.style('muted')}>{mode === 'commands' ? 'no command matches' : 'no table matches'}</Text> : null}
      {shown.map(({ item }, i) => {
        const isSel = top + i === at;
        const keys = item.keys ? ` ${item.keys}` : '';
        const label = `${isSel ? CURSOR : ' '} ${item.title}`;
        const line = fit(truncate(label, inner - keys.length), inner - keys.length) + keys;
        return (
          <Text key={item.id} wrap="truncate-end" {...(isSel ? theme.selected(true) : {})}>
            {line}
          </Text>
        );
      })}
    </Box>
  );
}
