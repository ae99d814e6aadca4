/**
 * The values a point-of-sale database is most likely to lose (int8 past 2^53, money in
 * numeric(12,2), microsecond timestamps with offsets, BC-free calendar edges, json, bytes,
 * arrays with NULLs and quotes, text with tabs and backslashes) travel from a real
 * PostgreSQL table into a real SQLite file and back into PostgreSQL through the codecs
 * and COPY, and the two PostgreSQL tables are equal bit for bit. Run once per SQLite
 * date/time format, since the app's format decides how timestamps are stored.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresIntrospector } from '../src/introspect/postgres-introspector.js';
import { SqliteIntrospector } from '../src/introspect/sqlite-introspector.js';
import { compareTypes } from '../src/mapping/type-compat.js';
import { findColumn, findTable, type Table } from '../src/model/schema.js';
import type { PlannedColumn } from '../src/replicator/run-plan.js';
import { Rejected, type PgText, type SqliteValue } from '../src/replicator/values/codec.js';
import { encodeCopyRow } from '../src/replicator/values/copy-text.js';
import { rawTextTypes } from '../src/replicator/values/pg-raw-types.js';
import { pgToSqliteCodec } from '../src/replicator/values/pg-to-sqlite.js';
import { sqliteToPgCodec } from '../src/replicator/values/sqlite-to-pg.js';
import type { TimeFormat } from '../src/replicator/values/time-format.js';
import { createTestDatabase, type TestDatabase } from './harness/pg.js';
import { createSqliteFile, tempDir, type TempDir } from './harness/sqlite.js';

const COLUMNS = ['id', 'big', 'amount', 'price', 'paid_at', 'local_at', 'day', 'active', 'doc', 'attrs', 'ref', 'raw', 'tags', 'grid', 'note', 'ratio', 'status'];

const POSTGRES_SQL = `
CREATE TYPE order_status AS ENUM ('open', 'paid', 'void');
CREATE TABLE src (
  id integer PRIMARY KEY, big int8, amount numeric(20,6), price numeric(12,2), paid_at timestamptz(6),
  local_at timestamp, day date, active boolean, doc json, attrs jsonb, ref uuid, raw bytea, tags text[],
  grid int4[], note text, ratio double precision, status order_status
);
CREATE TABLE dst (LIKE src INCLUDING ALL);
INSERT INTO src VALUES
  (1, 9007199254740993, '12345678901234.123456', '12.10', '2025-11-05 10:15:30.123456+00', '2025-11-05 10:15:30.5',
   '2025-11-05', true, '{"b": 1, "a": [1, 2.50]}', '{"z": null, "a": "x"}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
   '\\x00ff10', '{a,"b c",NULL,"quo\\"te","back\\\\slash",""}', '{{1,2},{3,NULL}}',
   E'it''s "quoted"\\ttab\\nline\\r\\\\back', 0.1, 'paid'),
  (2, -9223372036854775808, '-0.000001', '-9999999999.99', '2025-11-05 10:15:30.123+05:30', '1969-12-31 23:59:59.999999',
   '0001-01-01', false, '[]', '"\\u00e9"', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', '\\x', '{}', '{}', '', '-Infinity', 'open'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, 9223372036854775807, '99999999999999.999999', '0.01', '1970-01-01 00:00:00+00', '2000-02-29 12:00:00', '2024-02-29',
   true, '{"nested": {"deep": [true, false, null]}}', '{"num": 12345678901234567890, "s": "\\"q\\""}',
   '00000000-0000-0000-0000-000000000000', decode((SELECT string_agg(lpad(to_hex(g), 2, '0'), '') FROM generate_series(0, 255) g), 'hex'),
   '{"ünï","😀","NULL"}', '{-2147483648,2147483647}', 'ünïcode 😀, ''single'' and "double" quotes', 1.7976931348623157e308, 'void'),
  (5, 0, '0', '0.00', '1850-06-01 12:00:00-03:30', '0001-01-01 00:00:00', '9999-12-31', NULL, 'null',
   '[1, "two", {"three": 3}]', NULL, NULL, '{NULL}', '{{NULL}}', 'NULL', 'NaN', NULL),
  (6, -1, '-99999999999999.999999', '-0.01', '9999-12-31 23:59:59.999+00', '2024-02-29 23:59:59.999999', '2000-01-01',
   false, '{"a":1,"a":2}', '{}', NULL, '\\x5c', '{"{}",",","\\\\N"}', '{0}', E'\\\\N', 5e-324, NULL);
`;

/** What a careful app declares, as the fix script would. */
const SQLITE_SQL = `
CREATE TABLE src (
  id INTEGER PRIMARY KEY, big BIGINT, amount TEXT, price NUMERIC(12,2), paid_at DATETIME, local_at DATETIME,
  day DATE, active BOOLEAN, doc TEXT, attrs TEXT, ref TEXT, raw BLOB, tags TEXT, grid TEXT, note TEXT, ratio REAL, status TEXT
);
`;

/** Exact session text: what the engine sets on its connections. */
const SESSION = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3; SET bytea_output = 'hex'";

/** Row 1's paid_at ('2025-11-05 10:15:30.123456+00') as each format stores it. */
const PAID_AT_IN_SQLITE: Record<string, SqliteValue> = {
  'iso-t-z': '2025-11-05T10:15:30.123456Z',
  'iso-t-offset': '2025-11-05T10:15:30.123456+00:00',
  'iso-space': '2025-11-05 10:15:30.123456',
  'iso-t-naive': '2025-11-05T10:15:30.123456',
  'epoch-s': 1762337730.123456,
  'epoch-ms': 1762337730123.456,
};

