/**
 * A drift finding: what `replicate verify` reports. Shape is part of the public
 * `--json` contract: {"ok", "summary", "issues": Finding[]}.
 */
export type Severity = 'error' | 'warning' | 'info';

export type FindingKind =
  | 'missing_table'
  | 'missing_column'
  | 'type_mismatch'
  | 'nullability'
  | 'default'
  | 'generated_column'
  | 'primary_key'
  | 'foreign_key'
  | 'missing_cursor_index'
  | 'unmapped_column';

export interface Finding {
  /** error: blocks replication; warning: lossy or slow; info: worth knowing */
  severity: Severity;
  kind: FindingKind;
  /** PostgreSQL table name (the mapped name) */
  table: string;
  /** column name on the side the finding is about, or null for table-level findings */
  column: string | null;
  /** the side that lacks or differs: 'sqlite', 'postgres' or 'both' */
  side: 'sqlite' | 'postgres' | 'both';
  detail: string;
}

export interface VerifySummary {
  errors: number;
  warnings: number;
  infos: number;
}

export const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function summarize(findings: readonly Finding[]): VerifySummary {
  return {
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    infos: findings.filter((f) => f.severity === 'info').length,
  };
}

/** Errors first, then by table, then column: the order of the human report. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      a.table.localeCompare(b.table) ||
      severityRank[a.severity] - severityRank[b.severity] ||
      (a.column ?? '').localeCompare(b.column ?? '') ||
      a.kind.localeCompare(b.kind),
  );
}
