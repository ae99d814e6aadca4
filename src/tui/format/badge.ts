/**
 * How a table badge reads: a symbol (so it works without colour), a short text and the
 * colour role. The explorer draws these; the status bar and help can reuse them.
 */
import type { TableBadge } from '../state/tui-snapshot.js';
import type { ColorRole } from '../theme.js';
import { formatCompact } from './count.js';

export interface BadgeLook {
  symbol: string;
  text: string;
  role: ColorRole;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A spinner frame from the clock: every redraw of a running table moves it on. */
export function spinnerFrame(now: number): string {
  return SPINNER[Math.floor(now / 100) % SPINNER.length] ?? '⠋';
}

export function badgeLook(b: TableBadge, now: number = Date.now()): BadgeLook {
  switch (b.kind) {
    case 'in-sync':
      return { symbol: '✓', text: '', role: 'ok' };
    case 'pending':
      return { symbol: '…', text: formatCompact(b.rows), role: 'muted' };
    case 'running':
      return { symbol: spinnerFrame(now), text: b.percent === null ? '' : `${Math.floor(b.percent)}%`, role: 'running' };
    case 'waiting':
      return { symbol: '◷', text: formatCompact(b.rows), role: 'warning' };
    case 'rejected':
      return { symbol: '✗', text: formatCompact(b.rows), role: 'error' };
    case 'drift':
      return b.severity === 'error'
        ? { symbol: '!!', text: String(b.count), role: 'error' }
        : { symbol: '!', text: String(b.count), role: 'warning' };
    case 'conflict':
      return { symbol: '⇄', text: formatCompact(b.rows), role: 'warning' };
  }
}
