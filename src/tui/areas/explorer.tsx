/**
 * The explorer: every mapped table in FK order with its badges. `/` filters by name
 * (typing, Backspace; Enter keeps the filter, Esc clears it); movement keys move the
 * selection; Enter opens the table in the editor. The table open in the editor is marked ●.
 */
import { Box } from 'ink';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { useStableInput } from '../shell/use-stable-input.js';
import { commandForKey } from '../keys/key-bindings.js';
import type { TableView } from '../state/tui-snapshot.js';
import { CURSOR, useTheme } from '../theme.js';
import { badgeLook } from '../format/badge.js';
import { textWidth } from '../format/text.js';
import { Line, type Segment } from './line.js';
import { scrollPosition, useListCursor } from './list-cursor.js';

export interface ExplorerProps {
  tables: TableView[];
  current: string | null;
  focused: boolean;
  width: number;
  height: number;
  /** Enter: the shell sets the current table, editor tab 'schema', focus editor */
  onOpen(table: string): void;
  /** true while the '/' filter input is being typed (global single-letter keys are off) */
  onCaptureInput(capturing: boolean): void;
}

/** Tables whose PostgreSQL or SQLite name contains the filter, ignoring case. */
export function filterTables(tables: readonly TableView[], filter: string): TableView[] {
  const f = filter.toLowerCase();
  if (f === '') return [...tables];
  return tables.filter((t) => t.name.toLowerCase().includes(f) || t.sqliteName.toLowerCase().includes(f));
}

export function Explorer({ tables, current, focused, width, height, onOpen, onCaptureInput }: ExplorerProps) {
  const theme = useTheme();
  const [filter, setFilter] = useState('');
  const [typing, setTypingState] = useState(false);
  // read by the key handler before the next render lands (see shell/use-stable-input.ts)
  const typingRef = useRef(false);
  const setTyping = (on: boolean): void => {
    typingRef.current = on;
    setTypingState(on);
    onCaptureInput(on);
  };
  const shown = useMemo(() => filterTables(tables, filter), [tables, filter]);
  const headerRows = filter !== '' || typing ? 2 : 1;
  const rows = Math.max(1, height - headerRows);
  const initial = Math.max(0, tables.findIndex((t) => t.name === current));
  const cursor = useListCursor(shown.length, rows, initial);

  // unmounted while typing (explorer hidden): give the keys back
  const captureRef = useRef(onCaptureInput);
  captureRef.current = onCaptureInput;
  useEffect(() => () => void (typingRef.current && captureRef.current(false)), []);
  // focus moved away while typing (Tab): the filter stays, the keys go back to the shell
  useEffect(() => {
    if (!focused && typingRef.current) setTyping(false);
  }, [focused]);
  // a table opened elsewhere (a problem, the palette) becomes the selection here too
  useEffect(() => {
    const at = shown.findIndex((t) => t.name === current);
    if (at >= 0) cursor.select(at);
  }, [current]);

  useStableInput((input, key) => {
    if (typingRef.current) {
      if (key.return) setTyping(false);
      else if (key.escape) {
        setTyping(false);
        setFilter('');
      } else if (key.backspace || key.delete) setFilter((f) => Array.from(f).slice(0, -1).join(''));
      else if (input && !key.ctrl && !key.meta && !key.tab && !/[\u0000-\u001f]/.test(input)) {
        setFilter((f) => f + input);
        cursor.select(0);
      }
      return;
    }
    const command = commandForKey(input, key, ['list', 'explorer']);
    if (command === 'explorer.filter') {
      setTyping(true);
      return;
    }
    if (key.escape) {
      setFilter('');
      return;
    }
    if (command === 'select') {
      const t = shown[cursor.selected];
      if (t) onOpen(t.name);
      return;
    }
    cursor.move(command);
  }, focused);

  const title = `TABLES ${shown.length === tables.length ? tables.length : `${shown.length}/${tables.length}`}`;
  const position = scrollPosition(cursor.offset, rows, shown.length);
  const visible = shown.slice(cursor.offset, cursor.offset + rows);
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Line
        width={width}
        segments={[
          { text: title, style: focused ? theme.heading() : theme.style('muted') },
          { text: position ? ' '.repeat(Math.max(1, width - textWidth(title) - textWidth(position))) + position : '', style: theme.style('muted') },
        ]}
      />
      {headerRows === 2 ? (
        <Line
          width={width}
          segments={[
            { text: '/', style: theme.style('accent') },
            { text: filter },
            { text: typing ? '▏' : '', style: theme.style('accent') },
            { text: typing ? '' : '  (Esc clears)', style: theme.style('muted') },
          ]}
        />
      ) : null}
      {shown.length === 0 ? (
        <Line width={width} segments={[{ text: filter ? `no table matches "${filter}"` : 'no mapped tables', style: theme.style('muted') }]} />
      ) : (
        visible.map((t, i) => {
          const index = cursor.offset + i;
          return <ExplorerRow key={t.name} table={t} selected={index === cursor.selected} isCurrent={t.name === current} focused={focused} width={width} />;
        })
      )}
    </Box>
  );
}

/** Rendered again only when its table's view changed (the store keeps an unchanged table's view object) or the row's place did. */
const ExplorerRow = memo(function ExplorerRow({ table, selected, isCurrent, focused, width }: { table: TableView; selected: boolean; isCurrent: boolean; focused: boolean; width: number }) {
  const theme = useTheme();
  const badges: Segment[] = [];
  for (const b of table.badges) {
    const look = badgeLook(b);
    badges.push({ text: ' ' }, { text: look.symbol + look.text, style: theme.style(look.role) });
  }
  const badgeWidth = badges.reduce((n, s) => n + textWidth(s.text), 0);
  const prefix = `${selected ? CURSOR : ' '}${isCurrent ? '●' : ' '} `;
  // one cell of gutter on the right keeps badges off whatever is drawn next to the explorer;
  // the name gets what the badges leave, but never less than 6 cells: badges are cut first
  const inner = Math.max(1, width - 1);
  const nameRoom = Math.max(Math.min(6, inner - prefix.length), inner - prefix.length - badgeWidth);
  const name = textWidth(table.name) > nameRoom ? Array.from(table.name).slice(0, Math.max(0, nameRoom - 1)).join('') + '…' : table.name;
  const gap = ' '.repeat(Math.max(0, nameRoom - textWidth(name)));
  return (
    <Line
      width={width}
      pad
      style={selected ? theme.selected(focused) : {}}
      segments={[{ text: prefix, style: isCurrent ? theme.style('accent') : {} }, { text: name }, { text: gap }, ...badges]}
    />
  );
});
