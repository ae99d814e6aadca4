/**
 * Builds the run plan from the mapped schema model: which tables and columns a run
 * copies, in FK order, with keys, cursors, the FKs the guard checks and the columns a
 * cycle defers. Everything is phrased in source/target, so nothing here branches on the
 * dialect; the direction only decides which side is which (ENDS).
 */
import { ConfigError, PlanError } from '../../errors.js';
import type { SchemaPair } from '../../introspect/introspect-pair.js';
import type { ColumnPair, LoadedMapping, TableMapping } from '../../mapping/table-mapping.js';
import { findColumn, findTable, type CanonicalKind, type Column, type Side, type Table } from '../../model/schema.js';
import type { Direction, PlannedColumn, PlannedForeignKey, RunPlan, TablePlan } from '../run-plan.js';
import { TIME_FORMATS, type TimeFormat } from '../values/time-format.js';
import { describeFk } from './fk-graph.js';
import { refuseMissingNames } from './mapping-file-names.js';
import { planTableOrder } from './plan-table-order.js';

export interface BuildPlanOptions {
  direction: Direction;
  /** --tables a,b: only these (PostgreSQL names) */
  tables?: string[];
  /** --full: every table is copied in full, checkpoints ignored */
  full?: boolean;
}

/** Which database each direction reads and which it writes. */
const ENDS: Record<Direction, { source: Side; target: Side }> = {
  'sqlite-to-pg': { source: 'sqlite', target: 'postgres' },
  'pg-to-sqlite': { source: 'postgres', target: 'sqlite' },
};

const SIDES: readonly Side[] = ['postgres', 'sqlite'];
const SIDE_LABEL: Record<Side, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** What the user can do about a table the target lacks. */
const MISSING_TABLE_HINT: Record<Side, string> = {
  sqlite: 'run `replicate fix-script --apply` or `run --create-missing`',
  postgres: 'create it in PostgreSQL or run `replicate run --create-missing`',
};

const PAIR_NAME: Record<Side, (pair: ColumnPair) => string> = { sqlite: (p) => p.sqlite, postgres: (p) => p.postgres };
const PLANNED_NAME: Record<Side, (column: PlannedColumn) => string> = { sqlite: (c) => c.sqlite, postgres: (c) => c.pg };

/** The text format a SQLite date/time column gets when `map` recorded none. */
const DEFAULT_SQLITE_FORMAT: Partial<Record<CanonicalKind, TimeFormat>> = { timestamp: 'iso-t-z', timestamptz: 'iso-t-z', date: 'date' };

const TIME_FORMAT_SET: ReadonlySet<string> = new Set(TIME_FORMATS);
const isTimeFormat = (v: unknown): v is TimeFormat => typeof v === 'string' && TIME_FORMAT_SET.has(v);

/** The profiled format recorded on a pair by `replicate map`, when the mapping carries one. */
function recordedFormat(pair: ColumnPair): TimeFormat | null {
  const value: unknown = 'format' in pair ? pair.format : null;
  return isTimeFormat(value) ? value : null;
}

interface Candidate {
  mapping: TableMapping;
  sides: Record<Side, Table>;
  columns: PlannedColumn[];
  key: string[];
  keyTranslation: TablePlan['keyTranslation'];
  cursor: string | null;
}

interface Notes {
  general: string[];
  /** per table, listed by table name so the reader finds them */
  byTable: { table: string; text: string }[];
}

