/**
 * What `run --create-missing` still owes a PostgreSQL target: the primary keys (those
 * that may follow the data: create-missing/key-values.ts), foreign keys and indexes of the
 * tables it created, not added yet (they follow the data). Recorded in
 * the CREATE TABLE's transaction, each removed by the statement that adds it, so a run
 * cut off at any instant leaves the rest owed, and every later run in that direction
 * adds them (create-missing/owed-constraints-apply.ts). Table `replicate.owed_constraints`.
 * Recorded under the pair that created the tables, but owed by the target (its database and
 * schema, `postgres_id`): the tables are shared by every terminal that syncs into it, and a
 * terminal whose upserts need a key another terminal's cut-off run left owed must not wait
 * for that terminal to come back. So listing and forgetting ignore `sqlite_id`.
 */
import type pg from 'pg';
import type { PairScope } from './state-store.js';
import { ensurePostgresStateTables, pgIso } from './postgres-state-store.js';
import { STATE_SCHEMA, stateTableName, stateTableRef } from './state-tables.js';

export type OwedKind = 'primary key' | 'foreign key' | 'index';

export interface OwedConstraint {
  /** the table it belongs to (PostgreSQL name) */
  table: string;
  /** constraint or index name */
  name: string;
  kind: OwedKind;
  /**
   * a primary key: CREATE UNIQUE INDEX; ALTER TABLE ... ADD CONSTRAINT ... PRIMARY KEY USING
   * INDEX; a foreign key: ALTER TABLE ... ADD CONSTRAINT ... NOT VALID (VALIDATE follows);
   * an index: CREATE INDEX
   */
  statement: string;
  /** for people: "(id)" (a primary key), "(customer_id) -> customers (id)", "UNIQUE (email)" */
  detail: string;
  /** a foreign key's parent table */
  parentTable: string | null;
  /** order within the table */
  seq: number;
  /** when it was recorded (the table's creation), ISO UTC */
  since: string;
}

const T = stateTableRef('postgres', 'owed_constraints');

/** Inside the caller's transaction (the one creating the tables). Names repeat only for identical indexes: the first counts. */
export async function recordOwed(client: pg.Client, scope: PairScope, entries: readonly Omit<OwedConstraint, 'seq' | 'since'>[]): Promise<void> {
  if (entries.length === 0) return;
  const seen = new Set<string>();
  const first = entries.filter((e) => {
    const key = JSON.stringify([e.table, e.name]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  await client.query(
    `INSERT INTO ${T} (sqlite_id, postgres_id, direction, table_name, name, kind, statement, detail, parent_table, seq, since)
     SELECT $1::text, $2::text, $3::text, u.t, u.n, u.k, u.s, u.d, u.p, u.ord::integer, now()
       FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) WITH ORDINALITY AS u(t, n, k, s, d, p, ord)
     ON CONFLICT (sqlite_id, postgres_id, direction, table_name, name) DO UPDATE
       SET kind = EXCLUDED.kind, statement = EXCLUDED.statement, detail = EXCLUDED.detail, parent_table = EXCLUDED.parent_table, seq = EXCLUDED.seq, since = EXCLUDED.since`,
    [
      scope.sqliteId,
      scope.postgresId,
      scope.direction,
      first.map((e) => e.table),
      first.map((e) => e.name),
      first.map((e) => e.kind),
      first.map((e) => e.statement),
      first.map((e) => e.detail),
      first.map((e) => e.parentTable),
    ],
  );
}

/**
 * What the target owes, as one JSON array (text), by table in recorded order; `postgresId`
 * and `direction` are the placeholders (say '$2', '$3') of the target's id and the run's
 * direction. One expression, so the run's state prefetch carries it (postgres-state-store.ts)
 * and a run spends no query of its own on it. A function: the two modules import each other.
 * An entry recorded under two pairs (a table dropped and created again by another
 * terminal's run) counts once, as last recorded.
 */
export function owedListSql(postgresId: string, direction: string): string {
  const entry = `json_build_object('table', o.table_name, 'name', o.name, 'kind', o.kind, 'statement', o.statement, 'detail', o.detail,
                                   'parentTable', o.parent_table, 'seq', o.seq, 'since', ${pgIso('o.since')})`;
  return `(SELECT coalesce(json_agg(${entry} ORDER BY o.since, o.table_name, o.seq), '[]'::json)::text
             FROM (SELECT DISTINCT ON (table_name, name) * FROM ${T} WHERE postgres_id = ${postgresId} AND direction = ${direction}
                    ORDER BY table_name, name, since DESC) AS o)`;
}

/** owedListSql's text, read back */
export function owedFromJson(text: string): OwedConstraint[] {
  const entries = JSON.parse(text) as (Omit<OwedConstraint, 'kind'> & { kind: string })[];
  return entries.map((e) => ({ ...e, kind: e.kind === 'foreign key' || e.kind === 'primary key' ? e.kind : 'index' }));
}

/**
 * Everything owed to the pair's target, by table in recorded order. `readOnly`: do not create the
 * state table when missing (--dry-run writes nothing); nothing is owed then.
 */
export async function listOwed(client: pg.Client, scope: PairScope, readOnly = false): Promise<OwedConstraint[]> {
  if (readOnly) {
    const exists = await client.query<{ ok: string }>(`SELECT (to_regclass(quote_ident($1) || '.' || quote_ident($2)) IS NOT NULL)::text AS ok`, [
      STATE_SCHEMA,
      stateTableName('postgres', 'owed_constraints'),
    ]);
    if (exists.rows[0]?.ok !== 'true') return [];
  } else {
    await ensurePostgresStateTables(client, ['owed_constraints']);
  }
  const r = await client.query<{ owed: string }>(`SELECT ${owedListSql('$1', '$2')} AS owed`, [scope.postgresId, scope.direction]);
  return owedFromJson(r.rows[0]?.owed ?? '[]');
}

/**
 * The statement that forgets one entry, as SQL text with literals (no parameters), so it
 * can travel in one simple query with the statement that adds the constraint: the two
 * then commit together, and nothing else on the session can run between them.
 */
export function clearOwedSql(client: pg.Client, scope: PairScope, table: string, name: string): string {
  const lit = (v: string): string => client.escapeLiteral(v);
  return `DELETE FROM ${T} WHERE postgres_id = ${lit(scope.postgresId)} AND direction = ${lit(scope.direction)} AND table_name = ${lit(table)} AND name = ${lit(name)}`;
}

/** Forget what is owed to a table that no longer exists (dropped by someone): nothing to add it to. */
export async function clearOwedTable(client: pg.Client, scope: PairScope, table: string): Promise<void> {
  await client.query(`DELETE FROM ${T} WHERE postgres_id = $1 AND direction = $2 AND table_name = $3`, [scope.postgresId, scope.direction, table]);
}
