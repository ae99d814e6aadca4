/**
 * Rows created on a terminal have no PostgreSQL key yet (seed 002: local_id set,
 * server_id NULL). Before such a row is written to PostgreSQL, PostgreSQL assigns its key:
 * the key column's own sequence (serial/identity: nextval) or default expression (e.g.
 * gen_random_uuid()) is evaluated, and the key is stored in the SQLite row's server_id at
 * once. The row then travels like any other, upserted by that key.
 *
 * Why this order (and not INSERT ... RETURNING, then write back): the key is recorded on
 * the terminal before the row exists in PostgreSQL, so a crash at any instant leaves
 * either an unused sequence value (the row is still without a key and gets a fresh one
 * next run) or a row that carries its key and is upserted by it next run: never a second
 * copy of the row. Inserting first would leave a window where PostgreSQL holds the row but
 * the terminal does not know its key, and the next run would insert it again. Sequences
 * never go backwards (nextval is not rolled back, and postgres-sequences.ts only moves
 * them forward), so a key handed out here is never handed to anyone else.
 *
 * Children on the terminal keep pointing at the parent's local key; the FK guard
 * translates it through the parent's server_id, which is set by the time the children are
 * read (parents are read first, in FK order).
 *
 * Keys are drawn on a session of their own, never on the one carrying the batch
 * transaction that may be open at the same time (reads overlap writes).
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { quoteIdent, qualified } from '../../sql/quote.js';
import type { BatchReader, SourceRow } from '../io/batch-io.js';
import type { PlannedColumn, TablePlan } from '../run-plan.js';
import { Rejected, type PgText, type SqliteValue } from '../values/codec.js';
import { pgToSqliteCodec } from '../values/pg-to-sqlite.js';

type Native = PgText | SqliteValue;

export interface ServerKeySource {
  /** a PostgreSQL session apart from the one writing batches */
  session(): Promise<pg.Client>;
  schema: string;
}

/** How the key column gets a value: its sequence, its default expression, or not at all. */
type KeyOrigin = { kind: 'sequence'; sequence: string } | { kind: 'default'; expression: string } | { kind: 'none' };

async function keyOrigin(client: pg.Client, schema: string, table: string, column: string): Promise<KeyOrigin> {
  const r = await client.query<{ seq: string | null; def: string | null }>(
    `SELECT pg_get_serial_sequence($1, a.attname)::text AS seq, pg_get_expr(d.adbin, d.adrelid) AS def
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = $1::regclass AND a.attname = $2 AND NOT a.attisdropped`,
    [qualified(schema, table), column],
  );
  const row = r.rows[0];
  if (row?.seq) return { kind: 'sequence', sequence: row.seq };
  if (row?.def) return { kind: 'default', expression: row.def };
  return { kind: 'none' };
}

async function drawKeys(client: pg.Client, origin: KeyOrigin, n: number): Promise<string[]> {
  if (origin.kind === 'none') return [];
  // volatile functions run once per row of generate_series: n distinct keys in one round trip
  const r =
    origin.kind === 'sequence'
      ? await client.query<{ k: string }>(`SELECT nextval($1::regclass)::text AS k FROM generate_series(1, $2::int)`, [origin.sequence, n])
      : await client.query<{ k: string }>(`SELECT (${origin.expression})::text AS k FROM generate_series(1, $1::int)`, [n]);
  return r.rows.map((x) => x.k);
}

/**
 * Wraps a SQLite reader of a key-translated table (sqlite-to-pg): rows it hands out
 * carry a server key, assigned as above where the terminal had none. `readPlan` is the
 * plan the reader reads with (the local key rides at `localKeyIndexes`).
 */
export function assignServerKeys(
  reader: BatchReader,
  sqlite: Database.Database,
  plan: TablePlan,
  readPlan: TablePlan,
  localKeyIndexes: number[],
  source: ServerKeySource,
): BatchReader {
  const kt = plan.keyTranslation;
  const pgKey = plan.key.length === 1 ? plan.key[0] : undefined;
  const serverIndex = kt && pgKey ? readPlan.columns.findIndex((c) => c.pg === pgKey && c.sqlite === kt.serverId) : -1;
  // a composite PostgreSQL key has no single server_id to fill: such rows are rejected by the codec
  if (!kt || serverIndex < 0 || localKeyIndexes.some((i) => i < 0)) return reader;
  const column = readPlan.columns[serverIndex] as PlannedColumn;
  const toSqlite = pgToSqliteCodec(column);
  const where = kt.sqliteKey.map((k) => `${quoteIdent(k)} = ?`).join(' AND ');
  const update = sqlite.prepare(`UPDATE ${quoteIdent(plan.sqliteTable)} SET ${quoteIdent(kt.serverId)} = ? WHERE ${where} AND ${quoteIdent(kt.serverId)} IS NULL`);
  const current = sqlite.prepare(`SELECT ${quoteIdent(kt.serverId)} FROM ${quoteIdent(plan.sqliteTable)} WHERE ${where}`).pluck(true).safeIntegers(true);
  let origin: KeyOrigin | null = null;

  const fill = async (rows: SourceRow[]): Promise<SourceRow[]> => {
    const keyless = rows.filter((r) => (r[serverIndex] ?? null) === null);
    if (keyless.length === 0) return rows;
    const client = await source.session();
    origin ??= await keyOrigin(client, source.schema, plan.table, column.pg);
    const keys = await drawKeys(client, origin, keyless.length);
    if (keys.length === 0) return rows; // no sequence, no default: the codec rejects these rows, saying why
    const record = sqlite.transaction(() => {
      keyless.forEach((row, i) => {
        const value = toSqlite(keys[i] ?? null);
        if (value instanceof Rejected) return;
        const local = localKeyIndexes.map((j) => row[j] ?? null);
        update.run(value, ...local);
        // another writer may have set it meanwhile: what the row holds now is its key
        row[serverIndex] = (current.get(...local) as Native | undefined) ?? null;
      });
    });
    record();
    return rows;
  };

  return {
    readBatch: async (window) => fill(await reader.readBatch(window)),
    readByKeys: async (keys) => fill(await reader.readByKeys(keys)),
    estimateRows: () => reader.estimateRows(),
    lastPosition: (below) => reader.lastPosition(below),
  };
}
