/**
 * The foreign keys PostgreSQL enforces between tables of one schema, read in one query:
 * for one table (BatchWriter.enforcesForeignKey, postgres-writer.ts, while a run may still
 * add constraints) or for all of them at once (a run that adds none, so its tables need
 * not ask one FK at a time: about one round trip per FK of the plan on every incremental run).
 */
import type pg from 'pg';

/** Is `table`(columns) -> `parentTable`(parentColumns) enforced by PostgreSQL (same rules as enforcesForeignKey)? */
export type EnforcedForeignKeys = (table: string, columns: readonly string[], parentTable: string, parentColumns: readonly string[]) => boolean;

/** The enforced FKs of `table` (every table of the schema when omitted). */
export async function postgresEnforcedForeignKeys(client: pg.Client, schema: string, table?: string): Promise<EnforcedForeignKeys> {
  // NOT VALID constraints count (they check every new row); a deferred one would only
  // refuse at COMMIT, and a disabled trigger not at all
  const r = await client.query<{ tbl: string; cols: string[]; parent: string; refcols: string[] }>(
    `SELECT cl.relname::text AS tbl, pcl.relname::text AS parent,
            to_json(ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o)) AS cols,
            to_json(ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o)) AS refcols
       FROM pg_constraint c
       JOIN pg_class cl ON cl.oid = c.conrelid
       JOIN pg_class pcl ON pcl.oid = c.confrelid
      WHERE c.contype = 'f' AND NOT c.condeferred
        AND cl.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1)
        AND pcl.relnamespace = cl.relnamespace
        AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgconstraint = c.oid AND t.tgenabled = 'D')
        AND ($2::text IS NULL OR cl.relname = $2)`,
    [schema, table ?? null],
  );
  const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
  return (table, columns, parentTable, parentColumns) =>
    r.rows.some((c) => c.tbl === table && c.parent === parentTable && same(c.cols, columns) && same(c.refcols, parentColumns));
}