function plannedColumns(pgTable: Table, sqliteTable: Table, format: TimeFormat): PlannedColumn[] {
  return COLUMNS.map((name) => {
    const p = findColumn(pgTable, name);
    const s = findColumn(sqliteTable, name);
    if (!p || !s) throw new Error(`column ${name} missing`);
    const time = name === 'paid_at' || name === 'local_at';
    return {
      pg: name,
      sqlite: name,
      pgType: p.type,
      sqliteType: s.type,
      transform: compareTypes(s, p).transform,
      sqliteFormat: time ? format : name === 'day' ? 'date' : null,
    };
  });
}

function convert<In, Out>(codecs: ((v: In) => Out | Rejected)[], row: In[], where: string): Out[] {
  return row.map((v, i) => {
    const out = (codecs[i] as (v: In) => Out | Rejected)(v);
    if (out instanceof Rejected) throw new Error(`${where}, column ${COLUMNS[i]}: ${out.reason}`);
    return out;
  });
}

const FORMATS: TimeFormat[] = ['iso-t-z', 'iso-t-offset', 'iso-space', 'iso-t-naive', 'epoch-s', 'epoch-ms'];

describe.each(FORMATS)('PostgreSQL -> SQLite (%s timestamps) -> PostgreSQL', (format) => {
  let db: TestDatabase;
  let dir: TempDir;
  let client: pg.Client;
  let sqlite: Database.Database;
  let columns: PlannedColumn[];
  let copiedToSqlite = 0;

  beforeAll(async () => {
    db = await createTestDatabase('values');
    await db.exec(POSTGRES_SQL);
    dir = tempDir();
    createSqliteFile(dir.file('terminal.db'), SQLITE_SQL);
    sqlite = new Database(dir.file('terminal.db'));
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(SESSION);
    const pgTable = findTable(await new PostgresIntrospector(client).introspect(), 'src');
    const sqliteTable = findTable(new SqliteIntrospector(sqlite).introspectSync(), 'src');
    if (!pgTable || !sqliteTable) throw new Error('src table missing');
    columns = plannedColumns(pgTable, sqliteTable, format);

    // PostgreSQL -> SQLite: raw text in, native SQLite values out
    const read = await client.query<PgText[]>({ text: `SELECT ${COLUMNS.join(', ')} FROM src ORDER BY id`, rowMode: 'array', types: rawTextTypes });
    const toSqlite = columns.map(pgToSqliteCodec);
    const insert = sqlite.prepare(`INSERT INTO src (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
    sqlite.transaction(() => {
      for (const row of read.rows) insert.run(...convert(toSqlite, row, `to SQLite, row ${row[0]}`));
    })();
    copiedToSqlite = read.rows.length;

    // SQLite -> PostgreSQL: values as better-sqlite3 returns them, COPY text into dst
    const back = sqlite.prepare(`SELECT ${COLUMNS.join(', ')} FROM src ORDER BY id`).raw(true).safeIntegers(true).all() as SqliteValue[][];
    const toPg = columns.map(sqliteToPgCodec);
    const lines = back.map((row) => encodeCopyRow(convert(toPg, row, `to PostgreSQL, row ${String(row[0])}`)));
    await pipeline(Readable.from(lines), client.query(copyFrom(`COPY dst (${COLUMNS.join(', ')}) FROM STDIN`)));
  });

  afterAll(async () => {
    await client?.end();
    sqlite?.close();
    dir?.remove();
    await db?.drop();
  });

  it('the SQLite file holds native values: exact integers, 0/1, the column format, JSON text', () => {
    expect(copiedToSqlite).toBe(6);
    const row = sqlite
      .prepare('SELECT big, typeof(big), active, paid_at, day, tags, grid, raw, ratio FROM src WHERE id = 1')
      .raw(true)
      .safeIntegers(true)
      .get() as SqliteValue[];
    expect(row).toStrictEqual([
      9007199254740993n,
      'integer',
      1n,
      PAID_AT_IN_SQLITE[format],
      '2025-11-05',
      '["a","b c",null,"quo\\"te","back\\\\slash",""]',
      '[[1,2],[3,null]]',
      Buffer.from([0, 255, 16]),
      0.1,
    ]);
    const nan = sqlite.prepare('SELECT ratio, note FROM src WHERE id = 5').raw(true).get() as SqliteValue[];
    expect(nan).toStrictEqual(['NaN', 'NULL']); // the text NULL is not a NULL
  });

  it('the copy back into PostgreSQL equals the original bit for bit (json compared as jsonb)', async () => {
    const exprs = columns.map((c) => (c.pgType.kind === 'json' ? `${c.pg}::jsonb::text` : `${c.pg}::text`)).join(', ');
    const onlyInSource = await client.query(`SELECT ${exprs} FROM src EXCEPT ALL SELECT ${exprs} FROM dst`);
    const onlyInCopy = await client.query(`SELECT ${exprs} FROM dst EXCEPT ALL SELECT ${exprs} FROM src`);
    expect(onlyInSource.rows).toEqual([]);
    expect(onlyInCopy.rows).toEqual([]);
    const counts = await client.query<{ n: string }>('SELECT (SELECT count(*) FROM dst)::text AS n');
    expect(counts.rows[0]?.n).toBe('6');
  });

  it('json keeps its exact text, not only its meaning', async () => {
    const r = await client.query<{ same: boolean }>('SELECT bool_and(s.doc::text IS NOT DISTINCT FROM d.doc::text) AS same FROM src s JOIN dst d USING (id)');
    expect(r.rows[0]?.same).toBe(true);
  });
});
