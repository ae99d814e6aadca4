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
  /** what the badge means, for help and legends */
  meaning: string;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A spinner frame from the clock: every redraw of a running table moves it on. */
export function spinnerFrame(now: number): string {
  return SPINNER[Math.floor(now / 100) % SPINNER.length] ?? '⠋';
}

export function badgeLook(b: TableBadge, now: number = Date.now()): BadgeLook {
  switch (b.kind) {
    case 'in-sync':
      return { symbol: '✓', text: '', role: 'ok', meaning: 'in sync' };
    case 'pending':
      return { symbol: '…', text: formatCompact(b.rows), role: 'muted', meaning: `${b.rows} rows pending` };
    case 'running':
      return { symbol: spinnerFrame(now), text: b.percent === null ? '' : `${Math.floor(b.percent)}%`, role: 'running', meaning: 'running' };
    case 'waiting':
      return { symbol: '◷', text: formatCompact(b.rows), role: 'warning', meaning: `${b.rows} rows waiting on parents` };
    case 'rejected':
      return { symbol: '✗', text: formatCompact(b.rows), role: 'error', meaning: `${b.rows} rows rejected` };
    case 'drift':
      return b.severity === 'error'
        ? { symbol: '!!', text: String(b.count), role: 'error', meaning: `${b.count} drift errors` }
        : { symbol: '!', text: String(b.count), role: 'warning', meaning: `${b.count} drift warnings` };
    case 'conflict':
      return { symbol: '⇄', text: formatCompact(b.rows), role: 'warning', meaning: `${b.rows} rows in conflict` };
  }
}

/** "◷2" — symbol and text as one token. */
export function badgeToken(b: TableBadge, now?: number): string {
  const look = badgeLook(b, now);
  return look.symbol + look.text;
}
