/**
 * A sqlite-to-pg run reads SQLite dates into PostgreSQL, and there a column's profiled
 * format decides one thing only: whether numbers are epoch seconds or milliseconds, or
 * refused as a guess in a column kept as text (sqlite-to-pg-time.ts, timeCodec). A column whose profiling samples are all text starting
 * with a date ('YYYY-MM-DD...') can never be profiled as an epoch format (neither the
 * date parser nor the decimal parser reads such text as a number), so on the way to
 * PostgreSQL its format only needs its shape (for the tick cap). Such columns of one plain
 * shape get it here, one SQLite query each, and skip classifying up to 1,000 values per
 * column on every run on generated mappings, most of what planning an incremental run
 * used to cost.
 * pg-to-sqlite runs, `--create-missing` (which picks PostgreSQL types by format) and
 * `--dry-run` (which shows the formats) still profile every column.
 */
import type Database from 'better-sqlite3';
import type { Table } from '../../model/schema.js';
import type { TableMapping } from '../../mapping/table-mapping.js';
import { quoteIdent } from '../../sql/quote.js';
import { PROFILE_SAMPLE_SIZE } from '../values/profile-time-format.js';
import type { TimeFormat } from '../values/time-format.js';

const TIME_KINDS: ReadonlySet<string> = new Set(['timestamp', 'timestamptz', 'date']);

/**
 * The format of a column whose profiling sample (the same rows profileSqliteTimeFormats
 * reads) is date-led text only, told by its shape: 'T' and 'Z' (iso-t-z), a space
 * (iso-space) or a bare date; null when the sample holds anything else or a mix. The
 * shape still matters on this path: a SQLite source's tick cap (sqlite-tick-cap.ts) is
 * written in it.
 */
function dateLedFormat(db: Database.Database, table: string, column: string): TimeFormat | null {
  const c = quoteIdent(column);
  const sample = `SELECT ${c} AS v FROM ${quoteIdent(table)} WHERE ${c} IS NOT NULL LIMIT ${PROFILE_SAMPLE_SIZE}`;
  const led = `typeof(v) = 'text' AND v GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'`;
  const sql = `SELECT count(*) AS n, count(*) FILTER (WHERE ${led}) AS led, count(*) FILTER (WHERE substr(v, 11, 1) = 'T' AND v GLOB '*Z') AS tz,
      count(*) FILTER (WHERE substr(v, 11, 1) = ' ') AS space, count(*) FILTER (WHERE length(v) = 10) AS day FROM (${sample})`;
  const r = db.prepare(sql).get() as { n: number; led: number; tz: number; space: number; day: number };
  // an empty column is profiled in full: cheap, and its DEFAULT decides (profile-time-format.ts)
  if (r.led !== r.n || r.n === 0) return null;
  return r.tz === r.n ? 'iso-t-z' : r.space === r.n ? 'iso-space' : r.day === r.n ? 'date' : null;
}

/**
 * `mappings` with the format set on every unprofiled date/time column whose sample is
 * date-led text of one plain shape; the rest are left for profileSqliteTimeFormats.
 */
export function presetEpochFreeFormats(db: Database.Database, sqliteTables: readonly Table[], mappings: readonly TableMapping[]): TableMapping[] {
  const columnsOf = new Map(sqliteTables.map((t) => [t.name, new Set(t.columns.map((c) => c.name))]));
  return mappings.map((m) => {
    const existing = columnsOf.get(m.sqliteTable);
    if (!existing) return m;
    let changed = false;
    const columns = m.columns.map((c) => {
      if (!TIME_KINDS.has(c.type) || c.format != null || !existing.has(c.sqlite)) return c;
      const format = dateLedFormat(db, m.sqliteTable, c.sqlite);
      if (format === null) return c;
      changed = true;
      return { ...c, format };
    });
    return changed ? { ...m, columns } : m;
  });
}
