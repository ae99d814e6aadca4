/**
 * Writes batches into a PostgreSQL target inside the caller's open transaction.
 *
 * 'upsert': COPY the batch into a session-temporary staging table, then ONE
 * `INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE ... WHERE row IS DISTINCT FROM` so
 * unchanged rows are not rewritten (no new row version, no update trigger).
 * 'copy-direct': COPY straight into the target (a first load into an empty table).
 *
 * `insertOnlyColumns` (a cycle's deferred FK columns) are written when a row is inserted and
 * left out of the upsert's UPDATE: the second pass sets them (`updateColumns`: COPY key and
 * columns into a staging table, then one `UPDATE ... FROM` per batch).
 *
 * A batch the server refuses for a row's data (see ROW_ERROR_CLASSES) is rolled back to a
 * savepoint taken before it and the offending rows are isolated (row-isolation.ts); the
 * rest is written. Anything else (a lost connection, a serialization failure) is thrown.
 * DESIGN.md "Performance design".
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { errorCode, PlanError } from '../../errors.js';
import type { CanonicalKind } from '../../model/schema.js';
import { qualified, quoteIdent } from '../../sql/quote.js';
import type { PlannedColumn, TablePlan } from '../run-plan.js';
import { binaryCopyRefusal } from '../values/pg-binary-encoders.js';
import { keyString, type BatchWriter, type RowRejection, type TargetRow, type WriteOutcome } from './batch-io.js';
import { copyRows, pgValue } from './copy-data.js';
import { postgresEnforcedForeignKeys } from './postgres-enforced-fks.js';
import { statementName } from './postgres-reader.js';
import { castTypes, postgresColumnTypes, type PostgresColumnInfo } from './postgres-column-types.js';
import { isolateRows, type RowFailure } from './row-isolation.js';

/**
 * Kinds whose `=` is not "the same value" (numeric 1.10 = 1.1, interval '1 day' =
 * '24 hours', -0 = 0) or that have no `=` at all (json, unknown types like point): the
 * no-op check compares them as text.
 */
const COMPARE_AS_TEXT: ReadonlySet<CanonicalKind> = new Set(['json', 'numeric', 'interval', 'real', 'double', 'unknown']);

/**
 * SQLSTATEs caused by a row's own values: class 22 (data exception), class 23 (integrity
 * violation), 21000 (two rows of one batch with the same key), 54000 (a value too big for
 * an index entry) and P0001 (a trigger refusing the row).
 */
const ROW_ERROR_CLASSES = ['22', '23'];
const ROW_ERROR_CODES: ReadonlySet<string> = new Set(['21000', '54000', 'P0001']);
const FK_VIOLATION = '23503';

interface PgFailure {
  code: string;
  message: string;
  column?: string;
  where?: string;
}

function asRowFailure(e: unknown): PgFailure | null {
  const code = errorCode(e);
  if (typeof e !== 'object' || e === null || code === undefined) return null;
  if (!ROW_ERROR_CODES.has(code) && !ROW_ERROR_CLASSES.includes(code.slice(0, 2))) return null;
  const message = 'message' in e && typeof e.message === 'string' ? e.message : code;
  const column = 'column' in e && typeof e.column === 'string' ? e.column : undefined;
  const where = 'where' in e && typeof e.where === 'string' ? e.where : undefined;
  return { code, message, column, where };
}

/** "COPY t, line 3, column qty: ..." -> the 0-based row and the column, when the error came from COPY. */
function copyContext(where: string | undefined): { line: number | null; column: string | null } {
  const m = where === undefined ? null : /^COPY .*?, line (\d+)(?:, column (.+?))?(?::|$)/m.exec(where);
  if (!m) return { line: null, column: null };
  return { line: Number(m[1]) - 1, column: m[2] ?? null };
}


interface Statements {
  /** before the COPY of an attempt (savepoint, staging table ready and empty) */
  prepare: string;
  copy: string;
  /** after the COPY of an attempt (the upsert, release of the savepoint) */
  finish: string;
  /** positions in a target row of the columns written (null: all of them) */
  pick: number[] | null;
  /** finish's result holds `kept`: rows left alone because the target's copy is newer */
  countsKept: boolean;
}

