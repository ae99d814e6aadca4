/**
 * The Problems list: every row waiting on a parent, grouped by table and missing parent
 * (child key, FK column, parent table and key, how long it has waited), every rejected
 * row with its reason, what `run --create-missing` still owes a table (foreign keys and
 * indexes the next sqlite-to-pg run adds), and every drift error; first of all, that this
 * file's pushes are refused, with what to run. Enter opens the problem's table: the Data
 * tab for rows, the Schema tab for drift. Each entry names its table too, so a line read
 * (or copied) on its own still says where the row is.
 */
import { Box } from 'ink';
import { commandForKey } from '../../keys/key-bindings.js';
import type { TuiSnapshot } from '../../state/tui-snapshot.js';
import type { Finding } from '../../../verify/finding.js';
import { PUSHES_REFUSED, PUSHES_REFUSED_FIX } from '../../../cli/report/pushes-refused-text.js';
import { CURSOR, useTheme, type ColorRole } from '../../theme.js';
import { formatAge } from '../../format/duration.js';
import { formatCount } from '../../format/count.js';
import { oneLine, sliceCells, textWidth } from '../../format/text.js';
import type { EditorTab } from '../editor-area.js';
import { Line, type Segment } from '../line.js';
import { scrollPosition, useListCursor } from '../list-cursor.js';
import { useStableInput } from '../../shell/use-stable-input.js';
import { useSideScroll } from '../side-scroll.js';

export interface ProblemRow {
  /** group headers are rows too: Enter on one opens its table like its entries */
  kind: 'group' | 'entry' | 'note';
  table: string;
  tab: EditorTab;
  role: ColorRole;
  text: string;
}

/** The problems of a snapshot as the rows the list shows, in FK order of their tables. */
export function problemRows(snapshot: TuiSnapshot, now: number): ProblemRow[] {
  const rows: ProblemRow[] = [];
  // first, as `replicate status` says it first: no push lands until it is dealt with (no table to open)
  if (snapshot.pushesRefused) {
    rows.push({ kind: 'group', table: '', tab: 'data', role: 'error', text: `✗ ${PUSHES_REFUSED}` });
    rows.push({ kind: 'entry', table: '', tab: 'data', role: 'error', text: PUSHES_REFUSED_FIX });
    rows.push({ kind: 'entry', table: '', tab: 'data', role: 'error', text: "the sqlite-to-pg checkpoints and waiting rows shown are that file's" });
  }
  let waitingShown = 0;
  let rejectedShown = 0;
  for (const t of snapshot.tables) {
    const byParent = new Map<string, typeof t.waiting>();
    for (const w of t.waiting) {
      const k = `${w.parentTable} ${w.parentKey}`;
      byParent.set(k, [...(byParent.get(k) ?? []), w]);
    }
    for (const [parent, ws] of byParent) {
      rows.push({ kind: 'group', table: t.name, tab: 'data', role: 'warning', text: `◷ ${t.name} ← ${oneLine(parent)} missing: ${ws.length} ${ws.length === 1 ? 'row waits' : 'rows wait'}` });
      for (const w of ws) {
        rows.push({
          kind: 'entry',
          table: t.name,
          tab: 'data',
          role: 'warning',
          text: `child ${t.name} ${oneLine(w.rowKey)} ${w.fkColumns.join(',')} → parent ${w.parentTable} ${oneLine(w.parentKey)}  waited ${formatAge(w.firstSeen, now)}, ${w.attempts} ${w.attempts === 1 ? 'try' : 'tries'}`,
        });
      }
      waitingShown += ws.length;
    }
    if (t.rejected.length > 0) {
      rows.push({ kind: 'group', table: t.name, tab: 'data', role: 'error', text: `✗ ${t.name}: ${t.rejected.length} rejected` });
      for (const r of t.rejected) {
        rows.push({ kind: 'entry', table: t.name, tab: 'data', role: 'error', text: `${t.name} ${oneLine(r.rowKey)}${r.column ? ` ${r.column}` : ''}: ${oneLine(r.reason)}${r.code ? ` [${r.code}]` : ''}  ${formatAge(r.firstSeen, now)} ago` });
      }
      rejectedShown += t.rejected.length;
    }
    if (t.owed.length > 0) {
      rows.push({ kind: 'group', table: t.name, tab: 'data', role: 'warning', text: `+ ${t.name}: ${t.owed.length} owed since --create-missing, added by the next sqlite-to-pg run` });
      for (const o of t.owed) rows.push({ kind: 'entry', table: t.name, tab: 'data', role: 'warning', text: `${t.name} ${o.kind} ${o.name} ${oneLine(o.detail)}  owed for ${formatAge(o.since, now)}` });
    }
  }
  // the store keeps exact counts but lists only the first rows of a long ledger
  const moreWaiting = snapshot.counts.waiting - waitingShown;
  const moreRejected = snapshot.counts.rejected - rejectedShown;
  if (moreWaiting > 0 || moreRejected > 0) {
    const parts = [moreWaiting > 0 ? `${formatCount(moreWaiting)} more waiting` : '', moreRejected > 0 ? `${formatCount(moreRejected)} more rejected` : ''].filter(Boolean);
    rows.push({ kind: 'note', table: '', tab: 'data', role: 'muted', text: `… ${parts.join(', ')} not listed (replicate status lists every row)` });
  }
  const drift: Finding[] = [...snapshot.tables.flatMap((t) => t.findings), ...snapshot.otherFindings].filter((f) => f.severity === 'error');
  if (drift.length > 0) {
    rows.push({ kind: 'group', table: drift[0]?.table ?? '', tab: 'schema', role: 'error', text: `!! drift errors: ${drift.length}` });
    for (const f of drift) {
      rows.push({ kind: 'entry', table: f.table, tab: 'schema', role: 'error', text: `${f.table}${f.column ? `.${f.column}` : ''} ${f.kind} (${f.side}): ${oneLine(f.detail)}` });
    }
  }
  return rows;
}

