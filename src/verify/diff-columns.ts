/**
 * Column-level drift of one mapped table: missing and unmapped columns, types,
 * nullability, defaults, generated columns. Severity follows what blocks a run:
 * an error stops replication of the table, a warning loses or slows something.
 */
import { findColumn, type Column, type Table } from '../model/schema.js';
import { compareTypes } from '../mapping/type-compat.js';
import type { ColumnPair } from '../mapping/table-mapping.js';
import { compareDefaults } from './default-expr.js';
import type { Finding } from './finding.js';
import type { MappedTable } from './mapped-pair.js';

type Emit = (f: Omit<Finding, 'table'>) => void;

/** NOT NULL with nothing to fill it: a row arriving without the column cannot be written. */
function requiresValue(c: Column): boolean {
  return !c.nullable && c.default === null && c.identity === null && c.generated === null;
}

function mappingName(t: MappedTable): string {
  return t.source.kind === 'file' ? t.source.path : 'the generated mapping';
}

export function diffColumns(t: MappedTable, emit: Emit): void {
  const { mapping, sqlite, postgres } = t;
  if (!sqlite || !postgres) return;
  for (const p of mapping.columns) diffPair(p, sqlite, postgres, mapping.key.serverId, emit);
  diffSkippedGenerated(t, emit);
  diffUnmapped(t, emit);
}

function diffPair(p: ColumnPair, sqlite: Table, postgres: Table, serverId: string | null, emit: Emit): void {
  const sq = findColumn(sqlite, p.sqlite);
  const pg = findColumn(postgres, p.postgres);
  const rename = p.sqlite !== p.postgres ? ` (mapped from SQLite ${p.sqlite})` : '';
  if (!sq && !pg) {
    // an error: `run` refuses such a mapping file (plan/mapping-file-names.ts), so verify says it blocks
    emit({ severity: 'error', kind: 'missing_column', column: p.postgres, side: 'both', detail: `mapped column exists on neither side${rename}; remove it from the mapping` });
    return;
  }
  if (!sq && pg) {
    const blocks = requiresValue(pg);
    emit({
      severity: blocks ? 'error' : 'warning',
      kind: 'missing_column',
      column: p.sqlite,
      side: 'sqlite',
      detail: blocks
        ? `missing in SQLite; PostgreSQL declares ${pg.declaredType} NOT NULL without a default, so rows from SQLite cannot be written`
        : `missing in SQLite; PostgreSQL ${pg.declaredType} values are not kept on the terminal`,
    });
    return;
  }
  if (sq && !pg) {
    const blocks = requiresValue(sq);
    emit({
      severity: blocks ? 'error' : 'warning',
      kind: 'missing_column',
      column: p.postgres,
      side: 'postgres',
      detail:
        `exists only in SQLite (${sq.declaredType || 'untyped'}); its values do not reach PostgreSQL. ` +
        'Add it to PostgreSQL, list it under local_only.sqlite, or pair it with a PostgreSQL column' +
        (blocks ? '; SQLite declares it NOT NULL without a default, so rows from PostgreSQL cannot be written' : ''),
    });
    return;
  }
  if (!sq || !pg) return;
  diffType(p, sq, pg, emit);
  diffNullability(p, sq, pg, sqlite, serverId, emit);
  diffDefault(p, sq, pg, emit);
  if (pg.generated) {
    emit({ severity: 'warning', kind: 'generated_column', column: p.postgres, side: 'postgres', detail: `generated in PostgreSQL (${pg.generated.expression}) but paired with SQLite ${p.sqlite}; it is never written in PostgreSQL, list it under skip_generated` });
  }
  if (sq.generated) {
    emit({ severity: 'warning', kind: 'generated_column', column: p.sqlite, side: 'sqlite', detail: `generated in SQLite (${sq.generated.expression}); pg-to-sqlite runs do not write it` });
  }
}