export interface PostgresWriterOptions {
  /** 'upsert' by default; 'copy-direct' for a first load into an empty table */
  mode: 'upsert' | 'copy-direct';
  /**
   * columns (PostgreSQL names) written on INSERT only, never by the upsert's UPDATE: a
   * cycle's deferred FK columns, NULL in the first pass, so an incremental run does not
   * overwrite the value the second pass set
   */
  insertOnlyColumns?: readonly string[];
  /**
   * 'copy-direct' only: the COPY runs with the per-row FK triggers off and the parent
   * lookups lock what they find (postgres-locked-parents.ts); every FK is looked up first
   */
  lockParents?: boolean;
  /**
   * A table with a cursor pushed from a terminal: each batch also records the lowest cursor
   * it wrote (state/push-marks.ts), given the SQL whose column `c` holds the written rows'
   * cursors (null: a COPY into the empty table). Absent or null: no mark.
   */
  mark?: ((cursors: string | null) => string) | null;
  /**
   * 'upsert' only: a cursor column (PostgreSQL name). A row whose copy in the target holds a
   * greater cursor is left as it is, and counted (WriteOutcome.keptNewer): a terminal's stale
   * copy (pulled before another terminal changed the row, or pushed again in full) never
   * replaces a newer version. DESIGN.md "Conflicts": latest-wins, by the cursor.
   */
  keepNewer?: string | null;
}

const SAVEPOINT = 'SAVEPOINT replicate_batch';
const RELEASE = 'RELEASE SAVEPOINT replicate_batch';
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
function pickOf(table: TablePlan, info: ReadonlyMap<string, PostgresColumnInfo>): number[] | null {
  const written = table.columns.filter((c) => !info.get(c.pg)?.generated);
  return written.length === table.columns.length ? null : written.map((c) => table.columns.indexOf(c));
}

/** How rows encoded before they reach the writer are to be written into `table`. */
export interface CopyFormat {
  /** the columns a COPY writes, as pickOf gives them */
  pick: number[] | null;
  /** null: binary COPY; else why the table's COPY stays text (values/pg-binary-encoders.ts binaryCopyRefusal) */
  textBecause: string | null;
}

/**
 * The columns a COPY into `table` writes, and whether it can be binary: every written
 * column has a binary encoder and is of the type that encoder writes on the target.
 */
export async function copyFormat(client: pg.Client, schema: string, table: TablePlan): Promise<CopyFormat> {
  const info = await postgresColumnTypes(client, schema, table.table);
  const written = table.columns.filter((c) => !info.get(c.pg)?.generated);
  return { pick: pickOf(table, info), textBecause: binaryCopyRefusal(written, (pg) => info.get(pg)?.type) };
}

function buildStatements(schema: string, table: TablePlan, info: ReadonlyMap<string, PostgresColumnInfo>, opts: PostgresWriterOptions): Statements {
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
  // every part of one statement sees the snapshot taken before it: the rows newer in the target than staged are those the upsert leaves
  const kept =
    newer === null || updated.length === 0
      ? null
      : `SELECT count(*) FROM ${stage.name} AS _stage JOIN ${target} AS _old ON ${table.key.map((k) => `_old.${quoteIdent(k)} = _stage.${quoteIdent(k)}`).join(' AND ')}` +
        ` WHERE _old.${quoteIdent(newer.pg)} > _stage.${quoteIdent(newer.pg)}`;
  return {
    prepare: `${SAVEPOINT}; ${stage.prepare}`,
    copy: `COPY ${stage.name} (${cols}) FROM STDIN`,
    // RETURNING gives the rows inserted or changed, not those the no-op check left alone
    finish: `${marked(upsert, table, opts.mark, kept)}; ${RELEASE}`,
    pick,
    countsKept: kept !== null,
  };
}

