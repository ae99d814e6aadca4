/**
 * The bottom line: both connections (password masked) and their state, the direction,
 * run state and elapsed time, overall rows/s, whether this file's pushes are refused
 * (Problems says what to run), error/warning/waiting/rejected counts, and
 * the key hints for the focused area, all from the snapshot and the key table. Always one
 * row; parts shrink (connections first, then hints) so it fits any width from 80 up.
 */
import { Box, Text } from 'ink';
import type { ConnectionView, RunView, TuiSnapshot } from '../state/tui-snapshot.js';
import { hintsFor, type KeyScope } from '../keys/key-bindings.js';
import { useTheme, type ColorRole } from '../theme.js';
import { formatClock } from '../format/duration.js';
import { formatRate } from '../format/count.js';
import { textWidth, truncate } from '../format/text.js';

export interface StatusBarProps {
  snapshot: TuiSnapshot;
  focused: 'explorer' | 'editor' | 'panel';
  width: number;
}

const CONNECTION_LOOK: Record<ConnectionView['state'], { symbol: string; role: ColorRole }> = {
  unknown: { symbol: '○', role: 'muted' },
  connecting: { symbol: '◌', role: 'running' },
  connected: { symbol: '●', role: 'ok' },
  failed: { symbol: '✗', role: 'error' },
};

const RUN_ROLE: Record<RunView['state'], ColorRole> = {
  idle: 'muted',
  planning: 'running',
  running: 'running',
  stopping: 'warning',
  done: 'ok',
  waiting: 'warning',
  failed: 'error',
  interrupted: 'warning',
};

const ARROW: Record<string, string> = { 'sqlite-to-pg': 'sqlite→pg', 'pg-to-sqlite': 'pg→sqlite' };

interface Part {
  text: string;
  role?: ColorRole;
}

/** a long label keeps its end (file name, database name) */
function keepEnd(s: string, width: number): string {
  const chars = Array.from(s);
  if (chars.length <= width) return s;
  if (width <= 1) return '…'.slice(0, width);
  return '…' + chars.slice(chars.length - width + 1).join('');
}

export function statusParts(snapshot: TuiSnapshot, focused: StatusBarProps['focused'], width: number): Part[] {
  const { run, counts, connections } = snapshot;
  const runText = run.state === 'idle' ? 'idle' : `${run.direction ? ARROW[run.direction] + ' ' : ''}${run.dryRun ? 'dry run ' : ''}${run.state}${run.startedAt !== null ? ' ' + formatClock(run.elapsedMs) : ''}`;
  const middle: Part[] = [{ text: runText, role: RUN_ROLE[run.state] }];
  if (run.state !== 'idle' && !run.dryRun) middle.push({ text: formatRate(run.rowsPerSecond) });
  if (snapshot.pushesRefused) middle.push({ text: '✗ pushes refused', role: 'error' });
  const countParts: Part[] = [
    { text: `✗${counts.errors}`, role: counts.errors ? 'error' : 'muted' },
    { text: `!${counts.warnings}`, role: counts.warnings ? 'warning' : 'muted' },
  ];
  if (counts.waiting) countParts.push({ text: `◷${counts.waiting}`, role: 'warning' });
  if (counts.rejected) countParts.push({ text: `⊘${counts.rejected}`, role: 'error' });

  const scopes: KeyScope[] = [focused, 'list', 'global'];
  const hints = hintsFor(scopes).map((h) => `${h.keys} ${h.text}`);
  // below 100 columns the labels go without their 'sqlite '/'pg ' names (a path and a URL tell themselves apart)
  const named = width >= 100;
  // run info and counts (each part plus its ' │ ') and the connections' fixed text ('sqlite ', ' ●', ' │ ', 'pg ', ' ●', ' │ ')
  const fixedWidth = middle.reduce((n, p) => n + textWidth(p.text) + 3, 0) + countParts.reduce((n, p) => n + textWidth(p.text) + 1, 0) - 1 + (named ? 'sqlite  ● │ pg  ● │ ' : ' ● │  ● │ ').length;
  // from 100 columns two hints keep their place; the connection labels share the rest (6 to 48 cells each)
  const hintFloor = named ? textWidth(hints.slice(0, 2).join('  ')) + 3 : 0;
  const perLabel = Math.max(6, Math.min(48, Math.floor((width - fixedWidth - hintFloor) / 2)));
  const conn = (name: string, c: ConnectionView): Part[] => [
    { text: `${named ? name + ' ' : ''}${keepEnd(c.label, perLabel)} ` },
    { text: CONNECTION_LOOK[c.state].symbol, role: CONNECTION_LOOK[c.state].role },
  ];
  const sep: Part = { text: ' │ ', role: 'muted' };
  const parts: Part[] = [...conn('sqlite', connections.sqlite), sep, ...conn('pg', connections.postgres), sep];
  middle.forEach((p) => parts.push(p, sep));
  countParts.forEach((p, i) => parts.push(i === 0 ? p : { text: ' ' + p.text, role: p.role }));
  const used = parts.reduce((n, p) => n + textWidth(p.text), 0);
  const room = width - used - 3;
  if (room > 4) {
    let hintText = '';
    for (const h of hints) {
      const next = hintText ? `${hintText}  ${h}` : h;
      if (textWidth(next) > room) break;
      hintText = next;
    }
    if (hintText) parts.push(sep, { text: hintText, role: 'muted' });
  }
  // never wider than the terminal
  let left = width;
  return parts.flatMap((p) => {
    if (left <= 0) return [];
    const text = truncate(p.text, left);
    left -= textWidth(text);
    return [{ ...p, text }];
  });
}

export function StatusBar({ snapshot, focused, width }: StatusBarProps) {
  const theme = useTheme();
  const parts = statusParts(snapshot, focused, width);
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate-end">
        {parts.map((p, i) => (
          <Text key={i} {...(p.role ? theme.style(p.role) : {})}>
            {p.text}
          </Text>
        ))}
      </Text>
    </Box>
  );
}
