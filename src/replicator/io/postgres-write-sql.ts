/**
 * The SQL a PostgreSQL writer runs (postgres-writer.ts): the staged upsert of a batch, its
 * COPY straight into an empty table, and the UPDATE of a cycle's second pass, each under the
 * batch's savepoint, with the push mark and the count of rows left because the target's copy
 * is newer in the same statement. DESIGN.md "Performance design".
 */
import { createHash } from 'node:crypto';
import { PlanError } from '../../errors.js';
import type { CanonicalKind } from '../../model/schema.js';
import { qualified, quoteIdent } from '../../sql/quote.js';
import type { PlannedColumn, TablePlan } from '../run-plan.js';
import { castTypes, type PostgresColumnInfo } from './postgres-column-types.js';
import type { PostgresWriterOptions } from './postgres-writer.js';

/**
 * Kinds whose `=` is not "the same value" (numeric 1.10 = 1.1, interval '1 day' =
 * '24 hours', -0 = 0) or that have no `=` at all (json, unknown types like point): the
 * no-op check compares them as text.
 */
const COMPARE_AS_TEXT: ReadonlySet<CanonicalKind> = new Set(['json', 'numeric', 'interval', 'real', 'double', 'unknown']);

export interface Statements {
  /** before the COPY of an attempt (savepoint, staging table ready and empty) */
  prepare: string;
  copy: string;
  /** after the COPY of an attempt (the upsert, release of the savepoint) */
  finish: string;
  /** positions in a target row of the columns written (null: all of them) */
  pick: number[] | null;
  /** one of finish's results holds `kept`: rows left alone because the target's copy is newer */
  countsKept: boolean;
}

const SAVEPOINT = 'SAVEPOINT replicate_batch';
export const RELEASE = 'RELEASE SAVEPOINT replicate_batch';
const REPLICA_ROLE = "SET LOCAL session_replication_role = 'replica'";
const ORIGIN_ROLE = "SET LOCAL session_replication_role = 'origin'";

/** Kinds compared as text go through ::text in the no-op check. */
function compared(c: PlannedColumn, side: string): string {
  const ref = `${side}.${quoteIdent(c.pg)}`;
  return COMPARE_AS_TEXT.has(c.pgType.kind) || c.pgType.array ? `${ref}::text` : ref;
}

/**
 * A session-temporary staging table shaped like these target columns (types, none of the
 * constraints, defaults or sequences); created within the caller's transaction, so a
 * rollback can take it away again: IF NOT EXISTS every time.
 */
function staging(schema: string, table: string, cols: string, purpose: string): { name: string; prepare: string } {
  const name = quoteIdent('_replicate_stage_' + createHash('sha1').update(JSON.stringify([schema, table, cols, purpose])).digest('hex').slice(0, 16));
  return {
    name,
    prepare: `CREATE TEMP TABLE IF NOT EXISTS ${name} ON COMMIT DELETE ROWS AS SELECT ${cols} FROM ${qualified(schema, table)} WITH NO DATA; TRUNCATE ${name}`,
  };
}

/** Positions in a target row of the columns written (generated ones are not); null: all of them. */
export function pickOf(table: TablePlan, info: ReadonlyMap<string, PostgresColumnInfo>): number[] | null {
  const written = table.columns.filter((c) => !info.get(c.pg)?.generated);
  return written.length === table.columns.length ? null : written.map((c) => table.columns.indexOf(c));
}