/**
 * `statement` (an INSERT or UPDATE of alias _target) and, in the same statement, the push
 * mark of the rows it wrote; its result is one row, `n`: how many rows it wrote, and `kept`,
 * the count `kept` (a query) gives, when there is one.
 */
function marked(statement: string, table: TablePlan, mark: PostgresWriterOptions['mark'], kept: string | null = null): string {
  const keptColumn = kept === null ? '' : `, (${kept})::text AS kept`;
  if (!mark || table.cursor === null) return kept === null ? statement : `WITH _wrote AS (${statement} RETURNING 1) SELECT count(*)::text AS n${keptColumn} FROM _wrote`;
  return `WITH _wrote AS (${statement} RETURNING _target.${quoteIdent(table.cursor)} AS c), _mark AS (${mark('SELECT c FROM _wrote')}) SELECT count(*)::text AS n${keptColumn} FROM _wrote`;
}

/** `kept` of a finish's first result (a multi-statement query answers with one result each). */
function keptRows(results: unknown): number {
  const first: unknown = Array.isArray(results) ? results[0] : results;
  const row: unknown = typeof first === 'object' && first !== null && 'rows' in first && Array.isArray(first.rows) ? first.rows[0] : undefined;
  const n = typeof row === 'object' && row !== null && 'kept' in row ? row.kept : undefined;
  return typeof n === 'string' ? Number(n) : 0;
}

/** keptNewer only when some row was kept, so outcomes of tables without the guard read as before */
function outcome(written: number, rejected: RowRejection[], kept: number): WriteOutcome {
  return kept > 0 ? { written, rejected, keptNewer: kept } : { written, rejected };
}

/** Rows an UPDATE changed: the one row's `n` of a marked one (marked()), else its row count. */
function changedRows(r: pg.QueryResult): number {
  const n = (r.rows[0] as { n?: unknown } | undefined)?.n;
  return typeof n === 'string' ? Number(n) : (r.rowCount ?? 0);
}

