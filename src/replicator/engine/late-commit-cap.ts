/**
 * The upper bound of an incremental read of a PostgreSQL source: rows stamped at or after
 * the oldest open transaction's start may still commit, so a run stops below it
 * (DESIGN.md "Replication semantics": late commits are not jumped over).
 */
import type pg from 'pg';
import type { PgText } from '../values/codec.js';

/** cursor kinds a cap applies to */
export const TIMESTAMP_KINDS = new Set(['timestamp', 'timestamptz', 'date']);

/**
 * The oldest open transaction's start (or now): rows stamped before it may still commit.
 * A `timestamp` or `date` cursor holds the wall-clock time of the zone the app's sessions
 * stamp in, not UTC (this session's zone): the cap is given in the database's default
 * zone (TimeZone's reset value, which this session's SET does not change), else a cap
 * hours ahead of a New York app's stamps would let a late commit be jumped over.
 */
export async function lateCommitCap(client: pg.Client, zoned: boolean): Promise<PgText> {
  const cap = 'least(now(), min(xact_start))';
  const r = await client.query<{ cap: string }>(
    `SELECT ${zoned ? cap : `(${cap} AT TIME ZONE (SELECT reset_val FROM pg_settings WHERE name = 'TimeZone'))`}::text AS cap FROM pg_stat_activity
      WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid() AND datname = current_database()
        AND coalesce(application_name, '') NOT LIKE 'replicate%'`,
  );
  return r.rows[0]?.cap ?? null;
}