export function buildStatements(schema: string, table: TablePlan, info: ReadonlyMap<string, PostgresColumnInfo>, opts: PostgresWriterOptions): Statements {
  const { mode } = opts;
  const target = qualified(schema, table.table);
  castTypes(info, schema, table.table, table.columns.map((c) => c.pg)); // every planned column must exist
  const written: PlannedColumn[] = table.columns.filter((c) => !info.get(c.pg)?.generated);
  const pick = pickOf(table, info);
  const cols = written.map((c) => quoteIdent(c.pg)).join(', ');
  if (mode === 'copy-direct') {
    // SET LOCAL: a rollback to the savepoint undoes it too; the role is back before anything else runs
    const mark = opts.mark ? `${opts.mark(null)}; ` : '';
    const [prepare, finish] = opts.lockParents ? [`${SAVEPOINT}; ${REPLICA_ROLE}`, `${ORIGIN_ROLE}; ${mark}${RELEASE}`] : [SAVEPOINT, `${mark}${RELEASE}`];
    return { prepare, copy: `COPY ${target} (${cols}) FROM STDIN`, finish, pick, countsKept: false };
  }

  // one staging table per target table, column list and session; only the written columns
  const stage = staging(schema, table.table, cols, '');
  const notUpdated = new Set([...table.key, ...(opts.insertOnlyColumns ?? [])]);
  const updated = written.filter((c) => !notUpdated.has(c.pg));
  const newer = opts.keepNewer ? written.find((c) => c.pg === opts.keepNewer) ?? null : null;
  // IS NOT TRUE: a NULL cursor on either side is not "newer"; the WHERE sees the row as locked, so it holds under concurrency
  const keep = newer === null ? '' : ` AND (_target.${quoteIdent(newer.pg)} > EXCLUDED.${quoteIdent(newer.pg)}) IS NOT TRUE`;
  const onConflict =
    updated.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${updated.map((c) => `${quoteIdent(c.pg)} = EXCLUDED.${quoteIdent(c.pg)}`).join(', ')}` +
        ` WHERE (${updated.map((c) => compared(c, '_target')).join(', ')}) IS DISTINCT FROM (${updated.map((c) => compared(c, 'EXCLUDED')).join(', ')})` +
        keep;
  const upsert =
    `INSERT INTO ${target} AS _target (${cols}) OVERRIDING SYSTEM VALUE SELECT ${cols} FROM ${stage.name}` +
    ` ON CONFLICT (${table.key.map(quoteIdent).join(', ')}) ${onConflict}`;
  // Counted in a statement of its own, after the upsert: it sees the rows as the upsert left
  // them (a row another session committed while the upsert waited for its lock included,
  // which the upsert's own snapshot predates), and the upsert locked every row it met, kept
  // ones too, so they stay so until commit. The rows the upsert wrote are first dropped from
  // the stage, in its own statement: a trigger stamping them (updated_at = now()) makes them
  // newer than staged, and they were not left.
  const match = (a: string, b: (k: string, i: number) => string): string => table.key.map((k, i) => `${a}.${quoteIdent(k)} = ${b(k, i)}`).join(' AND ');
  const kept =
    newer === null || updated.length === 0
      ? null
      : {
          returning: table.key.map((k, i) => `_target.${quoteIdent(k)} AS _k${i}`).join(', '),
          forget: `DELETE FROM ${stage.name} AS _s USING _wrote WHERE ${match('_s', (_, i) => `_wrote._k${i}`)}`,
          count:
            `SELECT count(*)::text AS kept FROM ${stage.name} AS _stage JOIN ${target} AS _old ON ${match('_old', (k) => `_stage.${quoteIdent(k)}`)}` +
            ` WHERE _old.${quoteIdent(newer.pg)} > _stage.${quoteIdent(newer.pg)}`,
        };
  return {
    prepare: `${SAVEPOINT}; ${stage.prepare}`,
    copy: `COPY ${stage.name} (${cols}) FROM STDIN`,
    // RETURNING gives the rows inserted or changed, not those the no-op check left alone
    finish: `${marked(upsert, table, opts.mark, kept)}; ${kept === null ? '' : `${kept.count}; `}${RELEASE}`,
    pick,
    countsKept: kept !== null,
  };
}

/**
 * `statement` (an INSERT or UPDATE of alias _target) and, in the same statement, the push
 * mark of the rows it wrote and (`written`) what else is to be done with them (`_wrote`, with
 * `written.returning`'s columns); its result is then one row, `n`: how many rows it wrote.
 */
function marked(statement: string, table: TablePlan, mark: PostgresWriterOptions['mark'], written: { returning: string; forget: string } | null = null): string {
  const cursor = mark ? table.cursor : null;
  if ((!mark || cursor === null) && written === null) return statement;
  const returning = [mark && cursor !== null ? `_target.${quoteIdent(cursor)} AS c` : '', written?.returning ?? ''].filter(Boolean).join(', ');
  const ctes = [mark && cursor !== null ? `_mark AS (${mark('SELECT c FROM _wrote')})` : '', written ? `_forget AS (${written.forget})` : ''].filter(Boolean).join(', ');
  return `WITH _wrote AS (${statement} RETURNING ${returning}), ${ctes} SELECT count(*)::text AS n FROM _wrote`;
}

/** The second pass: key and columns COPY-ed into a staging table, then one UPDATE of the rows whose columns differ. */
export function buildUpdate(
  schema: string,
  table: TablePlan,
  info: ReadonlyMap<string, PostgresColumnInfo>,
  columns: readonly string[],
  mark: PostgresWriterOptions['mark'],
  keepNewer: string | null,
): { prepare: string; copy: string; update: string } {
  const planned = (name: string): PlannedColumn => {
    const c = table.columns.find((col) => col.pg === name);
    if (!c) throw new PlanError([table.table], `column ${quoteIdent(name)} is not among the replicated columns`);
    return c;
  };
  const keys = table.key.map(planned);
  const set = columns.map(planned);
  const newer = keepNewer === null ? [] : [planned(keepNewer)];
  castTypes(info, schema, table.table, [...table.key, ...columns, ...(keepNewer === null ? [] : [keepNewer])]); // every column must exist
  const cols = [...keys, ...set, ...newer].map((c) => quoteIdent(c.pg)).join(', ');
  const keep = newer.map((c) => ` AND (_target.${quoteIdent(c.pg)} > _stage.${quoteIdent(c.pg)}) IS NOT TRUE`).join('');
  const stage = staging(schema, table.table, cols, 'update');
  const match = keys.map((c) => `_target.${quoteIdent(c.pg)} = _stage.${quoteIdent(c.pg)}`).join(' AND ');
  return {
    prepare: `${SAVEPOINT}; ${stage.prepare}`,
    copy: `COPY ${stage.name} (${cols}) FROM STDIN`,
    // a pull that read these rows before their deferred columns were set reads them again (push mark)
    update: marked(
      `UPDATE ${qualified(schema, table.table)} AS _target SET ${set.map((c) => `${quoteIdent(c.pg)} = _stage.${quoteIdent(c.pg)}`).join(', ')}` +
        ` FROM ${stage.name} AS _stage WHERE ${match}` +
        ` AND (${set.map((c) => compared(c, '_target')).join(', ')}) IS DISTINCT FROM (${set.map((c) => compared(c, '_stage')).join(', ')})` +
        keep,
      table,
      mark,
    ),
  };
}