/** The second pass: key and columns COPY-ed into a staging table, then one UPDATE of the rows whose columns differ. */
function buildUpdate(
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

export function createPostgresWriter(client: pg.Client, schema: string, table: TablePlan, opts?: PostgresWriterOptions): BatchWriter {
  const options: PostgresWriterOptions = opts ?? { mode: 'upsert' };
  const catalog = new Map<string, Map<string, PostgresColumnInfo>>();
  const columnInfo = async (name: string): Promise<Map<string, PostgresColumnInfo>> => {
    let info = catalog.get(name);
    if (!info) {
      info = await postgresColumnTypes(client, schema, name);
      catalog.set(name, info);
    }
    return info;
  };
  let statements: Statements | null = null;
  const updates = new Map<string, { prepare: string; copy: string; update: string }>();
  const existsSql = new Map<string, string>();

  /** Runs `work` under its own savepoint; the failure, rolled back to it, if the rows' data was refused. */
  const underSavepoint = async (work: () => Promise<void>): Promise<RowFailure | null> => {
    try {
      await work();
      return null;
    } catch (e) {
      const f = asRowFailure(e);
      if (!f) throw e;
      await client.query(`ROLLBACK TO SAVEPOINT replicate_batch; ${RELEASE}`);
      const at = copyContext(f.where);
      return { code: f.code, reason: f.message, column: f.column ?? at.column, row: at.line };
    }
  };

  // rows the upserts left because the target's copy is newer, since the last write() or tryWrite() began
  let kept = 0;
  /** One attempt at writing these rows under its own savepoint; the failure if their data was refused. */
  const attempt = async (rows: readonly TargetRow[]): Promise<RowFailure | null> => {
    const s = (statements ??= buildStatements(schema, table, await columnInfo(table.table), options));
    return underSavepoint(async () => {
      await client.query(s.prepare);
      await copyRows(client, s.copy, rows, s.pick);
      const results: unknown = await client.query(s.finish);
      if (s.countsKept) kept += keptRows(results);
    });
  };

  return {
    parentChecksOff: options.mode === 'copy-direct' && options.lockParents === true,

    async write(rows) {
      if (rows.length === 0) return { written: 0, rejected: [] };
      kept = 0;
      const rejected = await isolateRows(rows, attempt, (code) => code === FK_VIOLATION);
      return outcome(rows.length - rejected.length, rejected, kept);
    },

    async tryWrite(rows) {
      if (rows.length === 0) return { written: 0, rejected: [] };
      kept = 0;
      const first = await attempt(rows);
      if (!first) return outcome(rows.length, [], kept);
      if (first.code === FK_VIOLATION) return 'missing-parent';
      const rejected = await isolateRows(rows, attempt, (code) => code === FK_VIOLATION, first);
      return outcome(rows.length - rejected.length, rejected, kept);
    },

    async updateColumns(columns, rows, keepNewer) {
      if (rows.length === 0 || columns.length === 0) return { written: 0, rejected: [] };
      const id = JSON.stringify([columns, keepNewer ?? null]);
      let u = updates.get(id);
      if (!u) {
        u = buildUpdate(schema, table, await columnInfo(table.table), columns, options.mark, keepNewer ?? null);
        updates.set(id, u);
      }
      const s = u;
      let changed = 0;
      // a refused row is only ever its own values (a parent deleted meanwhile, a CHECK): no retry after the others
      const rejected = await isolateRows(
        rows,
        (part) =>
          underSavepoint(async () => {
            await client.query(s.prepare);
            await copyRows(client, s.copy, part, null);
            const r = await client.query(s.update);
            await client.query(RELEASE);
            changed += changedRows(r);
          }),
        () => false,
      );
      return { written: changed, rejected };
    },

    async enforcesForeignKey(columns, parentTable, parentColumns) {
      const enforced = await postgresEnforcedForeignKeys(client, schema, table.table);
      return enforced(table.table, columns, parentTable, parentColumns);
    },

    isMissingParent(code) {
      return code === FK_VIOLATION;
    },

    async existingKeys(parent, columns, keys) {
      const found = new Set<string>();
      if (keys.length === 0) return found;
      const id = JSON.stringify([parent, columns]);
      let sql = existsSql.get(id);
      if (sql === undefined) {
        const types = castTypes(await columnInfo(parent), schema, parent, columns);
        const aliases = columns.map((_, i) => `k${i}`);
        const params = columns.map((_, i) => `$${i + 1}::text[]`).join(', ');
        const match = columns.map((c, i) => `p.${quoteIdent(c)} = u.${aliases[i]}::${types[i]}`).join(' AND ');
        // Asks for the MISSING keys (nearly always none, so next to nothing comes back) as a
        // named statement (planned once): several times cheaper per batch than listing the
        // keys that exist with a fresh plan each time.
        const keys = `unnest(${params}) WITH ORDINALITY AS u(${aliases.join(', ')}, ord)`;
        sql = options.lockParents
          ? // the parents found are locked as the FK triggers would have (FOR KEY SHARE, until commit)
            `SELECT u.ord::text AS ord FROM ${keys} LEFT JOIN (SELECT ${columns.map((c, i) => `p.${quoteIdent(c)} AS ${aliases[i]}`).join(', ')}` +
            ` FROM ${qualified(schema, parent)} AS p JOIN ${keys} ON ${match} FOR KEY SHARE OF p) AS l` +
            ` ON ${aliases.map((a, i) => `l.${a} = u.${a}::${types[i]}`).join(' AND ')} WHERE l.${aliases[0]} IS NULL`
          : `SELECT u.ord::text AS ord FROM ${keys} WHERE NOT EXISTS (SELECT 1 FROM ${qualified(schema, parent)} AS p WHERE ${match})`;
        existsSql.set(id, sql);
      }
      const values = columns.map((_, i) => keys.map((k) => pgValue(k[i])));
      const r = await client.query<{ ord: string }>({ name: statementName(sql), text: sql, values });
      const missing = new Set(r.rows.map((row) => Number(row.ord) - 1));
      // the caller's own tuples are reported, so their text forms match what it asked for
      keys.forEach((k, i) => {
        if (!missing.has(i)) found.add(keyString(k));
      });
      return found;
    },
  };
}
