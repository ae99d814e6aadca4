/**
 * Reading a source table in keyset batches, from SQLite and from PostgreSQL: every row
 * exactly once and in (cursor, key) order however many rows share one updated_at, rows
 * with a NULL cursor included, nothing at or past the late-commit cap, full copies paged
 * by key, odd names, and values exactly as stored (int8 past 2^53, numeric scale,
 * microseconds; SQLite integers as BigInt).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { CanonicalKind } from '../src/model/schema.js';
import type { BatchReader, KeysetPosition, SourceRow } from '../src/replicator/io/batch-io.js';
import { createPostgresReader } from '../src/replicator/io/postgres-reader.js';
import { createSqliteReader } from '../src/replicator/io/sqlite-reader.js';
import type { TablePlan } from '../src/replicator/run-plan.js';
import type { PgText } from '../src/replicator/values/codec.js';
import { createTestDatabase, type TestDatabase } from './harness/pg.js';
import { tempDir, type TempDir } from './harness/sqlite.js';

/** A plan for a table whose columns have the same names on both sides. */
function plan(table: string, columns: [string, CanonicalKind][], key: string[], cursor: string | null): TablePlan {
  return {
    table,
    sqliteTable: table,
    columns: columns.map(([name, kind]) => ({ pg: name, sqlite: name, pgType: { kind }, sqliteType: { kind }, transform: 'none', sqliteFormat: null })),
    key,
    keyTranslation: null,
    cursor,
    mode: cursor ? 'incremental' : 'full',
    foreignKeys: [],
    deferredColumns: [],
    filter: null,
    estimatedRows: 0,
  };
}

/** Pages through a reader the way a run does: each window starts after the last row of the previous one. */
async function readAll(reader: BatchReader, t: TablePlan, limit: number, cursorBelow: PgText = null): Promise<{ rows: SourceRow[]; batches: number }> {
  const cursorAt = t.cursor && t.mode === 'incremental' ? t.columns.findIndex((c) => c.pg === t.cursor) : -1;
  const keyAt = t.key.map((k) => t.columns.findIndex((c) => c.pg === k));
  const rows: SourceRow[] = [];
  let after: KeysetPosition | null = null;
  let batches = 0;
  for (;;) {
    const batch = await reader.readBatch({ after, cursorBelow, limit });
    if (batch.length === 0) break;
    batches++;
    expect(batch.length).toBeLessThanOrEqual(limit);
    rows.push(...batch);
    const last = batch[batch.length - 1] as SourceRow;
    after = { cursor: cursorAt >= 0 ? (last[cursorAt] ?? null) : null, key: keyAt.map((i) => last[i] ?? null) };
  }
  return { rows, batches };
}

const ids = (rows: SourceRow[]): string[] => rows.map((r) => String(r[0]));

let db: TestDatabase;
let client: pg.Client;
let dir: TempDir;
let lite: Database.Database;

beforeAll(async () => {
  db = await createTestDatabase('readers');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query("SET TimeZone = 'UTC'");
  dir = tempDir();
  lite = new Database(dir.file('source.db'));
});

afterAll(async () => {
  lite.close();
  await client.end();
  await db.drop();
  dir.remove();
});

const events = plan('events', [['id', 'bigint'], ['note', 'text'], ['updated_at', 'timestamptz']], ['id'], 'updated_at');

