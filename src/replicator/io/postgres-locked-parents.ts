/**
 * A first load into an empty PostgreSQL table whose foreign keys the FK guard checks
 * itself: the load runs with `session_replication_role = replica` (for this session and
 * this COPY only), so the per-row FK triggers do not fire, and the guard's set-based
 * parent lookups take the `FOR KEY SHARE` locks the triggers would have taken, once per
 * distinct parent instead of once per row. The locks hold until the batch commits, so a
 * parent cannot be deleted or have its key changed between the check and the commit: no
 * other writer can break a constraint meanwhile, and every other session's writes are
 * checked by its own triggers as always (DESIGN.md "Performance design").
 *
 * Only where nothing else changes: the session may set the role, the table has no
 * triggers but the internal FK ones and no rules (both would also be switched off), is a
 * plain table, and every FK it holds is one the guard checks (or sits on columns the first
 * pass writes NULL), single-column or MATCH SIMPLE, and not self-referencing (a parent in
 * the same batch could itself be held back). Inserts only: the triggers a parent table
 * holds fire on UPDATE and DELETE, never here.
 */
import type pg from 'pg';
import { qualified } from '../../sql/quote.js';

/** A foreign key the FK guard looks up before each batch (PostgreSQL names). */
export interface GuardedKey {
  columns: readonly string[];
  parentTable: string;
  parentColumns: readonly string[];
  selfReference: boolean;
}

interface CatalogKey {
  cols: string[];
  parent: string;
  refcols: string[];
  match: string;
}

const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * null when a first load of `table` may switch the FK triggers off and lock parents in
 * the guard's lookups instead; otherwise why not (for the plan).
 */
export async function lockedParentsRefusal(client: pg.Client, schema: string, table: string, guarded: readonly GuardedKey[], nullColumns: readonly string[]): Promise<string | null> {
  if (guarded.some((g) => g.selfReference)) return 'a self-referencing foreign key';
  const r = await client.query<{ plain: boolean; triggers: number; rules: number; fks: CatalogKey[] }>(
    `SELECT (c.relkind = 'r' AND NOT c.relispartition) AS plain,
            (SELECT count(*)::int FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal) AS triggers,
            (SELECT count(*)::int FROM pg_rewrite w WHERE w.ev_class = c.oid) AS rules,
            coalesce((SELECT json_agg(json_build_object(
                'cols', ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, o) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o),
                'parent', k.confrelid::regclass::text,
                'refcols', ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(n, o) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o),
                'match', k.confmatchtype))
               FROM pg_constraint k WHERE k.contype = 'f' AND k.conrelid = c.oid), '[]'::json) AS fks
       FROM pg_class c WHERE c.oid = $1::regclass`,
    [qualified(schema, table)],
  );
  const row = r.rows[0];
  if (!row) return 'the table is not there';
  if (!row.plain) return 'a partitioned table or a partition';
  if (row.triggers > 0) return 'the table has triggers of its own';
  if (row.rules > 0) return 'the table has rules';
  // the parent's name as regclass::text writes it (schema-qualified only off the search path)
  const parents = new Map<string, string>();
  for (const g of guarded) {
    if (parents.has(g.parentTable)) continue;
    const p = await client.query<{ name: string }>('SELECT $1::regclass::text AS name', [qualified(schema, g.parentTable)]);
    parents.set(g.parentTable, p.rows[0]?.name ?? '');
  }
  // no FK the target checks: nothing to switch off, and nothing for a lock to protect
  if (!row.fks.some((fk) => !fk.cols.every((c) => nullColumns.includes(c)))) return 'no foreign keys on the target';
  for (const fk of row.fks) {
    if (fk.cols.every((c) => nullColumns.includes(c))) continue; // NULL in the first pass: references nothing
    if (fk.cols.length > 1 && fk.match !== 's') return 'a multi-column foreign key that is not MATCH SIMPLE';
    const covered = guarded.some((g) => parents.get(g.parentTable) === fk.parent && same(g.columns, fk.cols) && same(g.parentColumns, fk.refcols));
    if (!covered) return `the foreign key (${fk.cols.join(', ')}) to ${fk.parent} is not among the replicated ones`;
  }
  // last: may this session switch the role at all (superuser, or GRANT SET on PostgreSQL 15+)?
  try {
    await client.query("BEGIN; SET LOCAL session_replication_role = 'replica'");
  } catch {
    await client.query('ROLLBACK').catch(() => undefined);
    return 'this role may not set session_replication_role';
  }
  await client.query('ROLLBACK');
  return null;
}
