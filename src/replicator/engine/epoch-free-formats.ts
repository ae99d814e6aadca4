/**
 * A sqlite-to-pg run reads SQLite dates into PostgreSQL, and there a column's profiled
 * format decides one thing only: whether numbers are epoch seconds or milliseconds
 * (sqlite-to-pg.ts, timeCodec). A column whose profiling samples are all text starting
 * with a date ('YYYY-MM-DD...') can never be profiled as an epoch format (neither the
 * date parser nor the decimal parser reads such text as a number), so its exact format
 * changes nothing on the way to PostgreSQL. Such columns get the default format here, one
 * SQLite query each, and skip classifying up to 1,000 values per column on every run on
 * generated mappings, most of what planning an incremental run used to cost.
 * pg-to-sqlite runs, `--create-missing` (which picks PostgreSQL types by format) and
 * `--dry-run` (which shows the formats) still profile every column.
 */
import type Database from 'better-sqlite3';
import type { Table } from '../../model/schema.js';
import type { TableMapping } from '../../mapping/table-mapping.js';
import { quoteIdent } from '../../sql/quote.js';
import { PROFILE_SAMPLE_SIZE } from '../values/profile-time-format.js';
import { DEFAULT_TIME_FORMAT } from '../values/time-format.js';

const TIME_KINDS: ReadonlySet<string> = new Set(['timestamp', 'timestamptz', 'date']);

/** True when the column's profiling sample (the same rows profileSqliteTimeFormats reads) holds only date-led text. */
function dateLedOnly(db: Database.Database, table: string, column: string): boolean {
  const c = quoteIdent(column);
  const sample = `SELECT ${c} AS v FROM ${quoteIdent(table)} WHERE ${c} IS NOT NULL LIMIT ${PROFILE_SAMPLE_SIZE}`;
  const sql = `SELECT count(*) FROM (${sample}) WHERE typeof(v) <> 'text' OR v NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'`;
  return (db.prepare(sql).pluck().get() as number) === 0;
}

/**
 * `mappings` with the default format set on every unprofiled date/time column whose
 * sample is date-led text only; the rest are left for profileSqliteTimeFormats.
 */
export function presetEpochFreeFormats(db: Database.Database, sqliteTables: readonly Table[], mappings: readonly TableMapping[]): TableMapping[] {
  const columnsOf = new Map(sqliteTables.map((t) => [t.name, new Set(t.columns.map((c) => c.name))]));
  return mappings.map((m) => {
    const existing = columnsOf.get(m.sqliteTable);
    if (!existing) return m;
    let changed = false;
    const columns = m.columns.map((c) => {
      if (!TIME_KINDS.has(c.type) || c.format != null || !existing.has(c.sqlite)) return c;
      if (!dateLedOnly(db, m.sqliteTable, c.sqlite)) return c;
      changed = true;
      return { ...c, format: c.type === 'date' ? ('date' as const) : DEFAULT_TIME_FORMAT };
    });
    return changed ? { ...m, columns } : m;
  });
}