export function buildRunPlan(schemas: SchemaPair, mappings: readonly LoadedMapping[], options: BuildPlanOptions): RunPlan {
  const { source, target } = ENDS[options.direction];
  const selected = selectMappings(mappings, options.tables);
  // a name the user's file gives that the source lacks is a typo, not a table to skip with a note
  refuseMissingNames(schemas, selected, source);
  const notes: Notes = { general: mappingSourceNotes(selected), byTable: [] };
  const note = (table: string, text: string): void => void notes.byTable.push({ table, text: `${table}${text}` });

  const candidates: Candidate[] = [];
  for (const { mapping: m } of selected) {
    const sides: Record<Side, Table | undefined> = { postgres: findTable(schemas.postgres, m.table), sqlite: findTable(schemas.sqlite, m.sqliteTable) };
    const targetTable = sides[target];
    const sourceTable = sides[source];
    if (!targetTable) {
      note(m.table, `: missing in ${SIDE_LABEL[target]}; ${MISSING_TABLE_HINT[target]}`);
      continue;
    }
    if (!sourceTable) {
      note(m.table, `: missing in ${SIDE_LABEL[source]}, the source; nothing to copy`);
      continue;
    }
    const { postgres, sqlite } = sides;
    if (postgres && sqlite) candidates.push(planTable(m, { postgres, sqlite }, target, note));
  }

  const planned = new Set(candidates.map((c) => c.mapping.table));
  const fksOf = new Map(candidates.map((c) => [c.mapping.table, guardedForeignKeys(c, target, planned, note)]));
  const ordered = planTableOrder(
    candidates.map((c) => ({ name: c.mapping.table, priority: c.mapping.priority, foreignKeys: fksOf.get(c.mapping.table) ?? [] })),
  );
  const byName = new Map(candidates.map((c) => [c.mapping.table, c]));
  const tables = ordered.order.flatMap((name): TablePlan[] => {
    const c = byName.get(name);
    if (!c) return [];
    const deferred = ordered.deferred.filter((d) => d.table === name);
    const isDeferred = (fk: { columns: string[]; refTable: string }): boolean =>
      deferred.some((d) => d.refTable === fk.refTable && d.columns.join('\u0000') === fk.columns.join('\u0000'));
    const foreignKeys: PlannedForeignKey[] = (fksOf.get(name) ?? []).map((fk) => ({
      columns: fk.columns,
      refTable: fk.refTable,
      refColumns: fk.refColumns,
      deferred: isDeferred(fk),
      selfReference: fk.refTable === name,
    }));
    return [
      {
        table: name,
        sqliteTable: c.mapping.sqliteTable,
        columns: c.columns,
        key: c.key,
        keyTranslation: c.keyTranslation,
        cursor: c.cursor,
        mode: c.cursor && !options.full ? 'incremental' : 'full',
        foreignKeys,
        deferredColumns: [...new Set(deferred.flatMap((d) => d.columns))],
        filter: c.mapping.filter,
        estimatedRows: 0,
      },
    ];
  });

  const byTable = [...notes.byTable].sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
  return { direction: options.direction, tables, cycles: ordered.cycles, notes: [...notes.general, ...byTable.map((n) => n.text)] };
}

/** --tables: PostgreSQL names; an unknown name is an error that names it. */
function selectMappings(mappings: readonly LoadedMapping[], only: readonly string[] | undefined): LoadedMapping[] {
  const sorted = [...mappings].sort((a, b) => (a.mapping.table < b.mapping.table ? -1 : a.mapping.table > b.mapping.table ? 1 : 0));
  if (!only) return sorted;
  const wanted = new Set(only);
  const known = new Set(sorted.map((m) => m.mapping.table));
  const unknown = [...wanted].filter((t) => !known.has(t));
  if (unknown.length > 0) throw unknownTablesError('tables', unknown, sorted, [...known]);
  return sorted.filter((m) => wanted.has(m.mapping.table));
}

/**
 * A table flag (`--tables`, `reset --table`) naming tables the pair does not have: names
 * them, says a SQLite name was given where it is one, and lists the tables `known`.
 */
export function unknownTablesError(flag: string, unknown: readonly string[], mappings: readonly LoadedMapping[], known: readonly string[]): ConfigError {
  const hints = unknown.flatMap((t) => {
    const bySqliteName = mappings.find((m) => m.mapping.sqliteTable === t);
    return bySqliteName ? [`${t} is the SQLite name of ${bySqliteName.mapping.table}`] : [];
  });
  return new ConfigError(
    `--${flag}: unknown table${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (PostgreSQL names${hints.length ? `; ${hints.join('; ')}` : ''}; known: ${known.join(', ')})`,
    flag,
  );
}

function mappingSourceNotes(selected: readonly LoadedMapping[]): string[] {
  const generated = selected.filter((m) => m.source.kind === 'generated').map((m) => m.mapping.table);
  if (generated.length === 0) return [];
  if (generated.length === selected.length) return [`using the generated mapping for ${generated.length} table${generated.length === 1 ? '' : 's'} (no mapping files)`];
  return [`no mapping file for ${generated.join(', ')}: using the generated mapping`];
}

