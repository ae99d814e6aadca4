/**
 * Plain stand-ins for the explorer, editor and panel with the exact props of the real
 * components (src/tui/areas/, written in parallel), so the shell and `replicate tui` work
 * end to end before those land. The app switches its imports to the real ones then and
 * this file goes away.
 */
import { useState } from 'react';
import { Box, Text } from 'ink';
import { useStableInput } from './use-stable-input.js';
import type { TableView, TuiSnapshot } from '../state/tui-snapshot.js';
import { commandForKey } from '../keys/key-bindings.js';
import { badgeToken } from '../format/badge.js';
import { progressBar } from '../format/progress-bar.js';
import { truncate } from '../format/text.js';
import { useTheme, CURSOR } from '../theme.js';

export type EditorTab = 'schema' | 'mapping' | 'progress' | 'data';
export type PanelTab = 'problems' | 'output';

export interface ExplorerProps {
  tables: TableView[];
  current: string | null;
  focused: boolean;
  width: number;
  height: number;
  onOpen(table: string): void;
  onCaptureInput(capturing: boolean): void;
}
export interface EditorAreaProps {
  snapshot: TuiSnapshot;
  table: string | null;
  tab: EditorTab;
  focused: boolean;
  width: number;
  height: number;
}
export interface PanelAreaProps {
  snapshot: TuiSnapshot;
  tab: PanelTab;
  focused: boolean;
  width: number;
  height: number;
  onOpenProblem(table: string, tab: EditorTab): void;
}

function Lines({ title, lines, selected, focused, width, height }: { title: string; lines: string[]; selected: number | null; focused: boolean; width: number; height: number }) {
  const theme = useTheme();
  const rows = Math.max(1, height - 1);
  const top = selected === null ? Math.max(0, lines.length - rows) : Math.max(0, Math.min(selected - rows + 1, lines.length - rows));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate-end" {...(focused ? theme.heading() : theme.style('muted'))}>
        {truncate(title, width)}
      </Text>
      {lines.slice(top, top + rows).map((l, i) => (
        <Text key={i} wrap="truncate-end" {...(top + i === selected ? theme.selected(focused) : {})}>
          {truncate(`${top + i === selected ? CURSOR : ' '}${l}`, width)}
        </Text>
      ))}
    </Box>
  );
}

function useCursor(count: number, focused: boolean, onSelect: (i: number) => void): number {
  const [at, setAt] = useState(0);
  useStableInput(
    (input, key) => {
      const c = commandForKey(input, key, ['list']);
      if (c === 'move.up') setAt((a) => Math.max(0, a - 1));
      else if (c === 'move.down') setAt((a) => Math.min(count - 1, a + 1));
      else if (c === 'move.top') setAt(0);
      else if (c === 'move.bottom') setAt(count - 1);
      else if (c === 'select' && count > 0) onSelect(Math.min(at, count - 1));
    },
    focused,
  );
  return Math.max(0, Math.min(at, count - 1));
}

export function Explorer({ tables, current, focused, width, height, onOpen }: ExplorerProps) {
  const at = useCursor(tables.length, focused, (i) => tables[i] && onOpen(tables[i].name));
  const lines = tables.map((t) => `${t.name === current ? '●' : ' '} ${t.name}  ${t.badges.map((b) => badgeToken(b)).join(' ')}`);
  return <Lines title="EXPLORER" lines={lines} selected={at} focused={focused} width={width - 1} height={height} />;
}

export function EditorArea({ snapshot, table, tab, focused, width, height }: EditorAreaProps) {
  const t = snapshot.tables.find((x) => x.name === table) ?? null;
  const tabs = (['schema', 'mapping', 'progress', 'data'] as const).map((x) => (x === tab ? `[${x}]` : x)).join(' ');
  let lines: string[];
  if (tab === 'progress') {
    lines = snapshot.tables.map((x) => {
      const p = x.progress;
      return `${x.name === table ? '▸' : ' '}${x.name.padEnd(14)} ${p ? `${progressBar(p.done, p.total, 20)} ${p.done}/${p.total ?? '?'} ${p.state}` : '-'}`;
    });
    if (snapshot.run.planText) lines.push('', ...snapshot.run.planText.split('\n'));
  } else if (!t) lines = ['open a table from the explorer (Enter)'];
  else if (tab === 'schema') lines = [...(t.sqlite?.columns.map((c) => `sqlite ${c.name}`) ?? []), ...(t.postgres?.columns.map((c) => `pg ${c.name}`) ?? []), ...t.findings.map((f) => `${f.severity}: ${f.column ?? ''} ${f.detail}`)];
  else if (tab === 'mapping') lines = (t.mappingYaml ?? '').split('\n');
  else lines = [...t.waiting.map((w) => `waiting ${(w.rowKey)} → ${w.parentTable} ${(w.parentKey)}`), ...t.rejected.map((r) => `rejected ${(r.rowKey)}: ${r.reason}`)];
  return <Lines title={`EDITOR ${table ?? ''}  ${tabs}`} lines={lines} selected={null} focused={focused} width={width} height={height} />;
}

export function PanelArea({ snapshot, tab, focused, width, height, onOpenProblem }: PanelAreaProps) {
  const problems = snapshot.tables.flatMap((t) => [
    ...t.waiting.map((w) => ({ table: t.name, tab: 'data' as const, text: `${t.name} ← ${w.parentTable}: child ${(w.rowKey)} ${w.fkColumns.join(', ')} → parent ${(w.parentKey)}` })),
    ...t.rejected.map((r) => ({ table: t.name, tab: 'data' as const, text: `${t.name}: rejected ${(r.rowKey)}: ${r.reason}` })),
    ...t.findings.filter((f) => f.severity !== 'info').map((f) => ({ table: t.name, tab: 'schema' as const, text: `${f.severity} ${t.name}${f.column ? '.' + f.column : ''}: ${f.detail}` })),
  ]);
  const at = useCursor(tab === 'problems' ? problems.length : 0, focused, (i) => problems[i] && onOpenProblem(problems[i].table, problems[i].tab));
  const title = `PANEL ${tab === 'problems' ? `[Problems ${problems.length}] Output` : `Problems ${problems.length} [Output]`}`;
  if (tab === 'output') return <Lines title={title} lines={snapshot.output.map((l) => l.text)} selected={null} focused={focused} width={width} height={height} />;
  return <Lines title={title} lines={problems.map((p) => p.text)} selected={problems.length ? at : null} focused={focused} width={width} height={height} />;
}
