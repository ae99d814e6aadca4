/**
 * The panel: Problems (what did not land and why) and Output (the run log). The shell
 * owns which tab shows; the tab line carries the counts so problems are visible even
 * while Output is open.
 */
import type { TuiSnapshot } from '../state/tui-snapshot.js';
import { useTheme } from '../theme.js';
import type { EditorTab } from './editor-area.js';
import type { Segment } from './line.js';
import { ProblemsList } from './panel/problems-list.js';
import { OutputLog } from './panel/output-log.js';

export type PanelTab = 'problems' | 'output';

export interface PanelAreaProps {
  snapshot: TuiSnapshot;
  tab: PanelTab;
  focused: boolean;
  width: number;
  height: number;
  /** Enter on a problem: opens its table (Data tab for waiting/rejected rows and owed constraints, Schema for drift) */
  onOpenProblem(table: string, tab: EditorTab): void;
}

export function PanelArea({ snapshot, tab, focused, width, height, onOpenProblem }: PanelAreaProps) {
  const theme = useTheme();
  const owed = snapshot.tables.reduce((n, t) => n + t.owed.length, 0);
  const problems = snapshot.counts.waiting + snapshot.counts.rejected + snapshot.counts.errors + owed + (snapshot.pushesRefused ? 1 : 0);
  const tabs: { id: PanelTab; label: string }[] = [
    { id: 'problems', label: `Problems ${problems}` },
    { id: 'output', label: 'Output' },
  ];
  const header: Segment[] = tabs.map((t) => {
    const active = t.id === tab;
    return { text: active ? `[${t.label}]` : ` ${t.label} `, style: active ? (focused ? theme.heading() : { bold: theme.colorsEnabled }) : theme.style('muted') };
  });
  return tab === 'problems' ? (
    <ProblemsList snapshot={snapshot} header={header} focused={focused} width={width} height={height} onOpenProblem={onOpenProblem} />
  ) : (
    <OutputLog snapshot={snapshot} header={header} focused={focused} width={width} height={height} />
  );
}
