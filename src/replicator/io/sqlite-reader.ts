/**
 * Reads a SQLite source table in keyset batches (see keyset-plan.ts for the order and the
 * NULL-cursor phase). Values come back as better-sqlite3 gives them with safeIntegers
 * (INTEGER as BigInt), and positions are bound back exactly as read: SQLite never
 * compares an INTEGER equal to a TEXT, so nothing is converted on the way round.
 */
import type Database from 'better-sqlite3';
import { PlanError } from '../../errors.js';
import { quoteIdent } from '../../sql/quote.js';
import type { TablePlan } from '../run-plan.js';
import type { PgText, SqliteValue } from '../values/codec.js';
import type { BatchReader, SourceRow } from './batch-io.js';
import { keysetSql, keysetSteps, lastPositionSql, readKeyset, stepId, type KeysetShape, type KeysetStep, type ReadFilter } from './keyset-plan.js';
import { encodeKeyTuples, keyInJsonSql } from './sqlite-key-json.js';
import { sqliteSourceChecks } from './sqlite-source-checks.js';

type Native = PgText | SqliteValue;

/** SQLite name of a planned column given its PostgreSQL name (or a key column named on the SQLite side). */
function sqliteName(table: TablePlan, pgName: string): string {
  const col = table.columns.find((c) => c.pg === pgName);
  if (!col) throw new PlanError([table.table], `column ${quoteIdent(pgName)} is not among the replicated columns`);
  return col.sqlite;
}

/**
 * The row identity on the SQLite side: the local key where the mapping translates keys
 * (seed 002's local_id), the table's key otherwise.
 */
export function sqliteKeyColumns(table: TablePlan): string[] {
  return table.keyTranslation?.sqliteKey ?? table.key.map((k) => sqliteName(table, k));
}

/** `filter`: the mapping's row filter compiled for SQLite (plan/row-filter.ts), ANDed into every read. */
export function createSqliteReader(db: Database.Database, table: TablePlan, opts?: { chunkRows?: number; filter?: ReadFilter | null }): BatchReader {
  const key = sqliteKeyColumns(table);
  const cursor = table.mode === 'incremental' && table.cursor !== null ? sqliteName(table, table.cursor) : null;
  const cursorColumn = table.cursor !== null ? quoteIdent(sqliteName(table, table.cursor)) : null;
  const from = quoteIdent(table.sqliteTable);
  const select = table.columns.map((c) => quoteIdent(c.sqlite));
  const filter = opts?.filter ?? null;
  const shape: KeysetShape = { select, from, cursor: cursor === null ? null : quoteIdent(cursor), key: key.map(quoteIdent), filter };
  const filterValues = filter?.values ?? [];
  const chunkRows = opts?.chunkRows ?? 1000;
  // rows whose values are not what SQLite holds, or whose uuid key another row holds too: noted before they are converted
  const check = sqliteSourceChecks(db, table, key, filter);

  const prepared = new Map<string, Database.Statement>();
  const statement = (step: KeysetStep): Database.Statement => {
    const id = stepId(step);
    let stmt = prepared.get(id);
    if (!stmt) {
      stmt = db.prepare(keysetSql(shape, step, () => '?')).raw(true).safeIntegers(true);
      prepared.set(id, stmt);
    }
    return stmt;
  };
  let byKeys: Database.Statement | null = null;
  let count: Database.Statement | null = null;

  return {
    async readBatch(window) {
      const rows = await readKeyset(keysetSteps(cursor !== null, window), window.limit, (s, limit) => statement(s.step).all(...filterValues, ...s.params, limit) as SourceRow[]);
      check?.(rows);
      return rows;
    },
    async readByKeys(keys) {
      if (keys.length === 0) return [];
      byKeys ??= db.prepare(`SELECT ${select.join(', ')} FROM ${from} WHERE ${keyInJsonSql(key, null)}${filter ? ` AND ${filter.render(() => '?')}` : ''}`).raw(true).safeIntegers(true);
      const stmt = byKeys;
      const out: SourceRow[] = [];
      // chunked only to bound the size of one JSON parameter; each chunk is one query
      for (let i = 0; i < keys.length; i += chunkRows) {
        const chunk: Native[][] = keys.slice(i, i + chunkRows);
        for (const row of stmt.all(encodeKeyTuples(chunk), ...filterValues) as SourceRow[]) out.push(row);
      }
      check?.(out);
      return out;
    },
    async estimateRows() {
      // counted, filter and all: the rows this read goes through
      count ??= db.prepare(`SELECT count(*) FROM ${from}${filter ? ` WHERE ${filter.render(() => '?')}` : ''}`).pluck(true).safeIntegers(true);
      return Number(count.get(...filterValues) as bigint);
    },
    async lastPosition(cursorBelow) {
      if (cursorColumn === null) return null;
      const sql = lastPositionSql(shape, cursorColumn, cursorBelow !== null, () => '?');
      const row = db.prepare(sql).raw(true).safeIntegers(true).get(...filterValues, ...(cursorBelow !== null ? [cursorBelow] : [])) as Native[] | undefined;
      return row ? { cursor: row[0] ?? null, key: row.slice(1) } : null;
    },
  };
}
