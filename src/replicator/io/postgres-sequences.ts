/**
 * After copying rows with their ids into PostgreSQL, the serial/identity sequences of those
 * columns must hand out ids past the copied ones, or the application's next INSERT fails
 * with a duplicate key. A sequence only ever moves forward: one already past max(id) (ids
 * handed out elsewhere, rows deleted) is left where it is, and so is the sequence of an
 * empty table (it stays at its start value).
 */
import type pg from 'pg';
import { qualified, quoteIdent } from '../../sql/quote.js';
import type { TablePlan } from '../run-plan.js';

export async function advancePostgresSequences(client: pg.Client, schema: string, table: TablePlan): Promise<void> {
  const target = qualified(schema, table.table);
  // pg_get_serial_sequence finds both a serial's owned sequence and an identity column's
  const owned = await client.query<{ col: string; seq: string }>(
    `SELECT a.attname::text AS col, pg_get_serial_sequence($1, a.attname)::text AS seq
       FROM pg_attribute a
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
        AND a.attname = ANY($2::text[]) AND pg_get_serial_sequence($1, a.attname) IS NOT NULL`,
    [target, table.columns.map((c) => c.pg)],
  );
  for (const { col, seq } of owned.rows) {
    // the next value the sequence would give is last_value (not yet called) or last_value + increment
    await client.query(
      `SELECT setval(q.seqrelid, mx.m, true)
         FROM pg_sequence q,
              (SELECT max(${quoteIdent(col)})::bigint AS m FROM ${target}) mx,
              (SELECT last_value, is_called FROM ${seq}) s
        WHERE q.seqrelid = $1::regclass AND q.seqincrement > 0 AND mx.m IS NOT NULL
          AND mx.m >= CASE WHEN s.is_called THEN s.last_value + q.seqincrement ELSE s.last_value END`,
      [seq],
    );
  }
}
