/**
 * Reads a PostgreSQL source table in keyset batches (order and NULL-cursor phase: see
 * keyset-plan.ts). Every value comes back as PostgreSQL's own text (no parsing: int8 never
 * passes through a double, timestamps never through a Date), rows as arrays, and the batch
 * query is a named prepared statement so the server plans it once per connection.
 * Parameters go as text and PostgreSQL casts them to the compared column's type.
 * The mapping's row filter, compiled by the engine (plan/row-filter.ts), is ANDed into
 * every read with its values bound as parameters.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { PlanError } from '../../errors.js';
import { qualified, quoteIdent } from '../../sql/quote.js';
import type { TablePlan } from '../run-plan.js';
import { rawTextTypes } from '../values/pg-raw-types.js';
import type { BatchReader, ReadWindow, SourceRow } from './batch-io.js';
import { keysetSql, keysetSteps, stepId, type KeysetShape, type KeysetStep, lastPositionSql, type ReadFilter } from './keyset-plan.js';
import { castTypes, postgresColumnTypes } from './postgres-column-types.js';
import { copyRowsInto, copySelectList, sqlLiteral, type BinaryForm, type ColumnForms, type RawRowSink } from './postgres-copy-rows.js';

/** Named statements are per connection; a hash of the text keeps one name per distinct query. */
export function statementName(text: string): string {
  return 'replicate_' + createHash('sha1').update(text).digest('hex').slice(0, 24);
}

/** A read needs the key and cursor among the columns it selects. */
export function checkReadPlan(table: TablePlan): void {
  const has = (name: string): boolean => table.columns.some((c) => c.pg === name);
  const missing = [...table.key, ...(table.cursor ? [table.cursor] : [])].find((k) => !has(k));
  if (missing !== undefined) throw new PlanError([table.table], `column ${quoteIdent(missing)} is not among the replicated columns`);
}

/** What the planner expects `select` to return (EXPLAIN, nothing runs). */
async function plannedRows(client: pg.Client, select: string, values: (string | null)[]): Promise<number> {
  const r = await client.query<{ 'QUERY PLAN': string }>({ text: `EXPLAIN (FORMAT JSON) ${select}`, values, types: rawTextTypes });
  const plan = JSON.parse(r.rows[0]?.['QUERY PLAN'] ?? '[]') as { Plan?: { 'Plan Rows'?: number } }[];
  return Math.round(plan[0]?.Plan?.['Plan Rows'] ?? 0);
}

/** Where a batch's rows go as they arrive from the server (readInto). */
export interface RowCollector {
  /** rows taken so far */
  readonly count: number;
  /** one row, as node-postgres parsed it: each value PostgreSQL's text, or null */
  add(fields: (string | null)[]): void;
  /**
   * one row as PostgreSQL's bytes (each value its text, framed as a DataRow): a collector
   * that has this reads by binary COPY (postgres-copy-rows.ts)
   */
  addRaw?(bytes: Buffer, offset: number, forms: ColumnForms): void;
  /** which columns `addRaw` takes in a binary form (postgres-copy-rows.ts) */
  takesBinary?(column: number, form: BinaryForm): boolean;
}

/** Keeps the rows, as readBatch returns them. */
export class KeptRows implements RowCollector {
  readonly rows: SourceRow[] = [];
  get count(): number {
    return this.rows.length;
  }
  add(fields: (string | null)[]): void {
    this.rows.push(fields);
  }
}

/**
 * A query whose rows go to a collector the moment each arrives instead of into the
 * result: a collector that converts and packs them (postgres-read-convert.ts) keeps no
 * row, so a batch's values die young instead of surviving the reader thread's scavenges
 * while the whole batch arrives (most of that thread's GC time).
 */
class CollectingQuery extends pg.Query {
  constructor(config: pg.QueryArrayConfig, private readonly into: RowCollector, done: (err: Error | undefined) => void) {
    super(config, (err) => done(err));
  }
  handleDataRow(msg: { fields: (string | null)[] }): void {
    const self = this as unknown as { _canceledDueToError: unknown };
    if (self._canceledDueToError) return;
    try {
      this.into.add(msg.fields);
    } catch (e) {
      // as node-postgres does with a row it cannot parse: the query fails once the server is done
      self._canceledDueToError = e;
    }
  }
}

export interface PostgresReader extends BatchReader {
  /** readBatch, each row handed to `into` as it arrives: the rows are what `into` keeps of them */
  readInto<C extends RowCollector>(window: ReadWindow, into: C): Promise<C>;
}

