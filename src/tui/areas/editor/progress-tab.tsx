/**
 * The Progress tab: the overall run, then one line per table (FK order) with a bar,
 * rows done/total, rows/s, elapsed and ETA; the current table is highlighted. Columns are
 * dropped from the right when the box is narrow, so it stays readable at 80x24.
 */
import type { TableProgress, TableView, TuiSnapshot } from '../../state/tui-snapshot.js';
import { CURSOR, useTheme, type ColorRole, type Theme } from '../../theme.js';
import { keyLabel } from '../../keys/key-bindings.js';
import { formatCompact, formatCount, formatPercent, formatRate } from '../../format/count.js';
import { formatClock, formatDuration } from '../../format/duration.js';
import { progressBar } from '../../format/progress-bar.js';
import { spinnerFrame } from '../../format/badge.js';
import { fit, fitRight, oneLine, textWidth } from '../../format/text.js';
import type { Segment } from '../line.js';
import { ScrollView, type ViewLine } from '../scroll-view.js';

export interface ProgressTabProps {
  snapshot: TuiSnapshot;
  table: string | null;
  focused: boolean;
  width: number;
  height: number;
}

const RUN_WORD: Record<TuiSnapshot['run']['state'], string> = {
  idle: 'idle',
  planning: 'planning',
  running: 'running',
  stopping: 'stopping after this batch',
  done: 'done',
  waiting: 'done, rows waiting on parents',
  failed: 'failed',
  interrupted: 'interrupted',
};

export function ProgressTab({ snapshot, table, focused, width, height }: ProgressTabProps) {
  const theme = useTheme();
  const now = snapshot.publishedAt ?? Date.now();
  const run = snapshot.run;
  const lines: ViewLine[] = [];
  const runRole: ColorRole = run.state === 'failed' ? 'error' : run.state === 'waiting' || run.state === 'interrupted' ? 'warning' : run.state === 'done' ? 'ok' : run.state === 'idle' ? 'muted' : 'running';
  const direction = run.direction === 'sqlite-to-pg' ? 'SQLite → PostgreSQL' : run.direction === 'pg-to-sqlite' ? 'PostgreSQL → SQLite' : '';
  const mode = run.direction ? `${run.dryRun ? 'dry run' : run.full ? 'full' : 'incremental'}` : '';
  lines.push({
    segments: [
      { text: 'Run ', style: theme.heading() },
      { text: direction ? `${direction} (${mode}) ` : '' },
      { text: RUN_WORD[run.state], style: theme.style(runRole) },
      { text: run.startedAt !== null || run.elapsedMs > 0 ? `  ${formatClock(run.elapsedMs)}` : '' },
    ],
  });
  if (run.state !== 'idle') {
    // the planner's estimate is 0 when it could not count (an empty or unreadable source): unknown, not "of 0"
    const total = run.totalEstimated !== null && run.totalEstimated > 0 ? run.totalEstimated : null;
    const eta = total !== null && run.rowsPerSecond > 0 && total > run.totalRead ? ((total - run.totalRead) / run.rowsPerSecond) * 1000 : null;
    const barWidth = Math.max(5, Math.min(30, width - 46));
    lines.push({
      segments: [
        { text: progressBar(run.totalRead, total, barWidth, snapshot.version), style: theme.style(runRole) },
        { text: ` ${formatCompact(run.totalRead)}${total !== null ? `/${formatCompact(total)} ${formatPercent(run.totalRead, total)}` : ''}` },
        { text: `  ${formatRate(run.rowsPerSecond)}`, style: theme.style('muted') },
        { text: eta !== null && run.state === 'running' ? `  ETA ${formatDuration(eta)}` : '', style: theme.style('muted') },
      ],
    });
  } else {
    lines.push({ segments: [{ text: `no run yet: ${keyLabel('run.sqlite-to-pg')} runs SQLite → PostgreSQL, ${keyLabel('palette.open')} lists every command`, style: theme.style('muted') }] });
  }

  const nameWidth = Math.min(18, Math.max(8, ...snapshot.tables.map((t) => textWidth(t.name))));
  let anchor = 0;
  for (const t of snapshot.tables) {
    const isCurrent = t.name === table;
    if (isCurrent) anchor = lines.length;
    lines.push({ segments: tableSegments(t, isCurrent, nameWidth, width, now, theme), ...(isCurrent ? { style: theme.selected(focused) } : {}) });
  }
  if (run.planText) {
    lines.push({ segments: [{ text: 'Dry-run plan (nothing written):', style: theme.heading() }] });
    for (const l of run.planText.replace(/\n$/, '').split('\n')) lines.push({ segments: [{ text: oneLine(l) }] });
  }
  return <ScrollView lines={lines} focused={focused} width={width} height={height} anchor={anchor} />;
}