describe('10,000 rows sharing one updated_at, read 100 at a time', () => {
  beforeAll(async () => {
    await client.query(`CREATE TABLE events (id bigint PRIMARY KEY, note text, updated_at timestamptz);
      INSERT INTO events SELECT g, 'n' || g, '2025-06-01 12:00:00+00' FROM generate_series(1, 10000) g`);
    lite.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, note TEXT, updated_at TEXT);
      WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 10000)
      INSERT INTO events SELECT i, 'n' || i, '2025-06-01T12:00:00.000Z' FROM g`);
  });

  it('SQLite: every row exactly once, in key order', async () => {
    const { rows, batches } = await readAll(createSqliteReader(lite, events), events, 100);
    expect(batches).toBe(100);
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 10000 }, (_, i) => BigInt(i + 1)));
  });

  it('PostgreSQL: every row exactly once, in key order', async () => {
    const { rows, batches } = await readAll(createPostgresReader(client, 'public', events), events, 100);
    expect(batches).toBe(100);
    expect(ids(rows)).toEqual(Array.from({ length: 10000 }, (_, i) => String(i + 1)));
  });
});

describe('NULL cursors and the late-commit cap', () => {
  beforeAll(async () => {
    const values = `(1, 'a', '2025-01-03'), (2, 'b', NULL), (3, 'c', '2025-01-01'), (4, 'd', NULL), (5, 'e', '2025-01-02'), (6, 'f', '2025-01-05'), (7, 'g', NULL)`;
    await client.query(`CREATE TABLE tickets (id integer PRIMARY KEY, note text, changed date); INSERT INTO tickets VALUES ${values}`);
    lite.exec(`CREATE TABLE tickets (id INTEGER PRIMARY KEY, note TEXT, changed TEXT); INSERT INTO tickets VALUES ${values}`);
  });
  const tickets = plan('tickets', [['id', 'integer'], ['note', 'text'], ['changed', 'date']], ['id'], 'changed');

  it('reads rows without a cursor first, by key, then the rest by (cursor, key), in windows of 2', async () => {
    const order = ['2', '4', '7', '3', '5', '1', '6'];
    expect(ids((await readAll(createSqliteReader(lite, tickets), tickets, 2)).rows)).toEqual(order);
    expect(ids((await readAll(createPostgresReader(client, 'public', tickets), tickets, 2)).rows)).toEqual(order);
  });

  it('never reads a row whose cursor is at or past the cap', async () => {
    const capped = ['2', '4', '7', '3', '5'];
    expect(ids((await readAll(createSqliteReader(lite, tickets), tickets, 2, '2025-01-03')).rows)).toEqual(capped);
    expect(ids((await readAll(createPostgresReader(client, 'public', tickets), tickets, 2, '2025-01-03')).rows)).toEqual(capped);
  });

  it('resumes after a checkpoint inside the NULL rows and after one past them', async () => {
    // positions hold values as the source gave them: BigInt from SQLite, text from PostgreSQL
    const sources: [BatchReader, (id: number) => bigint | string][] = [
      [createSqliteReader(lite, tickets), (id) => BigInt(id)],
      [createPostgresReader(client, 'public', tickets), (id) => String(id)],
    ];
    for (const [reader, key] of sources) {
      const insideNulls = await reader.readBatch({ after: { cursor: null, key: [key(4)] }, cursorBelow: null, limit: 3 });
      expect(ids(insideNulls)).toEqual(['7', '3', '5']);
      const pastNulls = await reader.readBatch({ after: { cursor: '2025-01-02', key: [key(5)] }, cursorBelow: null, limit: 10 });
      expect(ids(pastNulls)).toEqual(['1', '6']);
    }
  });
});

describe('composite keys', () => {
  const lines = plan(
    'order_lines',
    [['order_id', 'integer'], ['line_no', 'integer'], ['qty', 'integer'], ['updated_at', 'text']],
    ['order_id', 'line_no'],
    'updated_at',
  );
  beforeAll(async () => {
    const values = [];
    for (let o = 1; o <= 7; o++) for (let l = 1; l <= 3; l++) values.push(`(${o}, ${l}, ${o * 10 + l}, '${o % 2 === 0 ? 'b' : 'a'}')`);
    await client.query(`CREATE TABLE order_lines (order_id integer, line_no integer, qty integer, updated_at text, PRIMARY KEY (order_id, line_no));
      INSERT INTO order_lines VALUES ${values.join(', ')}`);
    lite.exec(`CREATE TABLE order_lines (order_id INTEGER, line_no INTEGER, qty INTEGER, updated_at TEXT, PRIMARY KEY (order_id, line_no));
      INSERT INTO order_lines VALUES ${values.join(', ')}`);
  });
  const pair = (r: SourceRow): string => `${String(r[0])}/${String(r[1])}`;
  const expected = [1, 3, 5, 7, 2, 4, 6].flatMap((o) => [1, 2, 3].map((l) => `${o}/${l}`));

  it('incremental reads page by (cursor, order_id, line_no)', async () => {
    expect((await readAll(createSqliteReader(lite, lines), lines, 4)).rows.map(pair)).toEqual(expected);
    expect((await readAll(createPostgresReader(client, 'public', lines), lines, 4)).rows.map(pair)).toEqual(expected);
  });

  it('a full copy pages by the key alone', async () => {
    const full: TablePlan = { ...lines, cursor: null, mode: 'full' };
    const byKey = [1, 2, 3, 4, 5, 6, 7].flatMap((o) => [1, 2, 3].map((l) => `${o}/${l}`));
    const fromSqlite = await readAll(createSqliteReader(lite, full), full, 5);
    const fromPg = await readAll(createPostgresReader(client, 'public', full), full, 5);
    expect(fromSqlite.rows.map(pair)).toEqual(byKey);
    expect(fromPg.rows.map(pair)).toEqual(byKey);
    expect([fromSqlite.batches, fromPg.batches]).toEqual([5, 5]);
  });

  it('reads rows back by key, in the source representation', async () => {
    const sqliteRows = await createSqliteReader(lite, lines, { chunkRows: 2 }).readByKeys([[2n, 3n], [9n, 9n], [5n, 1n]]);
    expect(sqliteRows.map(pair).sort()).toEqual(['2/3', '5/1']);
    expect(sqliteRows.find((r) => r[0] === 2n)?.[2]).toBe(23n);
    const pgRows = await createPostgresReader(client, 'public', lines).readByKeys([['2', '3'], ['9', '9'], ['5', '1']]);
    expect(pgRows.map(pair).sort()).toEqual(['2/3', '5/1']);
    expect(pgRows.find((r) => r[0] === '2')?.[2]).toBe('23');
  });
});

describe('quoted and unicode names', () => {
  const notes = plan('Branch "Notes"', [['ключ', 'integer'], ["note's text", 'text'], ['geändert am', 'text']], ['ключ'], 'geändert am');
  beforeAll(async () => {
    const values = `(1, 'x', 'b'), (2, 'y', 'a'), (3, 'z', 'a')`;
    await client.query(`CREATE SCHEMA "Kasse 1"; CREATE TABLE "Kasse 1"."Branch ""Notes""" ("ключ" integer PRIMARY KEY, "note's text" text, "geändert am" text);
      INSERT INTO "Kasse 1"."Branch ""Notes""" VALUES ${values}`);
    lite.exec(`CREATE TABLE "Branch ""Notes""" ("ключ" INTEGER PRIMARY KEY, "note's text" TEXT, "geändert am" TEXT); INSERT INTO "Branch ""Notes""" VALUES ${values}`);
  });

  it('read like any other table, from a schema-qualified PostgreSQL table too', async () => {
    expect((await readAll(createSqliteReader(lite, notes), notes, 1)).rows).toEqual([
      [2n, 'y', 'a'],
      [3n, 'z', 'a'],
      [1n, 'x', 'b'],
    ]);
    expect((await readAll(createPostgresReader(client, 'Kasse 1', notes), notes, 1)).rows).toEqual([
      ['2', 'y', 'a'],
      ['3', 'z', 'a'],
      ['1', 'x', 'b'],
    ]);
    expect(await createPostgresReader(client, 'Kasse 1', notes).readByKeys([['3']])).toEqual([['3', 'z', 'a']]);
    expect(await createSqliteReader(lite, notes).estimateRows()).toBe(3);
    expect(await createPostgresReader(client, 'Kasse 1', notes).estimateRows()).toBe(3);
  });
});

describe('values exactly as stored', () => {
  const amounts = plan('amounts', [['id', 'bigint'], ['price', 'numeric'], ['at', 'timestamptz'], ['ratio', 'double'], ['raw', 'bytea']], ['id'], null);

  it('PostgreSQL hands back its own text: int8 past 2^53, numeric scale, microseconds', async () => {
    await client.query(`CREATE TABLE amounts (id int8 PRIMARY KEY, price numeric(10,2), at timestamptz, ratio float8, raw bytea);
      INSERT INTO amounts VALUES (9007199254740993, 12.10, '2025-03-04 05:06:07.123456+00', 0.1, '\\x00ff'), (1, NULL, NULL, NULL, NULL)`);
    const reader = createPostgresReader(client, 'public', amounts);
    const { rows } = await readAll(reader, amounts, 10);
    expect(rows).toEqual([
      ['1', null, null, null, null],
      ['9007199254740993', '12.10', '2025-03-04 05:06:07.123456+00', '0.1', '\\x00ff'],
    ]);
    expect(await reader.readByKeys([['9007199254740993']])).toEqual([rows[1]]);
  });

  it('SQLite hands back integers as BigInt and each value in its storage class', async () => {
    lite.exec(`CREATE TABLE amounts (id INTEGER PRIMARY KEY, price NUMERIC, at TEXT, ratio REAL, raw BLOB);
      INSERT INTO amounts VALUES (9007199254740993, '12.10', '2025-03-04T05:06:07.123456Z', 0.1, x'00ff'), (1, 7, NULL, NULL, NULL)`);
    const reader = createSqliteReader(lite, amounts);
    const { rows } = await readAll(reader, amounts, 1);
    expect(rows).toEqual([
      [1n, 7n, null, null, null],
      [9007199254740993n, 12.1, '2025-03-04T05:06:07.123456Z', 0.1, Buffer.from([0, 255])],
    ]);
    expect(await reader.readByKeys([[9007199254740993n]])).toEqual([rows[1]]);
  });
});