function planTable(m: TableMapping, sides: Record<Side, Table>, target: Side, note: (table: string, text: string) => void): Candidate {
  const columns: PlannedColumn[] = [];
  /** why a paired column is not in the plan, by PostgreSQL name */
  const left = new Map<string, string>();
  for (const pair of m.columns) {
    const found: Record<Side, Column | undefined> = { postgres: findColumn(sides.postgres, pair.postgres), sqlite: findColumn(sides.sqlite, pair.sqlite) };
    const missing = SIDES.find((side) => !found[side]);
    if (missing) {
      const why = `missing in ${SIDE_LABEL[missing]}`;
      left.set(pair.postgres, why);
      note(m.table, `.${PAIR_NAME[missing](pair)}: ${why}; not replicated`);
      continue;
    }
    const { postgres: pgCol, sqlite: sqCol } = found;
    if (!pgCol || !sqCol) continue;
    if (found[target]?.generated) {
      // computed by the target database: written by nobody but it
      left.set(pair.postgres, `generated in ${SIDE_LABEL[target]}`);
      continue;
    }
    columns.push({
      pg: pair.postgres,
      sqlite: pair.sqlite,
      pgType: pgCol.type,
      sqliteType: sqCol.type,
      transform: pair.transform,
      sqliteFormat: recordedFormat(pair) ?? DEFAULT_SQLITE_FORMAT[pair.type] ?? null,
    });
  }
  const plannedColumn = (pgName: string): PlannedColumn | undefined => columns.find((c) => c.pg === pgName);

  const key = [...m.key.postgres];
  if (key.length === 0) {
    throw new PlanError([m.table], 'no primary key on PostgreSQL and none set in the mapping, so rows cannot be upserted safely; add a primary key or set `key` in its mapping file');
  }
  for (const k of key) {
    if (!plannedColumn(k)) throw new PlanError([m.table], `key column ${k} is not replicated (${left.get(k) ?? 'not among the mapped column pairs'}), so rows cannot be upserted by it`);
  }
  let keyTranslation: TablePlan['keyTranslation'] = null;
  const serverId = m.key.serverId;
  if (serverId) {
    const holder = key.length === 1 ? plannedColumn(key[0] ?? '') : undefined;
    if (!holder || holder.sqlite !== serverId) {
      throw new PlanError([m.table], `key translation: PostgreSQL's key ${key.join(', ')} must pair with the SQLite column ${serverId} that holds it`);
    }
    const absent = m.key.sqlite.filter((k) => !findColumn(sides.sqlite, k));
    if (absent.length > 0 || m.key.sqlite.length === 0) {
      throw new PlanError([m.table], `key translation: SQLite key column ${absent.join(', ') || '(none)'} not found in ${m.sqliteTable}`);
    }
    keyTranslation = { sqliteKey: [...m.key.sqlite], serverId };
  }

  let cursor: string | null = null;
  if (m.cursor && plannedColumn(m.cursor)) cursor = m.cursor;
  else if (m.cursor) note(m.table, `: cursor ${m.cursor} is not replicated (${left.get(m.cursor) ?? 'not among the mapped column pairs'}), copied in full each run`);
  else note(m.table, ': no cursor column, copied in full each run');
  return { mapping: m, sides, columns, key, keyTranslation, cursor };
}

interface GuardedFk {
  columns: string[];
  refTable: string;
  refColumns: string[];
  /** all child columns may be NULL on the target, so the FK could be written in a second pass */
  nullable: boolean;
}

/** The mapping's FKs the run can check: parent planned too and child columns replicated. */
function guardedForeignKeys(c: Candidate, target: Side, planned: ReadonlySet<string>, note: (table: string, text: string) => void): GuardedFk[] {
  const table = c.mapping.table;
  const out: GuardedFk[] = [];
  for (const fk of c.mapping.foreignKeys) {
    const what = describeFk(table, fk.columns, fk.references);
    if (!planned.has(fk.references)) {
      note(table, `${what.slice(table.length)}: ${fk.references} not replicated in this run; rows are not checked against it`);
      continue;
    }
    const childColumns = fk.columns.map((name) => c.columns.find((col) => col.pg === name));
    const unplanned = fk.columns.filter((_, i) => !childColumns[i]);
    if (unplanned.length > 0) {
      note(table, `${what.slice(table.length)}: ${unplanned.join(', ')} not replicated; rows are not checked against ${fk.references}`);
      continue;
    }
    const nullable = childColumns.every((col) => !!col && findColumn(c.sides[target], PLANNED_NAME[target](col))?.nullable === true);
    out.push({ columns: [...fk.columns], refTable: fk.references, refColumns: [...fk.refColumns], nullable });
  }
  return out;
}
