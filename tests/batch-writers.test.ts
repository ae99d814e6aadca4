/**
 * Writing batches into the target, in PostgreSQL and in SQLite: rows are inserted, then
 * updated when they change and left alone when they do not; a row the database refuses
 * comes back with its error code while the rest of the batch lands; parent keys are
 * looked up in one query; sequences end past the copied ids; a rolled-back transaction
 * leaves nothing behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { CanonicalKind } from '../src/model/schema.js';
import { keyString, type BatchWriter, type TargetRow } from '../src/replicator/io/batch-io.js';
import { advancePostgresSequences } from '../src/replicator/io/postgres-sequences.js';
import { createPostgresWriter } from '../src/replicator/io/postgres-writer.js';
import { createSqliteWriter } from '../src/replicator/io/sqlite-writer.js';
import { postgresTransaction, sqliteTransaction } from '../src/replicator/io/target-transaction.js';
import type { TablePlan } from '../src/replicator/run-plan.js';
import { createTestDatabase, type TestDatabase } from './harness/pg.js';
import { tempDir, type TempDir } from './harness/sqlite.js';

function plan(table: string, columns: [string, CanonicalKind][], key: string[]): TablePlan {
  return {
    table,
    sqliteTable: table,
    columns: columns.map(([name, kind]) => ({ pg: name, sqlite: name, pgType: { kind }, sqliteType: { kind }, transform: 'none', sqliteFormat: null })),
    key,
    keyTranslation: null,
    cursor: null,
    mode: 'full',
    foreignKeys: [],
    deferredColumns: [],
    filter: null,
    estimatedRows: 0,
  };
}

let db: TestDatabase;
let client: pg.Client;
let dir: TempDir;
let lite: Database.Database;

beforeAll(async () => {
  db = await createTestDatabase('writers');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  dir = tempDir();
  lite = new Database(dir.file('target.db'));
  lite.defaultSafeIntegers(true);
  lite.pragma('foreign_keys = ON');
});

afterAll(async () => {
  lite.close();
  await client.end();
  await db.drop();
  dir.remove();
});

const pgTx = () => postgresTransaction(client);
async function inPg<T>(fn: () => Promise<T>): Promise<T> {
  const tx = pgTx();
  await tx.begin();
  const out = await fn();
  await tx.commit();
  return out;
}
async function inSqlite<T>(fn: () => Promise<T>): Promise<T> {
  const tx = sqliteTransaction(lite);
  await tx.begin();
  const out = await fn();
  await tx.commit();
  return out;
}

const products = plan('products', [['id', 'integer'], ['name', 'text'], ['price', 'numeric'], ['qty', 'smallint'], ['tags', 'json']], ['id']);

describe('PostgreSQL upsert through a staging table', () => {
  beforeAll(async () => {
    await client.query(`CREATE TABLE products (id integer PRIMARY KEY, name text NOT NULL, price numeric(10,2) CHECK (price >= 0), qty smallint, tags json,
      name_upper text GENERATED ALWAYS AS (upper(name)) STORED)`);
  });

  it('inserts, then updates changed rows and leaves unchanged rows untouched', async () => {
    const writer = createPostgresWriter(client, 'public', products, { mode: 'upsert' });
    const rows: TargetRow[] = [
      ['1', 'tea', '2.50', '10', '{"a": 1}'],
      ['2', 'coffee\twith\\tab', '3.10', null, null],
      ['3', 'cake\nslice', '4.00', '5', '[]'],
    ];
    expect(await inPg(() => writer.write(rows))).toEqual({ written: 3, rejected: [] });
    const before = await db.query<{ id: number; xmin: string }>('SELECT id, xmin::text AS xmin FROM products ORDER BY id');

    const again: TargetRow[] = [['1', 'tea', '2.50', '10', '{"a": 1}'], ['2', 'coffee\twith\\tab', '3.15', null, null], ['3', 'cake\nslice', '4.00', '5', '[]']];
    expect(await inPg(() => writer.write(again))).toEqual({ written: 3, rejected: [] });
    const after = await db.query<{ id: number; xmin: string }>('SELECT id, xmin::text AS xmin FROM products ORDER BY id');
    expect(after[0]?.xmin).toBe(before[0]?.xmin);
    expect(after[2]?.xmin).toBe(before[2]?.xmin);
    expect(after[1]?.xmin).not.toBe(before[1]?.xmin);

    const stored = await db.query('SELECT id, name, price::text, qty, tags::text, name_upper FROM products ORDER BY id');
    expect(stored).toEqual([
      { id: 1, name: 'tea', price: '2.50', qty: 10, tags: '{"a": 1}', name_upper: 'TEA' },
      { id: 2, name: 'coffee\twith\\tab', price: '3.15', qty: null, tags: null, name_upper: 'COFFEE\tWITH\\TAB' },
      { id: 3, name: 'cake\nslice', price: '4.00', qty: 5, tags: '[]', name_upper: 'CAKE\nSLICE' },
    ]);
  });

  it('refuses only the rows the database refuses: a CHECK violation and an out-of-range value', async () => {
    const writer = createPostgresWriter(client, 'public', products, { mode: 'upsert' });
    const rows: TargetRow[] = [
      ['10', 'ok 1', '1.00', '1', null],
      ['11', 'negative', '-1.00', '1', null],
      ['12', 'ok 2', '1.00', '2', null],
      ['13', 'too many', '1.00', '99999', null],
      ['14', 'ok 3', '1.00', '3', null],
    ];
    const outcome = await inPg(() => writer.write(rows));
    expect(outcome.written).toBe(3);
    expect(outcome.rejected).toEqual([
      { index: 1, column: null, code: '23514', reason: expect.stringContaining('products_price_check') },
      { index: 3, column: 'qty', code: '22003', reason: expect.stringContaining('out of range') },
    ]);
    const landed = await db.query<{ id: number }>('SELECT id FROM products WHERE id >= 10 ORDER BY id');
    expect(landed.map((r) => r.id)).toEqual([10, 12, 14]);
  });

  it('a row ahead of its parent in a batch that had to be split still lands', async () => {
    await client.query('CREATE TABLE categories (id integer PRIMARY KEY, parent_id integer REFERENCES categories(id), name text CHECK (name <> \'\'))');
    const categories = plan('categories', [['id', 'integer'], ['parent_id', 'integer'], ['name', 'text']], ['id']);
    const writer = createPostgresWriter(client, 'public', categories);
    const outcome = await inPg(() => writer.write([['1', '3', 'child'], ['2', null, ''], ['3', null, 'parent'], ['4', '99', 'orphan']]));
    expect(outcome.written).toBe(2);
    expect(outcome.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, '23514'],
      [3, '23503'],
    ]);
    expect(await db.query('SELECT id, parent_id FROM categories ORDER BY id')).toEqual([
      { id: 1, parent_id: 3 },
      { id: 3, parent_id: null },
    ]);
  });

  it('writes inside a rolled-back transaction leave nothing', async () => {
    const writer = createPostgresWriter(client, 'public', products, { mode: 'upsert' });
    const tx = pgTx();
    await tx.begin();
    await writer.write([['20', 'ghost', '1.00', null, null]]);
    await tx.rollback();
    expect(await db.query('SELECT id FROM products WHERE id = 20')).toEqual([]);
    // the staging table went with the rollback; the next batch makes it again
    expect(await inPg(() => writer.write([['21', 'real', '1.00', null, null]]))).toEqual({ written: 1, rejected: [] });
    expect(await db.query('SELECT id FROM products WHERE id = 21')).toEqual([{ id: 21 }]);
  });
});

describe('PostgreSQL first load with COPY straight into the table', () => {
  it('copies into an empty table and still isolates a refused row', async () => {
    await client.query(`CREATE TABLE stock ("ключ" integer PRIMARY KEY, "note's" text NOT NULL)`);
    const stock = plan('stock', [['ключ', 'integer'], ["note's", 'text']], ['ключ']);
    const writer = createPostgresWriter(client, 'public', stock, { mode: 'copy-direct' });
    const outcome = await inPg(() => writer.write([['1', 'a'], ['2', null], ['3', 'c\\d']]));
    expect(outcome).toEqual({ written: 2, rejected: [{ index: 1, column: "note's", code: '23502', reason: expect.stringContaining('not-null') }] });
    expect(await db.query(`SELECT "ключ" AS k, "note's" AS n FROM stock ORDER BY 1`)).toEqual([
      { k: 1, n: 'a' },
      { k: 3, n: 'c\\d' },
    ]);
  });
});

describe('SQLite upsert', () => {
  const items = plan('items', [['id', 'bigint'], ['name', 'text'], ['parent_id', 'bigint']], ['id']);
  beforeAll(() => {
    lite.exec(`CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, parent_id INTEGER REFERENCES items(id),
      changes INTEGER NOT NULL DEFAULT 0);
      CREATE TRIGGER items_touched AFTER UPDATE ON items BEGIN UPDATE items SET changes = changes + 1 WHERE id = new.id; END;`);
  });

  it('inserts, updates changed rows, leaves unchanged rows alone, keeps integers exact', async () => {
    const writer = createSqliteWriter(lite, items);
    expect(await inSqlite(() => writer.write([[9007199254740993n, 'big', null], [1n, 'one', null], [2n, 'two', 1n]]))).toEqual({ written: 3, rejected: [] });
    expect(await inSqlite(() => writer.write([[9007199254740993n, 'big', null], [1n, 'uno', null], [2n, 'two', 1n]]))).toEqual({ written: 3, rejected: [] });
    expect(lite.prepare('SELECT id, name, parent_id, changes FROM items ORDER BY id').raw(true).all()).toEqual([
      [1n, 'uno', null, 1n],
      [2n, 'two', 1n, 0n],
      [9007199254740993n, 'big', null, 0n],
    ]);
  });

  it('a NOT NULL violation comes back with its code; the rest lands, a child ahead of its parent included', async () => {
    const writer = createSqliteWriter(lite, items);
    const outcome = await inSqlite(() => writer.write([[10n, 'child', 11n], [12n, null, null], [11n, 'parent', null], [13n, 'orphan', 99n]]));
    expect(outcome).toEqual({
      written: 2,
      rejected: [
        { index: 1, column: 'name', code: 'SQLITE_CONSTRAINT_NOTNULL', reason: 'NOT NULL constraint failed: items.name' },
        { index: 3, column: null, code: 'SQLITE_CONSTRAINT_FOREIGNKEY', reason: 'FOREIGN KEY constraint failed' },
      ],
    });
    expect(lite.prepare('SELECT id FROM items WHERE id BETWEEN 10 AND 99 ORDER BY id').pluck().all()).toEqual([10n, 11n]);
  });

  it('writes inside a rolled-back transaction leave nothing', async () => {
    const writer = createSqliteWriter(lite, items);
    const tx = sqliteTransaction(lite);
    await tx.begin();
    await writer.write([[30n, 'ghost', null]]);
    await tx.rollback();
    expect(lite.prepare('SELECT count(*) FROM items WHERE id = 30').pluck().get()).toBe(0n);
  });

  it('a key-translated table upserts by its server id, with or without a unique index on it', async () => {
    lite.exec(`CREATE TABLE shifts (local_id INTEGER PRIMARY KEY, server_id TEXT, label TEXT);
      CREATE UNIQUE INDEX shifts_server_id ON shifts (server_id);
      CREATE TABLE shifts_unindexed (local_id INTEGER PRIMARY KEY, server_id TEXT, label TEXT);
      CREATE TABLE shifts_text_key (local_id TEXT PRIMARY KEY, server_id TEXT UNIQUE, label TEXT);
      INSERT INTO shifts_text_key VALUES ('made-here', NULL, 'local only');`);
    const written = (table: string): unknown[] => lite.prepare(`SELECT local_id, server_id, label FROM ${table} ORDER BY server_id`).raw(true).all();
    for (const table of ['shifts', 'shifts_unindexed', 'shifts_text_key']) {
      const shifts: TablePlan = {
        ...plan('shifts', [['id', 'uuid'], ['label', 'text']], ['id']),
        sqliteTable: table,
        keyTranslation: { sqliteKey: ['local_id'], serverId: 'server_id' },
      };
      shifts.columns = shifts.columns.map((c) => (c.pg === 'id' ? { ...c, sqlite: 'server_id' } : c));
      const writer = createSqliteWriter(lite, shifts);
      expect(await inSqlite(() => writer.write([['a1', 'morning'], ['b2', 'evening']]))).toEqual({ written: 2, rejected: [] });
      expect(await inSqlite(() => writer.write([['a1', 'early'], ['b2', 'evening'], ['c3', 'night']]))).toEqual({ written: 3, rejected: [] });
    }
    // a rowid local key is assigned by SQLite; any other local key takes the server id (seed 002's local_id = server_id)
    for (const table of ['shifts', 'shifts_unindexed']) {
      expect(written(table)).toEqual([
        [1n, 'a1', 'early'],
        [2n, 'b2', 'evening'],
        [3n, 'c3', 'night'],
      ]);
    }
    expect(written('shifts_text_key')).toEqual([
      ['made-here', null, 'local only'],
      ['a1', 'a1', 'early'],
      ['b2', 'b2', 'evening'],
      ['c3', 'c3', 'night'],
    ]);
  });
});

describe('parent keys present in the target, one query per call', () => {
  beforeAll(async () => {
    await client.query(`CREATE TABLE stores (id uuid PRIMARY KEY); INSERT INTO stores VALUES ('6f1c2a9e-0000-4000-8000-000000000001');
      CREATE TABLE shelves (store_code text, shelf_no integer, PRIMARY KEY (store_code, shelf_no)); INSERT INTO shelves VALUES ('A', 1), ('A', 2), ('B', 1);
      CREATE TABLE currencies (code char(3) PRIMARY KEY); INSERT INTO currencies VALUES ('EUR');`);
    lite.exec(`CREATE TABLE stores (id INTEGER PRIMARY KEY); INSERT INTO stores VALUES (1), (9007199254740993);
      CREATE TABLE shelves (store_code TEXT, shelf_no INTEGER, PRIMARY KEY (store_code, shelf_no)); INSERT INTO shelves VALUES ('A', 1), ('A', 2), ('B', 1);`);
  });

  it('PostgreSQL: single and composite keys of any type', async () => {
    const writer = createPostgresWriter(client, 'public', products);
    const uuids = ['6f1c2a9e-0000-4000-8000-000000000001', '6f1c2a9e-0000-4000-8000-000000000002'];
    expect(await writer.existingKeys('stores', ['id'], uuids.map((u) => [u]))).toEqual(new Set([keyString([uuids[0] ?? ''])]));
    const pairs = [['A', '2'], ['B', '2'], ['B', '1']];
    expect(await writer.existingKeys('shelves', ['store_code', 'shelf_no'], pairs)).toEqual(new Set([keyString(['A', '2']), keyString(['B', '1'])]));
    // char(n) keys compare whole: neither cut to one character nor to the column's length
    expect(await writer.existingKeys('currencies', ['code'], [['EUR'], ['EURO']])).toEqual(new Set([keyString(['EUR'])]));
  });

  it('SQLite: single and composite keys, integers exact', async () => {
    const writer = createSqliteWriter(lite, plan('items', [['id', 'bigint'], ['name', 'text'], ['parent_id', 'bigint']], ['id']));
    expect(await writer.existingKeys('stores', ['id'], [[9007199254740993n], [9007199254740992n], [1n]])).toEqual(new Set([keyString([9007199254740993n]), keyString([1n])]));
    expect(await writer.existingKeys('shelves', ['store_code', 'shelf_no'], [['A', 2n], ['B', 2n], ['B', 1n]])).toEqual(new Set([keyString(['A', 2n]), keyString(['B', 1n])]));
  });
});

describe('sequences after copying ids', () => {
  it('identity and serial columns continue past the highest copied id; an empty table keeps its start', async () => {
    await client.query(`CREATE TABLE tills (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);
      CREATE TABLE drawers (id serial PRIMARY KEY, name text);
      CREATE TABLE empty_one (id bigserial PRIMARY KEY, name text);`);
    const named = (t: string) => plan(t, [['id', 'integer'], ['name', 'text']], ['id']);
    await inPg(async () => {
      await createPostgresWriter(client, 'public', named('tills')).write([['7', 'a'], ['41', 'b']]);
      await createPostgresWriter(client, 'public', named('drawers'), { mode: 'copy-direct' }).write([['3', 'a'], ['12', 'b']]);
    });
    for (const t of ['tills', 'drawers', 'empty_one']) await advancePostgresSequences(client, 'public', named(t));
    await advancePostgresSequences(client, 'public', named('tills')); // a second time changes nothing
    const next = await db.query<{ t: string; id: number }>(`
      INSERT INTO tills (name) VALUES ('new') RETURNING 'tills' AS t, id;`);
    const drawer = await db.query<{ id: number }>(`INSERT INTO drawers (name) VALUES ('new') RETURNING id`);
    const empty = await db.query<{ id: string }>(`INSERT INTO empty_one (name) VALUES ('new') RETURNING id::text AS id`);
    expect([next[0]?.id, drawer[0]?.id, empty[0]?.id]).toEqual([42, 13, '1']);
  });
});

describe('speed', () => {
  it('writes 100k narrow rows per writer (printed, not asserted)', async () => {
    await client.query('CREATE TABLE narrow (id bigint PRIMARY KEY, v text, n integer)');
    lite.exec('CREATE TABLE narrow (id INTEGER PRIMARY KEY, v TEXT, n INTEGER)');
    const narrow = plan('narrow', [['id', 'bigint'], ['v', 'text'], ['n', 'integer']], ['id']);
    const total = 100_000;
    const batch = 5_000;
    const timed = async (label: string, writer: BatchWriter, tx: () => { begin(): Promise<void>; commit(): Promise<void> }, row: (i: number) => TargetRow) => {
      const batches: TargetRow[][] = [];
      for (let from = 0; from < total; from += batch) batches.push(Array.from({ length: batch }, (_, i) => row(from + i)));
      const started = performance.now();
      let written = 0;
      for (const rows of batches) {
        const t = tx();
        await t.begin();
        written += (await writer.write(rows)).written;
        await t.commit();
      }
      const seconds = (performance.now() - started) / 1000;
      expect(written).toBe(total);
      return `${label}: ${Math.round(total / seconds).toLocaleString('en')} rows/s`;
    };
    const pgRow = (i: number): TargetRow => [String(i), `value ${i}`, String(i % 1000)];
    const liteRow = (i: number): TargetRow => [BigInt(i), `value ${i}`, BigInt(i % 1000)];
    const lines = [
      await timed('PostgreSQL copy-direct (first load)', createPostgresWriter(client, 'public', narrow, { mode: 'copy-direct' }), pgTx, pgRow),
      await timed('PostgreSQL upsert (all rows changed)', createPostgresWriter(client, 'public', narrow), pgTx, (i) => [String(i), `changed ${i}`, '1']),
      await timed('PostgreSQL upsert (no row changed)', createPostgresWriter(client, 'public', narrow), pgTx, (i) => [String(i), `changed ${i}`, '1']),
      await timed('SQLite upsert (insert)', createSqliteWriter(lite, narrow), () => sqliteTransaction(lite), liteRow),
      await timed('SQLite upsert (update)', createSqliteWriter(lite, narrow), () => sqliteTransaction(lite), (i) => [BigInt(i), `changed ${i}`, 1n]),
    ];
    console.log(`batch writers, ${total.toLocaleString('en')} rows in batches of ${batch.toLocaleString('en')}:\n  ${lines.join('\n  ')}`);
  });
});
