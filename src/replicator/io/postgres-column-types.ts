/**
 * The exact type of each column of a PostgreSQL table, as SQL that can follow `::`.
 * Key lookups send keys as a text array and cast them to the column's own type on the
 * parameter side, so the comparison can use the table's index whatever the key type
 * (int, uuid, an enum, a domain); casting the column to text instead would scan the table.
 * The type is taken without its modifier: `::character varying(10)` would silently
 * truncate a longer value into a false match (and bare `character` means char(1), so
 * char(n) is cast to `bpchar`, which has no length).
 */
import type pg from 'pg';
import { QueryError } from '../../errors.js';
import { qualified } from '../../sql/quote.js';

export interface PostgresColumnInfo {
  /** the type as SQL, without modifier: `integer`, `uuid`, `character varying`, `public.mood` */
  type: string;
  /** a generated column: never written */
  generated: boolean;
}

export async function postgresColumnTypes(client: pg.Client, schema: string, table: string): Promise<Map<string, PostgresColumnInfo>> {
  // text columns only, so the answer reads the same whatever type parsers the client has
  const r = await client.query<{ name: string; type: string; generated: string }>(
    `SELECT a.attname::text AS name,
            CASE a.atttypid WHEN 'bpchar'::regtype THEN 'bpchar' WHEN '_bpchar'::regtype THEN 'bpchar[]' ELSE format_type(a.atttypid, NULL) END AS type,
            (a.attgenerated <> '')::text AS generated
       FROM pg_attribute a
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
    [qualified(schema, table)],
  );
  return new Map(r.rows.map((row) => [row.name, { type: row.type, generated: row.generated === 'true' }]));
}

/** The cast target of each named column, or a QueryError naming the column that is not there. */
export function castTypes(info: ReadonlyMap<string, PostgresColumnInfo>, schema: string, table: string, columns: readonly string[]): string[] {
  return columns.map((c) => {
    const t = info.get(c);
    if (t === undefined) throw new QueryError(`column "${c}" does not exist in ${qualified(schema, table)}`, 'postgres', table, '42703');
    return t.type;
  });
}