export interface ProblemsListProps {
  snapshot: TuiSnapshot;
  header: Segment[];
  focused: boolean;
  width: number;
  height: number;
  onOpenProblem(table: string, tab: EditorTab): void;
}

export function ProblemsList({ snapshot, header, focused, width, height, onOpenProblem }: ProblemsListProps) {
  const theme = useTheme();
  const rows = problemRows(snapshot, snapshot.publishedAt ?? Date.now());
  const visible = Math.max(1, height - 1);
  const cursor = useListCursor(rows.length, visible);
  const longest = rows.reduce((n, r) => Math.max(n, textWidth(r.text) + (r.kind === 'entry' ? 3 : 1)), 0);
  const side = useSideScroll(longest - width + 1);

  useStableInput((input, key) => {
    const command = commandForKey(input, key, ['list']);
    if (command === 'select') {
      const row = rows[cursor.selected];
      if (row && row.kind !== 'note' && row.table !== '') onOpenProblem(row.table, row.tab);
      return;
    }
    if (!side.move(command)) cursor.move(command);
  }, focused);

  const position = [scrollPosition(cursor.offset, visible, rows.length), side.offset > 0 ? `→${side.offset}` : ''].filter(Boolean).join(' ');
  const headerWidth = header.reduce((n, s) => n + textWidth(s.text), 0);
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Line width={width} segments={[...header, { text: position ? ' '.repeat(Math.max(1, width - headerWidth - textWidth(position))) + position : '', style: theme.style('muted') }]} />
      {rows.length === 0 ? (
        <Line width={width} segments={[{ text: '✓ no problems: nothing waiting on a parent, nothing rejected, no drift errors', style: theme.style('ok') }]} />
      ) : (
        rows.slice(cursor.offset, cursor.offset + visible).map((row, i) => {
          const index = cursor.offset + i;
          const selected = index === cursor.selected;
          const segments: Segment[] = [
            { text: selected ? CURSOR : ' ' },
            { text: row.kind === 'entry' ? '  ' : '' },
            { text: side.offset > 0 ? sliceCells(row.text, side.offset, textWidth(row.text)) : row.text, style: row.kind === 'entry' ? {} : theme.style(row.role) },
          ];
          return <Line key={index} width={width} segments={segments} pad {...(selected ? { style: theme.selected(focused) } : {})} />;
        })
      )}
    </Box>
  );
}