export function createPostgresReader(client: pg.Client, schema: string, table: TablePlan, filter: ReadFilter | null = null): PostgresReader {
  checkReadPlan(table);
  const cursor = table.mode === 'incremental' && table.cursor !== null ? table.cursor : null;
  const cursorColumn = table.cursor !== null ? quoteIdent(table.cursor) : null;
  const from = qualified(schema, table.table);
  const select = table.columns.map((c) => quoteIdent(c.pg));
  const shape: KeysetShape = { select, from, cursor: cursor === null ? null : quoteIdent(cursor), key: table.key.map(quoteIdent), filter };
  const filterValues = filter ? filter.values.map((v) => (v === null ? null : String(v))) : [];

  const texts = new Map<string, { text: string; name: string }>();
  const query = (step: KeysetStep): { text: string; name: string } => {
    const id = stepId(step);
    let q = texts.get(id);
    if (!q) {
      const text = keysetSql(shape, step, (n) => `$${n}`);
      q = { text, name: statementName(text) };
      texts.set(id, q);
    }
    return q;
  };
  let byKeys: { text: string; name: string } | null = null;
  /**
   * The shape of a COPY read (postgres-copy-rows.ts): columns as their text, and the key and
   * cursor named with their table, so ORDER BY never takes an output column's name instead.
   */
  let copyShape: Promise<{ shape: KeysetShape; forms: ColumnForms }> | null = null;
  const inTable = (c: string): string => `${from}.${quoteIdent(c)}`;

  const readInto = async <C extends RowCollector>(window: ReadWindow, into: C): Promise<C> => {
    const sink: RawRowSink | null = into.addRaw ? (into as RawRowSink) : null;
    // the columns' forms are the collector's choice, the same for every batch of the reader
    const copy = sink
      ? await (copyShape ??= copySelectList(client, schema, table.table, table.columns.map((c) => c.pg), sink).then(({ select: list, forms }) => ({
          shape: { ...shape, select: list, cursor: cursor === null ? null : inTable(cursor), key: table.key.map(inTable) },
          forms,
        })))
      : null;
    // the steps in order (NULL-cursor rows first), until the window is full or the table exhausted
    for (const s of keysetSteps(cursor !== null, window)) {
      const left = window.limit - into.count;
      if (left <= 0) break;
      if (copy && sink) {
        const values: unknown[] = [...filterValues, ...s.params, left];
        await copyRowsInto(client, keysetSql(copy.shape, s.step, (n) => sqlLiteral(client, values[n - 1])), sink, copy.forms);
        continue;
      }
      const q = query(s.step);
      const config: pg.QueryArrayConfig = { ...q, values: [...filterValues, ...s.params, left], rowMode: 'array', types: rawTextTypes };
      await new Promise<void>((resolve, reject) => {
        void client.query(new CollectingQuery(config, into, (err) => (err ? reject(err) : resolve())));
      });
    }
    return into;
  };

  return {
    readInto,
    async readBatch(window) {
      return (await readInto(window, new KeptRows())).rows;
    },
    async readByKeys(keys) {
      if (keys.length === 0) return [];
      if (!byKeys) {
        const types = castTypes(await postgresColumnTypes(client, schema, table.table), schema, table.table, table.key);
        const params = table.key.map((_, i) => `$${i + 1}::text[]`).join(', ');
        const aliases = table.key.map((_, i) => `k${i}`);
        const cast = aliases.map((a, i) => `u.${a}::${types[i] ?? 'text'}`).join(', ');
        let n = table.key.length;
        const where = filter ? ` AND ${filter.render(() => `$${++n}`)}` : '';
        const text = `SELECT ${select.join(', ')} FROM ${from} WHERE (${shape.key.join(', ')}) IN (SELECT ${cast} FROM unnest(${params}) AS u(${aliases.join(', ')}))${where}`;
        byKeys = { text, name: statementName(text) };
      }
      const values = table.key.map((_, i) => keys.map((k) => (k[i] === null || k[i] === undefined ? null : String(k[i]))));
      const r = await client.query<SourceRow>({ ...byKeys, values: [...values, ...filterValues], rowMode: 'array', types: rawTextTypes });
      return r.rows;
    },
    async lastPosition(cursorBelow) {
      if (cursorColumn === null) return null;
      const text = lastPositionSql(shape, cursorColumn, cursorBelow !== null, (n) => `$${n}`);
      const r = await client.query<SourceRow>({ text, values: [...filterValues, ...(cursorBelow !== null ? [cursorBelow] : [])], rowMode: 'array', types: rawTextTypes });
      const row = r.rows[0];
      return row ? { cursor: row[0] ?? null, key: row.slice(1) } : null;
    },
    async estimateRows() {
      const r = await client.query<{ n: string }>(`SELECT reltuples::float8::text AS n FROM pg_class WHERE oid = $1::regclass`, [from]);
      const estimate = Number(r.rows[0]?.n ?? -1);
      let n = 0;
      const where = filter ? ` WHERE ${filter.render(() => `$${++n}`)}` : '';
      // -1: never analyzed; 0 may be a stale figure from before a load, and counting an empty table is cheap
      // with a filter: the rows it lets through, by the same statistics (the planner's estimate, no scan)
      if (estimate > 0) return filter ? plannedRows(client, `SELECT 1 FROM ${from}${where}`, filterValues) : Math.round(estimate);
      const c = await client.query<{ n: string }>({ text: `SELECT count(*)::text AS n FROM ${from}${where}`, values: filterValues, types: rawTextTypes });
      return Number(c.rows[0]?.n ?? 0);
    },
  };
}