function diffType(p: ColumnPair, sq: Column, pg: Column, emit: Emit): void {
  const c = compareTypes(sq, pg);
  const levels = [c.toPostgres.level, c.toSqlite.level];
  if (levels.every((l) => l === 'lossless')) return;
  const incompatible = levels.includes('incompatible');
  const reasons = [...new Set([c.toPostgres, c.toSqlite].filter((d) => d.level !== 'lossless').map((d) => d.reason))];
  emit({
    severity: incompatible ? 'error' : 'warning',
    kind: 'type_mismatch',
    column: p.postgres,
    side: 'both',
    detail: `SQLite ${sq.declaredType || 'untyped'} vs PostgreSQL ${pg.declaredType}: ${reasons.join('; ')}`,
  });
}

function diffNullability(p: ColumnPair, sq: Column, pg: Column, sqlite: Table, serverId: string | null, emit: Emit): void {
  // SQLite reports non-INTEGER primary key columns as nullable; the key is never NULL in practice.
  if (sqlite.primaryKey?.includes(sq.name)) return;
  // server_id is NULL by design until a row made on the terminal has reached PostgreSQL
  if (serverId === sq.name) return;
  if (sq.nullable && !pg.nullable) {
    emit({ severity: 'warning', kind: 'nullability', column: p.postgres, side: 'sqlite', detail: 'NOT NULL in PostgreSQL but nullable in SQLite: SQLite rows with NULL here are rejected going to PostgreSQL' });
  } else if (!sq.nullable && pg.nullable) {
    emit({ severity: 'warning', kind: 'nullability', column: p.postgres, side: 'sqlite', detail: 'NOT NULL in SQLite but nullable in PostgreSQL: PostgreSQL rows with NULL here are rejected going to SQLite' });
  }
}

function diffDefault(p: ColumnPair, sq: Column, pg: Column, emit: Emit): void {
  if (pg.identity || sq.identity || pg.generated || sq.generated) return;
  if (compareDefaults(sq.default, pg.default) !== 'different') return;
  emit({
    severity: 'info',
    kind: 'default',
    column: p.postgres,
    side: 'sqlite',
    detail: `default ${sq.default ?? 'none'} in SQLite, ${pg.default ?? 'none'} in PostgreSQL`,
  });
}

function diffSkippedGenerated(t: MappedTable, emit: Emit): void {
  for (const name of t.mapping.skipGenerated) {
    const pg = t.postgres && findColumn(t.postgres, name);
    const sq = t.sqlite && findColumn(t.sqlite, name);
    const gen = pg?.generated ?? sq?.generated;
    if (!gen) continue;
    const where = pg?.generated ? 'PostgreSQL' : 'SQLite';
    const other = pg?.generated ? (sq ? 'present in SQLite as a plain column' : 'absent from SQLite') : pg ? 'present in PostgreSQL' : 'absent from PostgreSQL';
    emit({
      severity: 'info',
      kind: 'generated_column',
      column: name,
      side: pg?.generated ? 'postgres' : 'sqlite',
      detail: `generated in ${where} (${gen.expression}), ${other}: expected, never written`,
    });
  }
}

function diffUnmapped(t: MappedTable, emit: Emit): void {
  const m = t.mapping;
  const coveredPg = new Set([...m.columns.map((c) => c.postgres), ...m.localOnly.postgres, ...m.skipGenerated]);
  const coveredSq = new Set([...m.columns.map((c) => c.sqlite), ...m.localOnly.sqlite, ...m.skipGenerated]);
  if (m.key.serverId) coveredSq.add(m.key.serverId);
  const hint = `not in ${mappingName(t)}: its values are not replicated; run \`replicate map\` to add it`;
  for (const c of t.postgres?.columns ?? []) {
    if (!coveredPg.has(c.name)) emit({ severity: 'warning', kind: 'unmapped_column', column: c.name, side: 'postgres', detail: `PostgreSQL column ${hint}` });
  }
  for (const c of t.sqlite?.columns ?? []) {
    if (!coveredSq.has(c.name)) emit({ severity: 'warning', kind: 'unmapped_column', column: c.name, side: 'sqlite', detail: `SQLite column ${hint}` });
  }
}
