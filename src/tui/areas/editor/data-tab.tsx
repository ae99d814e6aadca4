/**
 * The Data tab: a peek at the current table's rows that did not land. Rows waiting on a
 * parent (key, FK column, parent table and key, how long, attempts, values) and rejected
 * rows (key, column, reason, values), and the foreign keys and indexes `run --create-missing`
 * still owes the table (the next sqlite-to-pg run adds them). ↑↓ move between rows; ←→ or h/l scroll the columns
 * sideways one column at a time, while the key column stays put so a row is never lost.
 */
import { Box } from 'ink';
import { useState } from 'react';
import { commandForKey } from '../../keys/key-bindings.js';
import type { TableView } from '../../state/tui-snapshot.js';
import { CURSOR, useTheme } from '../../theme.js';
import { formatAge } from '../../format/duration.js';
import { fit, oneLine, textWidth } from '../../format/text.js';
import { Line, type Segment } from '../line.js';
import { scrollPosition, useListCursor } from '../list-cursor.js';
import { useStableInput } from '../../shell/use-stable-input.js';

export interface DataTabProps {
  table: TableView;
  focused: boolean;
  width: number;
  height: number;
  /** "waited for" is measured from here */
  now: number;
}

/** One section of the peek as plain cells: the first column is the frozen key. */
interface Grid {
  title: string;
  columns: string[];
  rows: string[][];
}

const MAX_CELL = 64;

export function dataGrids(table: TableView, now: number): Grid[] {
  const grids: Grid[] = [];
  const valueColumns = (rows: readonly { values: Record<string, string> | null }[]): string[] => {
    const seen = new Set<string>();
    for (const r of rows) for (const k of Object.keys(r.values ?? {})) seen.add(k);
    return [...seen];
  };
  if (table.waiting.length > 0) {
    const vc = valueColumns(table.waiting);
    grids.push({
      title: `Waiting on parents (${table.waiting.length})`,
      columns: ['key', 'fk column', 'parent', 'waited', 'tries', ...vc],
      rows: table.waiting.map((w) => [w.rowKey, w.fkColumns.join(','), `${w.parentTable} ${w.parentKey}`, formatAge(w.firstSeen, now), String(w.attempts), ...vc.map((c) => w.values?.[c] ?? '')]),
    });
  }
  if (table.rejected.length > 0) {
    const vc = valueColumns(table.rejected);
    grids.push({
      title: `Rejected (${table.rejected.length})`,
      columns: ['key', 'column', 'reason', 'code', 'since', ...vc],
      rows: table.rejected.map((r) => [r.rowKey, r.column ?? '', r.reason, r.code ?? '', formatAge(r.firstSeen, now), ...vc.map((c) => r.values?.[c] ?? '')]),
    });
  }
  if (table.owed.length > 0) {
    grids.push({
      title: `Owed since --create-missing (${table.owed.length}): the next sqlite-to-pg run adds them`,
      columns: ['name', 'kind', 'definition', 'owed for'],
      rows: table.owed.map((o) => [o.name, o.kind, o.detail, formatAge(o.since, now)]),
    });
  }
  return grids;
}

interface DrawnLine {
  kind: 'title' | 'header' | 'row';
  cells: string[];
  widths: number[];
}

export function DataTab({ table, focused, width, height, now }: DataTabProps) {
  const theme = useTheme();
  const grids = dataGrids(table, now);
  const lines: DrawnLine[] = [];
  let columnCount = 0;
  for (const g of grids) {
    const widths = g.columns.map((c, i) => Math.min(MAX_CELL, Math.max(textWidth(c), ...g.rows.map((r) => textWidth(oneLine(r[i] ?? ''))))));
    columnCount = Math.max(columnCount, g.columns.length);
    lines.push({ kind: 'title', cells: [g.title], widths: [] });
    lines.push({ kind: 'header', cells: g.columns, widths });
    for (const r of g.rows) lines.push({ kind: 'row', cells: r.map(oneLine), widths });
  }
  const rows = Math.max(1, height - 1);
  const cursor = useListCursor(lines.length, rows);
  // first scrolled column (1 = the one right after the frozen key)
  const [first, setFirst] = useState(1);
  // scrolling stops once the last column is in view: no scrolling into emptiness
  const room = width - 1;
  const maxFirst = Math.max(
    1,
    ...lines
      .filter((l) => l.kind === 'header')
      .map((l) => {
        let first = l.widths.length - 1;
        let used = (l.widths[0] ?? 0) + (l.widths[first] ?? 0) + 2;
        while (first > 1 && used + (l.widths[first - 1] ?? 0) + 2 <= room) used += (l.widths[--first] ?? 0) + 2;
        return first;
      }),
  );

  useStableInput((input, key) => {
    const command = commandForKey(input, key, ['list']);
    if (command === 'move.left') setFirst((f) => Math.max(1, Math.min(maxFirst, f) - 1));
    else if (command === 'move.right') setFirst((f) => Math.min(maxFirst, f + 1));
    else cursor.move(command);
  }, focused);

  if (grids.length === 0) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Line width={width} segments={[{ text: `✓ no rows of ${table.name} are waiting on parents or rejected`, style: theme.style('ok') }]} />
      </Box>
    );
  }
  const shownFirst = Math.min(first, maxFirst);
  const position = [scrollPosition(cursor.offset, rows, lines.length), `column ${shownFirst + 1} of ${columnCount} ←→`].filter(Boolean).join('  ');
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      {lines.slice(cursor.offset, cursor.offset + rows).map((l, i) => {
        const index = cursor.offset + i;
        const selected = index === cursor.selected;
        if (l.kind === 'title') return <Line key={index} width={width} segments={[{ text: `${selected ? CURSOR : ' '}${l.cells[0] ?? ''}`, style: theme.heading() }]} />;
        const cells = [0, ...range(shownFirst, l.cells.length)].map((c) => fit(l.cells[c] ?? '', l.widths[c] ?? 0));
        const segments: Segment[] = [{ text: selected ? CURSOR : ' ' }, { text: cells.join('  '), ...(l.kind === 'header' ? { style: theme.style('muted') } : {}) }];
        return <Line key={index} width={width} segments={segments} pad {...(selected ? { style: theme.selected(focused) } : {})} />;
      })}
      <Box flexGrow={1} />
      <Line width={width} segments={[{ text: position, style: theme.style('muted') }]} />
    </Box>
  );
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}
