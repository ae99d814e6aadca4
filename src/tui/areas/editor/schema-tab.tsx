/**
 * The Schema tab: the current table's columns side by side, SQLite | PostgreSQL, with
 * canonical types, the mapping rule that applies to each pair (rename, transform, key
 * translation, local-only, generated and skipped, cursor, FK) and drift findings under
 * the column they are about, marked with their severity.
 */
import type { Column, Table } from '../../../model/schema.js';
import type { TableMapping } from '../../../mapping/table-mapping.js';
import type { Finding } from '../../../verify/finding.js';
import type { TableView } from '../../state/tui-snapshot.js';
import { severityRole, useTheme, type Theme } from '../../theme.js';
import { canonicalTypeText } from '../../format/canonical-type.js';
import { fit, textWidth } from '../../format/text.js';
import type { Segment } from '../line.js';
import { ScrollView, type ViewLine } from '../scroll-view.js';

export interface TabProps {
  table: TableView;
  focused: boolean;
  width: number;
  height: number;
}

interface SchemaRow {
  sqlite: Column | null;
  sqliteName: string | null;
  postgres: Column | null;
  postgresName: string | null;
  rule: string;
}

export function SchemaTab({ table, focused, width, height }: TabProps) {
  const theme = useTheme();
  return <ScrollView lines={schemaLines(table, width, theme)} focused={focused} width={width} height={height} />;
}

const SEVERITY_MARK = { error: '!!', warning: '! ', info: 'i ' } as const;

export function schemaLines(table: TableView, width: number, theme: Theme): ViewLine[] {
  const lines: ViewLine[] = [];
  const m = table.mapping?.mapping ?? null;
  const muted = theme.style('muted');
  lines.push({
    segments: [
      { text: `SQLite ${table.sqliteName}`, style: theme.heading() },
      { text: '  ↔  ', style: muted },
      { text: `PostgreSQL ${table.name}`, style: theme.heading() },
      { text: m ? `   ${keyText(m)}` : '   no mapping', style: muted },
    ],
  });
  const findingLine = (f: Finding): ViewLine => ({
    segments: [
      { text: '   └ ', style: muted },
      { text: `${f.severity} ${f.kind}`, style: theme.style(severityRole(f.severity)) },
      { text: `: ${f.detail}` },
    ],
  });
  for (const f of table.findings.filter((x) => x.column === null)) lines.push(findingLine(f));

  // cells: "name type" on each side, then the rule; 2 cells for the severity mark, 2 separators
  const rows = schemaRows(table, m);
  // "not null" is the first thing to go when the box is narrow: names and types matter more
  const fitsAll = sideWidths(rows, width, true);
  const withNull = fitsAll !== null;
  const [sqSide, pgSide] = fitsAll ?? sideWidths(rows, width, false) ?? [10, 10];
  const sep = { text: ' │ ', style: muted };
  lines.push({ segments: [{ text: '  ' }, { text: fit('SQLite', sqSide), style: muted }, sep, { text: fit('PostgreSQL', pgSide), style: muted }, sep, { text: 'rule', style: muted }] });
  const claimed = new Set<Finding>();
  for (const row of rows) {
    const rowFindings = table.findings.filter(
      (f) => f.column !== null && !claimed.has(f) && (f.column === row.postgresName || f.column === row.sqliteName),
    );
    rowFindings.forEach((f) => claimed.add(f));
    const worst = rowFindings.find((f) => f.severity === 'error') ?? rowFindings.find((f) => f.severity === 'warning') ?? rowFindings[0];
    const segments: Segment[] = [
      worst ? { text: SEVERITY_MARK[worst.severity], style: theme.style(severityRole(worst.severity)) } : { text: '  ' },
      { text: fit(cell(row.sqliteName, row.sqlite, withNull), sqSide), ...(row.sqliteName ? {} : { style: muted }) },
      sep,
      { text: fit(cell(row.postgresName, row.postgres, withNull), pgSide), ...(row.postgresName ? {} : { style: muted }) },
      sep,
      { text: row.rule, style: theme.style('info') },
    ];
    lines.push({ segments });
    for (const f of rowFindings) lines.push(findingLine(f));
  }
  // findings about a column no row shows (a name the mapping no longer has)
  for (const f of table.findings.filter((x) => x.column !== null && !claimed.has(x))) lines.push({ ...findingLine(f), segments: [{ text: `   ${f.column} └ `, style: muted }, ...findingLine(f).segments.slice(1)] });
  return lines;
}

