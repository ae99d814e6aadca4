/**
 * Which text format a SQLite date/time column already uses. SQLite compares dates as
 * text, so the replicator writes each column back in its own format; `replicate map`
 * samples the column and records the format in the mapping. DESIGN.md, Fidelity.
 */
import type Database from 'better-sqlite3';
import type { CanonicalKind } from '../../model/schema.js';
import type { ColumnPair, TableMapping } from '../../mapping/table-mapping.js';
import { quoteIdent } from '../../sql/quote.js';
import type { SqliteValue } from './codec.js';
import { parseDecimal } from './decimal-text.js';
import { daysInMonth, guessEpochUnit, parseTimestampText } from './timestamp-parse.js';
import { DEFAULT_TIME_FORMAT, TIME_FORMATS, type TimeFormat } from './time-format.js';

export type ProfiledKind = 'timestamp' | 'timestamptz' | 'date';

/** How many non-null values `map` reads per column. */
export const PROFILE_SAMPLE_SIZE = 1000;

const PROFILED_KINDS: ReadonlySet<CanonicalKind> = new Set<CanonicalKind>(['timestamp', 'timestamptz', 'date']);
const isProfiled = (kind: CanonicalKind): kind is ProfiledKind => PROFILED_KINDS.has(kind);

const epochFormat = (v: bigint | number): TimeFormat => (guessEpochUnit(v) === 'ms' ? 'epoch-ms' : 'epoch-s');

/**
 * The shapes nearly every date/time column holds: a date, or a date and a time with
 * 'T' or ' ', whole or fractional seconds, and 'Z' or no zone.
 */
