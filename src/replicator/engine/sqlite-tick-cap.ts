/**
 * The SQLite counterpart of PostgreSQL's late-commit cap (direction-wiring.ts): a run
 * reading a SQLite source stops below the second it started in, in the cursor column's
 * own format. An app stamps with its clock's resolution (CURRENT_TIMESTAMP: whole
 * seconds), so a row it writes, or writes again, later in the second the run read in
 * gets the very stamp of the rows the run checkpointed past; with a lower key than the
 * checkpoint's, `(cursor, key) > checkpoint` would pass over it for good. Rows stamped in
 * the current second wait for the next run instead. DESIGN.md, "Keyset cursor" and
 * "No late-commit gap".
 *
 * Naive formats (no zone in the text) are capped at the later of UTC's and the machine's
 * local time, so an app stamping local time east of UTC is not held back for hours; the
 * SQLite file is on the machine that runs the app. A date cursor (a whole day per tick)
 * and text with UTC offsets (which do not sort as text) get no cap.
 */
import type Database from 'better-sqlite3';
import type { TimeFormat } from '../values/time-format.js';

/** The cap's SQL per format: the current second written the way the column writes times. */
const CAP_SQL: Partial<Record<TimeFormat, string>> = {
  'iso-t-z': `strftime('%Y-%m-%dT%H:%M:%S.000Z', 'now')`,
  'iso-space': `max(strftime('%Y-%m-%d %H:%M:%S', 'now'), strftime('%Y-%m-%d %H:%M:%S', 'now', 'localtime'))`,
  'iso-t-naive': `max(strftime('%Y-%m-%dT%H:%M:%S', 'now'), strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime'))`,
  // bound as text, compared as a number: the column's numeric affinity converts it
  'epoch-s': `strftime('%s', 'now')`,
  'epoch-ms': `strftime('%s', 'now') || '000'`,
};

/** The cap for a cursor column written in `format`, from the file's own clock functions; null: none applies. */
export function sqliteTickCap(db: Database.Database, format: TimeFormat | null): string | null {
  const sql = format === null ? undefined : CAP_SQL[format];
  return sql === undefined ? null : (db.prepare(`SELECT ${sql}`).pluck().get() as string);
}