/** Each side as wide as its longest cell, squeezed in proportion when the rule would get under 16 cells. */
function sideWidths(rows: readonly SchemaRow[], width: number, withNullability: boolean): [number, number] | null {
  const natural = (pick: (r: SchemaRow) => string): number => Math.max(10, ...rows.map((r) => textWidth(pick(r))));
  const sq = natural((r) => cell(r.sqliteName, r.sqlite, withNullability));
  const pg = natural((r) => cell(r.postgresName, r.postgres, withNullability));
  const room = Math.max(16, width - 8 - 16);
  if (sq + pg <= room) return [sq, pg];
  if (withNullability) return null;
  const sqShare = Math.max(8, Math.floor((room * sq) / (sq + pg)));
  return [sqShare, Math.max(8, room - sqShare)];
}

function cell(name: string | null, column: Column | null, withNullability: boolean): string {
  if (name === null) return '—';
  if (column === null) return `${name} (missing)`;
  return `${name} ${canonicalTypeText(column.type)}${column.nullable || !withNullability ? '' : ' not null'}`;
}

function keyText(m: TableMapping): string {
  const k = m.key;
  if (k.serverId) return `key: SQLite ${k.sqlite.join(',')}, PostgreSQL ${k.postgres.join(',')} kept in ${k.serverId}`;
  return `key: ${k.postgres.join(', ') || 'none'}`;
}

/** Every column of both sides once: mapped pairs in mapping order, then local-only, generated and unmapped ones. */
function schemaRows(table: TableView, m: TableMapping | null): SchemaRow[] {
  const sq = table.sqlite;
  const pg = table.postgres;
  const col = (t: Table | null, name: string): Column | null => t?.columns.find((c) => c.name === name) ?? null;
  const rows: SchemaRow[] = [];
  const seenSq = new Set<string>();
  const seenPg = new Set<string>();
  if (m) {
    for (const p of m.columns) {
      rows.push({ sqlite: col(sq, p.sqlite), sqliteName: p.sqlite, postgres: col(pg, p.postgres), postgresName: p.postgres, rule: pairRule(m, p.postgres, p.sqlite, p.transform) });
      seenSq.add(p.sqlite);
      seenPg.add(p.postgres);
    }
    for (const name of m.localOnly.sqlite.filter((n) => !seenSq.has(n))) {
      rows.push({ sqlite: col(sq, name), sqliteName: name, postgres: null, postgresName: null, rule: m.key.sqlite.includes(name) ? 'local-only (SQLite key)' : 'local-only' });
      seenSq.add(name);
    }
    for (const name of m.localOnly.postgres.filter((n) => !seenPg.has(n))) {
      rows.push({ sqlite: null, sqliteName: null, postgres: col(pg, name), postgresName: name, rule: 'local-only' });
      seenPg.add(name);
    }
    for (const name of m.skipGenerated) {
      const onPg = col(pg, name);
      const onSq = col(sq, name);
      rows.push({ sqlite: onSq, sqliteName: onSq ? name : null, postgres: onPg, postgresName: onPg ? name : null, rule: 'generated: skipped' });
      if (onPg) seenPg.add(name);
      if (onSq) seenSq.add(name);
    }
  }
  for (const c of pg?.columns ?? []) if (!seenPg.has(c.name)) rows.push({ sqlite: null, sqliteName: null, postgres: c, postgresName: c.name, rule: m ? 'not in mapping' : '' });
  for (const c of sq?.columns ?? []) if (!seenSq.has(c.name)) rows.push({ sqlite: c, sqliteName: c.name, postgres: null, postgresName: null, rule: m ? 'not in mapping' : '' });
  return rows;
}

function pairRule(m: TableMapping, pgName: string, sqName: string, transform: string): string {
  const parts: string[] = [];
  if (m.key.serverId && sqName === m.key.serverId) parts.push('key translation');
  else if (m.key.postgres.includes(pgName)) parts.push('key');
  if (pgName !== sqName && sqName !== m.key.serverId) parts.push('rename');
  if (transform !== 'none') parts.push(transform);
  if (m.cursor === pgName) parts.push('cursor');
  if (m.softDelete?.column === pgName) parts.push(`soft delete (${m.softDelete.kind})`);
  const fk = m.foreignKeys.find((f) => f.columns.includes(pgName));
  if (fk) parts.push(`FK → ${fk.references}`);
  return parts.join(', ');
}
