/**
 * The explorer's badges for one table, derived from what the store knows of it: this
 * run's progress, the ledgers, and the drift findings. Pure, so the store and tests agree.
 */
import type { Finding } from '../../verify/finding.js';
import type { TableBadge, TableProgress } from './tui-snapshot.js';

export interface BadgeInput {
  progress: TableProgress | null;
  waiting: number;
  rejected: number;
  findings: readonly Finding[];
}

export function tableBadges(t: BadgeInput): TableBadge[] {
  const badges: TableBadge[] = [];
  const p = t.progress;
  if (p?.state === 'running') badges.push({ kind: 'running', percent: p.total ? Math.min(100, Math.floor((p.done * 100) / p.total)) : null });
  if (p?.state === 'queued' && p.total !== null) badges.push({ kind: 'pending', rows: p.total });
  if (t.waiting > 0) badges.push({ kind: 'waiting', rows: t.waiting });
  if (t.rejected > 0) badges.push({ kind: 'rejected', rows: t.rejected });
  const errors = t.findings.filter((f) => f.severity === 'error').length;
  const warnings = t.findings.filter((f) => f.severity === 'warning').length;
  if (errors > 0) badges.push({ kind: 'drift', severity: 'error', count: errors });
  else if (warnings > 0) badges.push({ kind: 'drift', severity: 'warning', count: warnings });
  if (p?.state === 'done' && t.waiting === 0 && t.rejected === 0 && errors === 0) badges.push({ kind: 'in-sync' });
  return badges;
}
