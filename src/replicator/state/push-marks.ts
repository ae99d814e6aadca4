/**
 * Push marks: how a terminal's pull learns that another terminal pushed rows stamped
 * below the pull's checkpoint (a sale made offline an hour ago, pushed now with its own
 * stamp). The late-commit cap covers PostgreSQL's open transactions only; such a row is
 * committed now with an old cursor, and a pull that goes on from its checkpoint would
 * never see it.
 *
 * Each sqlite-to-pg batch that writes rows of a table with a cursor inserts, in its own
 * transaction, a mark with the lowest cursor it wrote and its transaction id. A pull reads
 * the marks other files left since it last looked, and starts its read at the lowest
 * cursor among those at or below its checkpoint. "Since it last looked" is the xmin of the
 * snapshot the marks were read in: every transaction below it had ended, so a mark of a
 * push still committing then has a transaction id at or above it and is read next time.
 * The pull keeps that xmin in its checkpoint (engine/push-seen.ts).
 *
 * Marks older than MARK_DAYS are pruned by pushes; the highest pruned transaction id is
 * kept in replicate.meta, and a pull that last looked before it reads the table again
 * from the start.
 */
import type pg from 'pg';
import { quoteLiteral } from '../../sql/quote.js';
import type { PgText } from '../values/codec.js';
import { stateTableRef } from './state-tables.js';

const MARKS = stateTableRef('postgres', 'push_marks');
const META = stateTableRef('postgres', 'meta');

/** How long a mark is kept: a terminal that has not pulled for longer reads the marked tables again in full. */
export const MARK_DAYS = 30;

const prunedKey = (postgresId: string): string => `push_marks_pruned:${postgresId}`;

/** Whose pushes these are: the PostgreSQL schema's id and the pushing file's id. */
export interface MarkScope {
  postgresId: string;
  sqliteId: string;
}

/**
 * The statement a PostgreSQL writer runs after writing a batch of `table` (inside the
 * batch's transaction): `cursors` is a query whose column `c` holds the written rows'
 * cursor values, or null for a COPY into the empty table (the pull starts over). Literals
 * are inlined: the writer sends it in one simple query with its own statements.
 */
export function markStatement(scope: MarkScope, table: string, cursors: string | null): string {
  const fixed = `${quoteLiteral(scope.postgresId)}, ${quoteLiteral(table)}, pg_current_xact_id()::text::bigint, ${quoteLiteral(scope.sqliteId)}`;
  const insert = `INSERT INTO ${MARKS} (postgres_id, table_name, xact, sqlite_id, min_cursor, from_start, pushed_at)`;
  if (cursors === null) return `${insert} VALUES (${fixed}, '', 1, now()) ON CONFLICT DO NOTHING`;
  // rows with a NULL cursor are read only from the start by any pull: no mark for them
  return `${insert} SELECT ${fixed}, min(c)::text, 0, now() FROM (${cursors}) AS _written HAVING count(c) > 0 ON CONFLICT DO NOTHING`;
}

/** What a pull does with the marks it had not seen. */
export interface MarksSince {
  /** where marks start now: keep it with the checkpoint */
  seen: string;
  /** 'start': read the table from the start; a cursor: start at it (inclusive); null: go on from the checkpoint */
  rewind: 'start' | PgText;
  /** marks were left since `seen` (the pull's own included): worth keeping the new `seen`, even when nothing is read */
  found: boolean;
}

/** Where marks start now, for a pull that reads from the start and needs none of the older ones. */
export async function marksNow(client: pg.Client): Promise<string> {
  const r = await client.query<{ xmin: string }>(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`);
  return r.rows[0]?.xmin ?? '0';
}

/**
 * The marks of `table` other files left since `seen` (null: since ever), and where the
 * pull should start: at the lowest marked cursor at or below `upTo` (the checkpoint's
 * cursor), compared as `cursorType` (the column's type, as SQL after `::`; asked only when
 * there are marks to compare).
 */
export async function marksSince(client: pg.Client, scope: MarkScope, table: string, cursorType: () => Promise<string>, seen: string | null, upTo: string): Promise<MarksSince> {
  // one statement, one snapshot: the marks read and the xmin that says which are still to come
  const r = await client.query<{ xmin: string; pruned: string | null; min_cursor: string | null; from_start: string | null; own: string | null }>(
    `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin,
            (SELECT value FROM ${META} WHERE key = $4) AS pruned,
            m.min_cursor, m.from_start::text AS from_start, (m.sqlite_id = $5)::text AS own
       FROM (SELECT 1) AS one
       LEFT JOIN ${MARKS} AS m ON m.postgres_id = $1 AND m.table_name = $2 AND m.xact >= $3::bigint`,
    [scope.postgresId, table, seen ?? '0', prunedKey(scope.postgresId), scope.sqliteId],
  );
  const first = r.rows[0];
  const now = first?.xmin ?? '0';
  // transaction ids only grow in one cluster: a seen position above today's is another
  // cluster's (the database restored from a dump), and says nothing of these marks
  if (seen !== null && BigInt(seen) > BigInt(now)) return marksSince(client, scope, table, cursorType, null, upTo);
  const found = r.rows.some((m) => m.min_cursor !== null);
  // marks this pull had not seen were pruned: it cannot tell what they said
  if (first?.pruned != null && (seen === null || BigInt(seen) <= BigInt(first.pruned))) return { seen: now, rewind: 'start', found };
  // the pull's own file pushed these rows: it has them
  const marks = r.rows.filter((m) => m.min_cursor !== null && m.own === 'false');
  if (marks.some((m) => m.from_start === '1')) return { seen: now, rewind: 'start', found };
  if (marks.length === 0) return { seen: now, rewind: null, found };
  const type = await cursorType();
  const lowest = await client.query<{ c: string | null }>(
    `SELECT min(v)::text AS c FROM (SELECT m::${type} AS v FROM unnest($1::text[]) AS m) AS marks WHERE v <= $2::${type}`,
    [[...new Set(marks.map((m) => m.min_cursor))], upTo],
  );
  return { seen: now, rewind: lowest.rows[0]?.c ?? null, found };
}

/**
 * Drops marks older than MARK_DAYS, recording the highest transaction id dropped, in one
 * statement (literals inlined: a push sends it with another); nothing to drop writes nothing.
 */
export function pruneMarksStatement(postgresId: string): string {
  return `WITH gone AS (DELETE FROM ${MARKS} WHERE postgres_id = ${quoteLiteral(postgresId)} AND pushed_at < now() - interval '${MARK_DAYS} days' RETURNING xact)
     INSERT INTO ${META} AS meta (key, value) SELECT ${quoteLiteral(prunedKey(postgresId))}, max(xact)::text FROM gone HAVING count(*) > 0
     ON CONFLICT (key) DO UPDATE SET value = greatest(meta.value::bigint, EXCLUDED.value::bigint)::text`;
}