const STATE_ROLE: Record<TableProgress['state'], ColorRole> = { queued: 'muted', running: 'running', done: 'ok', failed: 'error' };

/** "3,042/5,000" while exact counts are short enough to line up, "1.2M/20M" beyond that. */
function doneOfTotal(done: number, total: number | null): string {
  const exact = `${formatCount(done)}/${total === null ? '?' : formatCount(total)}`;
  return exact.length <= 13 ? exact : `${formatCompact(done)}/${total === null ? '?' : formatCompact(total)}`;
}

/** The bar's total: empty while queued, full once done (an empty table too), the estimate while running. */
function barTotal(p: TableProgress): number | null {
  if (p.state === 'queued') return Math.max(1, p.total ?? 1);
  if (p.state === 'done') return Math.max(1, p.done);
  return p.total !== null && p.total > 0 ? p.total : null;
}

function tableSegments(t: TableView, isCurrent: boolean, nameWidth: number, width: number, now: number, theme: Theme): Segment[] {
  const p = t.progress;
  const mark = isCurrent ? CURSOR : ' ';
  const symbol = !p ? '·' : p.state === 'running' ? spinnerFrame(now) : p.state === 'done' ? '✓' : p.state === 'failed' ? '✗' : '·';
  const head: Segment[] = [{ text: `${mark}${symbol} `, style: theme.style(p ? STATE_ROLE[p.state] : 'muted') }, { text: fit(t.name, nameWidth) }];
  if (!p) return [...head, { text: '  not in this run', style: theme.style('muted') }];
  if (p.state === 'failed' && p.error) return [...head, { text: `  failed: ${oneLine(p.error)}`, style: theme.style('error') }];
  // optional columns in order of importance; each is kept only if it still fits beside a 6-cell bar
  const running = p.state === 'running';
  // a finished table read all there was: an incremental run's estimate is the table's size, not what was new
  const finished = p.state === 'done';
  const total = finished ? p.done : p.total;
  const optional = [
    fitRight(doneOfTotal(p.done, total), 14),
    fitRight(formatPercent(p.done, total) || (finished ? '100%' : p.state === 'queued' ? ' queued' : ''), 7),
    running || p.rowsPerSecond > 0 ? fitRight(`${formatCompact(p.rowsPerSecond)}/s`, 9) : '',
    running && p.etaMs !== null ? fitRight(`ETA ${formatDuration(p.etaMs)}`, 12) : '',
    p.elapsedMs > 0 ? fitRight(formatDuration(p.elapsedMs), 9) : '',
  ];
  let room = width - 3 - nameWidth - 1;
  const kept: string[] = [];
  for (const c of optional) {
    if (c !== '' && textWidth(c) <= room - 6) {
      kept.push(c);
      room -= textWidth(c);
    }
  }
  const barWidth = Math.max(0, Math.min(24, room - 1));
  const notes = [p.skipped > 0 ? ` ◷${p.skipped}` : '', p.rejected > 0 ? ` ✗${p.rejected}` : ''].join('');
  return [
    ...head,
    { text: ' ' },
    { text: progressBar(finished ? barTotal(p) ?? 1 : p.done, barTotal(p), barWidth, Math.floor(now / 200)), style: theme.style(STATE_ROLE[p.state]) },
    { text: kept.join('') },
    { text: notes, style: theme.style(p.rejected > 0 ? 'error' : 'warning') },
  ];
}
