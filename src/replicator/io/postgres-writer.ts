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
import type pg from 'pg';
import { errorCode } from '../../errors.js';
import { qualified, quoteIdent } from '../../sql/quote.js';
import type { TablePlan } from '../run-plan.js';
import { binaryCopyRefusal } from '../values/pg-binary-encoders.js';
import { keyString, type BatchWriter, type RowRejection, type TargetRow, type WriteOutcome } from './batch-io.js';
import { copyRows, pgValue } from './copy-data.js';
import { postgresEnforcedForeignKeys } from './postgres-enforced-fks.js';
import { statementName } from './postgres-reader.js';
import { castTypes, postgresColumnTypes, type PostgresColumnInfo } from './postgres-column-types.js';
import { buildStatements, buildUpdate, pickOf, RELEASE, type Statements } from './postgres-write-sql.js';
import { isolateRows, type RowFailure } from './row-isolation.js';


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


/** `kept` of the finish's result that has it (a multi-statement query answers with one result each). */
function keptRows(results: unknown): number {
  for (const result of Array.isArray(results) ? (results as unknown[]) : [results]) {
    const row: unknown = typeof result === 'object' && result !== null && 'rows' in result && Array.isArray(result.rows) ? result.rows[0] : undefined;
    const n = typeof row === 'object' && row !== null && 'kept' in row ? row.kept : undefined;
    if (typeof n === 'string') return Number(n);
  }
  return 0;
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
