/**
 * The editor: four tabs that always exist and show the current table (Schema, Mapping,
 * Data) or every table (Progress, the current one highlighted). The shell owns the tab
 * and the current table; `[`/`]` and Ctrl+W are its keys. The active tab is bracketed so
 * it shows without colour too.
 */
import { Box } from 'ink';
import type { TuiSnapshot } from '../state/tui-snapshot.js';
import { useTheme } from '../theme.js';
import { textWidth } from '../format/text.js';
import { Line, type Segment } from './line.js';
import { Placeholder } from './scroll-view.js';
import { SchemaTab } from './editor/schema-tab.js';
import { MappingTab } from './editor/mapping-tab.js';
import { ProgressTab } from './editor/progress-tab.js';
import { DataTab } from './editor/data-tab.js';

export type EditorTab = 'schema' | 'mapping' | 'progress' | 'data';

export const EDITOR_TABS: readonly { id: EditorTab; title: string }[] = [
  { id: 'schema', title: 'Schema' },
  { id: 'mapping', title: 'Mapping' },
  { id: 'progress', title: 'Progress' },
  { id: 'data', title: 'Data' },
];

export interface EditorAreaProps {
  snapshot: TuiSnapshot;
  table: string | null;
  tab: EditorTab;
  focused: boolean;
  width: number;
  height: number;
}

export function EditorArea({ snapshot, table, tab, focused, width, height }: EditorAreaProps) {
  const theme = useTheme();
  const view = table === null ? null : (snapshot.tables.find((t) => t.name === table) ?? null);
  const tabs: Segment[] = [];
  for (const t of EDITOR_TABS) {
    const active = t.id === tab;
    const count = t.id === 'data' && view ? view.waiting.length + view.rejected.length : 0;
    const label = `${t.title}${count > 0 ? ` ${count}` : ''}`;
    tabs.push({ text: active ? `[${label}]` : ` ${label} `, style: active ? (focused ? theme.heading() : { bold: theme.colorsEnabled }) : theme.style('muted') });
  }
  const tabsWidth = tabs.reduce((n, s) => n + textWidth(s.text), 0);
  const title = table ?? 'no table open';
  const gap = Math.max(1, width - tabsWidth - textWidth(title));
  const bodyHeight = Math.max(1, height - 1);
  const body = (() => {
    if (tab === 'progress') return <ProgressTab key={table ?? ''} snapshot={snapshot} table={table} focused={focused} width={width} height={bodyHeight} />;
    if (table === null) return <Placeholder text="open a table from the explorer (Enter)" width={width} height={bodyHeight} />;
    if (view === null) return <Placeholder text={`${table} is no longer among the mapped tables`} width={width} height={bodyHeight} />;
    // keyed by table so a tab's scroll starts at the top for each table
    if (tab === 'schema') return <SchemaTab key={table} table={view} focused={focused} width={width} height={bodyHeight} />;
    if (tab === 'mapping') return <MappingTab key={table} table={view} focused={focused} width={width} height={bodyHeight} />;
    return <DataTab key={table} table={view} focused={focused} width={width} height={bodyHeight} now={snapshot.publishedAt ?? Date.now()} />;
  })();
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Line width={width} segments={[...tabs, { text: ' '.repeat(gap) }, { text: title, style: table ? theme.style('accent') : theme.style('muted') }]} />
      {body}
    </Box>
  );
}