const COMMON_SHAPE = /^(\d{4})-(\d\d)-(\d\d)(?:([T ])(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?(Z)?)?$/;

/**
 * classifyTimeValue for a value of a common shape, with parseTimestampText's own range
 * rules; undefined for any other value (the parser decides). Profiling classifies up to
 * 1,000 values per column on every run on generated mappings: one regular expression is
 * several times cheaper than the parser while the parser's code is still cold.
 */
function classifyCommonShape(v: string): TimeFormat | null | undefined {
  const m = COMMON_SHAPE.exec(v);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  const separator = m[4];
  if (separator === undefined) return 'date';
  const hour = Number(m[5]);
  const minute = Number(m[6]);
  const second = m[7] === undefined ? 0 : Number(m[7]);
  const fraction = m[8] === undefined ? 0 : Number(m[8]);
  const midnight24 = hour === 24 && minute === 0 && second === 0 && fraction === 0;
  if ((hour > 23 && !midnight24) || minute > 59 || second > 60) return null;
  const zoned = m[9] !== undefined;
  if (separator === 'T') return zoned ? 'iso-t-z' : 'iso-t-naive';
  return zoned ? null : 'iso-space';
}

/** The format one stored value is written in, or null when it is none of them. */
export function classifyTimeValue(v: SqliteValue): TimeFormat | null {
  if (typeof v === 'string') {
    const quick = classifyCommonShape(v);
    if (quick !== undefined) return quick;
  }
  return classifyParsedTimeValue(v);
}

/** classifyTimeValue through the full timestamp parser: the reference the quick path agrees with. */
export function classifyParsedTimeValue(v: SqliteValue): TimeFormat | null {
  if (typeof v === 'bigint') return epochFormat(v);
  if (typeof v === 'number') return Number.isFinite(v) ? epochFormat(v) : null;
  if (typeof v !== 'string') return null;
  const ts = parseTimestampText(v);
  if (typeof ts === 'string') {
    // epoch numbers kept in a TEXT column
    const n = parseDecimal(v) ? Number(v) : NaN;
    return Number.isFinite(n) ? epochFormat(n) : null;
  }
  if (!ts.hasTime) return 'date';
  if (ts.separator === 'T') return ts.zone === null ? 'iso-t-naive' : ts.zone === 'z' ? 'iso-t-z' : 'iso-t-offset';
  // '2025-11-05 10:15:30+02' has no format of its own: not counted
  return ts.zone === null ? 'iso-space' : null;
}

/** The format for a column with no recognisable values and no telling default: dates as dates, timestamps as ISO with Z. */
function emptyFormat(kind: ProfiledKind): TimeFormat {
  return kind === 'date' ? 'date' : DEFAULT_TIME_FORMAT;
}

/** How often profileTimeFormat checks whether the samples left could still change its answer. */
const DECIDED_CHECK_EVERY = 64;

/** True when one format leads the others by more than the samples left to classify. */
function decided(counts: ReadonlyMap<TimeFormat, number>, left: number): boolean {
  let first = 0;
  let second = 0;
  for (const c of counts.values()) {
    if (c > first) [first, second] = [c, first];
    else if (c > second) second = c;
  }
  return first > second + left;
}

/**
 * The format most samples match (ties: the earlier in TIME_FORMATS); the default when none do.
 * Classifying stops once the rest cannot change the answer (a column in one format: after
 * half its samples), which halves the profiling every run on generated mappings pays.
 */
export function profileTimeFormat(samples: readonly SqliteValue[], kind: ProfiledKind, whenEmpty: TimeFormat | null = null): TimeFormat {
  const counts = new Map<TimeFormat, number>();
  for (let i = 0; i < samples.length; i++) {
    const f = classifyTimeValue(samples[i] ?? null);
    if (f) counts.set(f, (counts.get(f) ?? 0) + 1);
    if (i % DECIDED_CHECK_EVERY === DECIDED_CHECK_EVERY - 1 && decided(counts, samples.length - i - 1)) break;
  }
  let best: TimeFormat | null = null;
  let bestCount = 0;
  for (const f of TIME_FORMATS) {
    const c = counts.get(f) ?? 0;
    if (c > bestCount) [best, bestCount] = [f, c];
  }
  return best ?? whenEmpty ?? emptyFormat(kind);
}

/** The table's columns and the text of each one's DEFAULT (null: none). */
function sqliteColumns(db: Database.Database, table: string): Map<string, string | null> {
  const rows = db.prepare('SELECT name, dflt_value AS dflt FROM pragma_table_info(?)').all(table) as { name: string; dflt: string | null }[];
  return new Map(rows.map((r) => [r.name, r.dflt]));
}

/**
 * The format of what the column's DEFAULT writes (CURRENT_TIMESTAMP: 'iso-space'), or null.
 * An empty column takes it: the app's own rows will come in that format, and replicated
 * rows in another would not sort with them as text, so incremental runs would miss rows.
 * A DEFAULT is a constant expression (no columns, no subqueries), so evaluating it reads
 * and writes nothing; one SQLite cannot evaluate here (an app-defined function) tells nothing.
 */
function defaultFormat(db: Database.Database, dflt: string | null | undefined): TimeFormat | null {
  if (dflt == null) return null;
  try {
    return classifyTimeValue(db.prepare(`SELECT ${dflt}`).pluck().safeIntegers(true).get() as SqliteValue);
  } catch {
    return null;
  }
}

function sampleColumn(db: Database.Database, table: string, column: string): SqliteValue[] {
  const sql = `SELECT ${quoteIdent(column)} FROM ${quoteIdent(table)} WHERE ${quoteIdent(column)} IS NOT NULL LIMIT ${PROFILE_SAMPLE_SIZE}`;
  return db.prepare(sql).pluck().safeIntegers(true).all() as SqliteValue[];
}

/**
 * The mappings with `format` filled on every date/time pair (PostgreSQL timestamp,
 * timestamptz or date) that has none yet; a format already recorded (the user's) is kept.
 * An empty column takes the format of what its DEFAULT writes, if that is a date or time;
 * a column missing from SQLite (the fix script will add it, empty) gets the empty default.
 */
export function profileSqliteTimeFormats(db: Database.Database, mappings: readonly TableMapping[]): TableMapping[] {
  return mappings.map((m) => {
    const todo = m.columns.filter((c) => isProfiled(c.type) && c.format == null);
    if (todo.length === 0) return m;
    const existing = sqliteColumns(db, m.sqliteTable);
    const formats = new Map<string, TimeFormat>();
    for (const c of todo) {
      if (!isProfiled(c.type)) continue;
      const samples = existing.has(c.sqlite) ? sampleColumn(db, m.sqliteTable, c.sqlite) : [];
      formats.set(c.postgres, profileTimeFormat(samples, c.type, samples.length === 0 ? defaultFormat(db, existing.get(c.sqlite)) : null));
    }
    const columns: ColumnPair[] = m.columns.map((c) => {
      const format = formats.get(c.postgres);
      return format ? { ...c, format } : c;
    });
    return { ...m, columns };
  });
}
