/**
 * The human verify report: grouped by table, tables with errors first, errors first
 * within a table, then a one-line summary and the next step.
 */
import { severityRank, type Finding, type Severity } from '../../verify/finding.js';
import type { VerifyReport } from '../../verify/verify-schemas.js';
import type { Style } from '../io.js';

const MARK: Record<Severity, string> = { error: '✗ error  ', warning: '! warning', info: '· info   ' };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function renderVerifyText(report: VerifyReport, header: string, style: Style): string {
  const lines: string[] = [header, ''];
  const byTable = new Map<string, Finding[]>();
  for (const f of report.issues) byTable.set(f.table, [...(byTable.get(f.table) ?? []), f]);
  const worst = (fs: Finding[]): number => Math.min(...fs.map((f) => severityRank[f.severity]));
  const tables = [...byTable.entries()].sort((a, b) => worst(a[1]) - worst(b[1]) || a[0].localeCompare(b[0]));
  const paint = (s: Severity, text: string): string => (s === 'error' ? style.red(text) : s === 'warning' ? style.yellow(text) : style.dim(text));

  for (const [table, findings] of tables) {
    lines.push(style.bold(table));
    const sorted = [...findings].sort((a, b) => severityRank[a.severity] - severityRank[b.severity]);
    for (const f of sorted) {
      const where = f.column === null ? '' : ` ${f.column}`;
      lines.push(`  ${paint(f.severity, MARK[f.severity])}  ${f.kind}${where} [${f.side}]`);
      lines.push(`      ${f.detail}`);
    }
    lines.push('');
  }
  const { errors, warnings, infos } = report.summary;
  const counts = `${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(infos, 'info')}`;
  if (report.issues.length === 0) lines.push(style.green('schemas agree: no drift found'));
  else if (errors > 0) {
    lines.push(`${style.red(counts)}: drift blocks replication`);
    lines.push(style.dim('next: `replicate fix-script` writes the SQL that aligns SQLite (review it, then --apply)'));
  } else lines.push(`${counts}: no errors; replication can run`);
  return lines.join('\n');
}
