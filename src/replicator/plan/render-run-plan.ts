/**
 * The run plan as `replicate run --dry-run` prints it: one line per table in load order,
 * then the cycles and what they defer, then notes. Plain text, no colour, deterministic
 * (no locale, no clock), so it can be compared and pasted into an issue.
 */
import type { RunPlan, TablePlan } from '../run-plan.js';
import { describeFk } from './fk-graph.js';

const HEADERS = ['#', 'table', 'mode', 'key', 'columns', 'deferred', 'FK parents', 'est. rows'] as const;
/** right-aligned columns (numbers) */
const RIGHT = new Set<number>([0, 4, 7]);

/** 1234567 -> "1,234,567" without the locale's say. */
function grouped(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function modeText(t: TablePlan): string {
  if (t.mode === 'incremental') return `incremental by ${t.cursor ?? '?'}`;
  return t.cursor ? `full (cursor ${t.cursor} ignored)` : 'full (no cursor)';
}

function keyText(t: TablePlan): string {
  const key = t.key.join(', ');
  const kt = t.keyTranslation;
  return kt ? `${key} = SQLite ${kt.serverId} (local key ${kt.sqliteKey.join(', ')})` : key;
}

function parentsText(t: TablePlan): string {
  const parents = [...new Set(t.foreignKeys.map((fk) => (fk.selfReference ? 'self' : fk.refTable)))];
  return parents.length ? parents.join(', ') : '-';
}

function row(t: TablePlan, i: number): string[] {
  return [
    String(i + 1),
    t.sqliteTable === t.table ? t.table : `${t.table} (SQLite ${t.sqliteTable})`,
    modeText(t),
    keyText(t),
    String(t.columns.length),
    t.deferredColumns.length ? t.deferredColumns.join(', ') : '-',
    parentsText(t),
    grouped(t.estimatedRows),
  ];
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = HEADERS.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    '  ' +
    cells
      .map((cell, c) => (RIGHT.has(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(HEADERS), ...rows.map(line)];
}

export function renderRunPlan(plan: RunPlan): string {
  const n = plan.tables.length;
  const out: string[] = [];
  if (n === 0) {
    out.push(`Plan ${plan.direction}: nothing to replicate`);
  } else {
    out.push(`Plan ${plan.direction}: ${n} table${n === 1 ? '' : 's'}, parents before children`, '');
    out.push(...table(plan.tables.map(row)));
  }

  const filtered = plan.tables.filter((t) => t.filter !== null);
  if (filtered.length) {
    out.push('', 'Row filters:');
    for (const t of filtered) out.push(`  ${t.table}: ${t.filterBound ?? t.filter ?? ''}`);
  }

  const selfRefs = plan.tables.filter((t) => t.foreignKeys.some((fk) => fk.selfReference));
  if (selfRefs.length) {
    out.push('', 'Self-references (parent rows load before their children within the table):');
    for (const t of selfRefs) {
      for (const fk of t.foreignKeys.filter((f) => f.selfReference)) out.push(`  ${describeFk(t.table, fk.columns, fk.refTable)}`);
    }
  }

  if (plan.cycles.length) {
    out.push('', 'Cycles (loaded together; deferred columns are written NULL first, then set in a second pass):');
    for (const cycle of plan.cycles) {
      const members = new Set(cycle);
      const deferred = plan.tables
        .filter((t) => members.has(t.table))
        .flatMap((t) => t.foreignKeys.filter((fk) => fk.deferred).map((fk) => describeFk(t.table, fk.columns, fk.refTable)));
      out.push(`  ${cycle.join(', ')}: deferred ${deferred.length ? deferred.join('; ') : '(none)'}`);
    }
  }

  if (plan.owed?.length) {
    out.push('', "Owed to tables a cut-off --create-missing run created (added once their tables' rows are in):");
    for (const o of plan.owed) out.push(`  ${o.table}: ${o.kind} ${o.name} ${o.detail}`);
  }

  if (plan.notes.length) {
    out.push('', 'Notes:');
    for (const note of plan.notes) out.push(`  - ${note}`);
  }
  return out.join('\n');
}
