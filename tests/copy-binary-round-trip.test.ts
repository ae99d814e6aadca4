/**
 * A first load from SQLite COPYs its rows into PostgreSQL in binary format where every
 * column has a binary encoder. Whatever the values, PostgreSQL must then store exactly what
 * text COPY of the codecs' text stores (compared through ::text), refuse the same rows,
 * and a batch holding a value with no exact binary form must go as text instead.
 * Each type is loaded three ways into tables of its own: text COPY, binary COPY with the
 * direct writers of raw values, and binary COPY from the codecs' text only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { CanonicalType } from '../src/model/schema.js';
import { copyColumns, decodeCopyBatch, encodeCopyBatch, type CopyBatchShape } from '../src/replicator/engine/copy-batch.js';
import type { AnyCodec } from '../src/replicator/engine/row-converter.js';
import { createPostgresWriter } from '../src/replicator/io/postgres-writer.js';
import type { TablePlan } from '../src/replicator/run-plan.js';
import type { SqliteValue } from '../src/replicator/values/codec.js';
import { sqliteToPgCodec } from '../src/replicator/values/sqlite-to-pg.js';
import { directCopyWriter } from '../src/replicator/values/sqlite-to-pg-bytes.js';
import { sqliteToPgBinaryFields } from '../src/replicator/values/sqlite-to-pg-binary.js';
import { createTestDatabase, type TestDatabase } from './harness/pg.js';

interface Case {
  name: string;
  sql: string;
  type: CanonicalType;
  /** values every one of which has an exact binary form: the batch goes binary */
  values: SqliteValue[];
  /** values that make their batch go as text (each in a batch of its own, with the ordinary values) */
  textOnly?: SqliteValue[];
}

const buf = (...b: number[]): Buffer => Buffer.from(b);

const TIMES: SqliteValue[] = [
  '2024-03-01T10:15:30.123Z', '2024-03-01T10:15:30.120Z', '2024-03-01T10:15:30.000Z', '2024-02-29T23:59:59.999Z', '1999-12-31T23:59:59.999Z',
  '2000-01-01T00:00:00.000Z', '1970-01-01T00:00:00.001Z', '0001-01-01T00:00:00.000Z', '1582-10-04T12:00:00.000Z', '9999-12-31T23:59:59.999Z',
  '2024-03-01T10:15:30.123456Z', '2024-03-01T10:15:30.000001Z', '2024-03-01T10:15:30Z', '2024-03-01 10:15:30', '2024-03-01 10:15:30.5',
  '2024-03-01T10:15:30.123+05:30', '2024-03-01T10:15:30-08:00', '1900-06-30T23:00:00+14:00', '2024-03-01T10:15:30.987654-03:30',
  '2024-03-01', 'infinity', '-infinity', 'not a time', '2023-02-29T10:00:00.000Z', 1709288130123n, 1709288130n, 1709288130.5, 0n, null,
];

const CASES: Case[] = [
  { name: 'tstz', sql: 'timestamptz', type: { kind: 'timestamptz' }, values: TIMES },
  { name: 'ts', sql: 'timestamp', type: { kind: 'timestamp' }, values: TIMES },
  { name: 'ts3', sql: 'timestamptz(3)', type: { kind: 'timestamptz', precision: 3 }, values: ['2024-03-01T10:15:30.123456Z', '2024-03-01T10:15:30.999999Z', '2024-03-01T10:15:30.123Z', null] },
  { name: 'day', sql: 'date', type: { kind: 'date' }, values: ['2024-02-29', '0001-01-01', '9999-12-31', '2000-01-01', '1999-12-31', '1582-10-10', 'infinity', '-infinity', '2024-03-01T10:15:30.123Z', '2024-02-30', 'x', null] },
  {
    name: 'num',
    sql: 'numeric',
    type: { kind: 'numeric' },
    values: [
      0, -0, 12.5, -12.5, 0.05, 0.1 + 0.2, 1 / 3, 1e21, 5e-324, 123456789.125, 9007199254740993n, -9223372036854775808n, 0n, 10000n, 100000000n, 2n ** 53n - 1n, -123456789012345n, '12.50', '-0.00', '0.0001',
      '00012.3400', '123456789012345678901234567890.123456789012345678901234567890', '1e5', '-1.5e-3', '.5', 'NaN', 'nan', '12.5.1', 'abc', null,
    ],
    textOnly: ['Infinity', '-inf'],
  },
  { name: 'money', sql: 'numeric(12,2)', type: { kind: 'numeric', precision: 12, scale: 2 }, values: [0, -0, 12.5, 12.34, -12.34, 0.05, -0.05, 99999999.99, 9999999999.99, 21474836.47, 12.345, '12.5', '-7', 7n, 0n, 45n, -45n, 9999999999n, 10000000000n, -(2n ** 53n - 1n), 1e10, 1e11, 'NaN', null] },
  { name: 'rate', sql: 'numeric(5,4)', type: { kind: 'numeric', precision: 5, scale: 4 }, values: [0, 0.0825, 1.5, 9.9999, 0.00001, '0.10', 10, 0n, 1n, -9n, 10n, null] },
  { name: 'micro', sql: 'numeric(14,6)', type: { kind: 'numeric', precision: 14, scale: 6 }, values: [0.000001, 1.5, -2147.483647, 123.45678, 0.1, null] },
  { name: 'whole', sql: 'numeric(4,0)', type: { kind: 'numeric', precision: 4, scale: 0 }, values: [0, 9999, -9999, 10000, 1.5, '12.0', 9999n, -9999n, 10000n, null] },
  { name: 'i2', sql: 'smallint', type: { kind: 'smallint' }, values: [0n, 32767n, -32768n, 32768n, -1n, 7, 7.5, '  42 ', '-0', 'x', null] },
  { name: 'i4', sql: 'integer', type: { kind: 'integer' }, values: [0n, 2147483647n, -2147483648n, 2147483648n, -1n, 255n, '1e3', null] },
  { name: 'i8', sql: 'bigint', type: { kind: 'bigint' }, values: [0n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, 9007199254740993n, -9007199254740993n, 4294967296n, -4294967296n, -1n, 2n ** 32n - 1n, '9223372036854775807', '-9007199254740993', 12, null] },
  {
    name: 'f8',
    sql: 'double precision',
    type: { kind: 'double' },
    values: [0, -0, 0.1, -1.5, 1e308, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1 / 3, 2n ** 60n + 1n, '1.50', '-0', '0.000', '1e-320', 'NaN', 'Infinity', '-inf', 'abc', null],
    textOnly: ['1e-400'],
  },
  { name: 'flag', sql: 'boolean', type: { kind: 'boolean' }, values: [0n, 1n, 1, 0, 'true', 'no', ' Y ', 2n, 'maybe', null] },
  { name: 'txt', sql: 'text', type: { kind: 'text' }, values: ['plain', 'tab\there', 'line\nbreak\r', 'back\\slash', '\\.', 'café ünï', '\ud83d\ude00 emoji', 'lone \ud800 surrogate', 'x'.repeat(300), '', 'nul\u0000byte', 42n, 1.5, buf(0x68, 0x69), buf(0xff), null] },
  { name: 'vc', sql: 'varchar(5)', type: { kind: 'varchar', length: 5 }, values: ['abcde', 'abc  ', 'abcde   ', 'abcdef', 'ééééé', '\ud83d\ude00\ud83d\ude00\ud83d\ude00', 'ab\tc', null] },
  { name: 'ch', sql: 'char(4)', type: { kind: 'char', length: 4 }, values: ['ab', 'abcd', 'abcd  ', 'abcde', '', ' a', null] },
  {
    name: 'id',
    sql: 'uuid',
    type: { kind: 'uuid' },
    values: ['0b7c2a4e-9f3d-4c1a-8e2b-5d6f7a8b9c0d', '0B7C2A4E-9F3D-4C1A-8E2B-5D6F7A8B9C0D', '0b7c2a4e9f3d4c1a8e2b5d6f7a8b9c0d', '00000000-0000-0000-0000-000000000000', buf(...Array.from({ length: 16 }, (_, i) => i * 17)), 'not-a-uuid', '0b7c2a4e-9f3d-4c1a-8e2b-5d6f7a8b9c0', null],
  },
  { name: 'js', sql: 'json', type: { kind: 'json' }, values: ['{"b": 1, "a": [1, 2]}', '  [1, 2] ', '"s\\u0000"', '{"a":1,"a":2}', '"\\u00e9 é"', 42n, 1.5, 'not json', null] },
  { name: 'jsb', sql: 'jsonb', type: { kind: 'jsonb' }, values: ['{"b": 1, "a": [1, 2]}', '  [1, 2] ', '{"a":1,"a":2}', '"\\u00e9 é"', '1.50', '1e400', 42n, '"s\\u0000"', null] },
  { name: 'bin', sql: 'bytea', type: { kind: 'bytea' }, values: [buf(0, 1, 255), buf(), '', 'text é', buf(0x5c, 0x78), 42n, null] },
];

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase('binary');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});

afterAll(async () => {
  await client.end();
  await db.drop();
});

function planFor(table: string, c: Case): TablePlan {
  const col = (name: string, pgType: CanonicalType) => ({ pg: name, sqlite: name, pgType, sqliteType: { kind: 'text' as const }, transform: 'none' as const, sqliteFormat: null });
  return {
    table,
    sqliteTable: table,
    columns: [col('id', { kind: 'bigint' }), col('v', c.type)],
    key: ['id'],
    keyTranslation: null,
    cursor: null,
    mode: 'full',
    foreignKeys: [],
    deferredColumns: [],
    filter: null,
    estimatedRows: 0,
  } as TablePlan;
}

type Way = 'text' | 'binary' | 'binary-from-text';

/** Loads rows into a fresh table the given way: what it stores (as text), the rows refused and whether COPY went binary. */
async function load(c: Case, way: Way, rows: SqliteValue[][], suffix: string): Promise<{ stored: unknown[]; refused: string[]; binary: boolean }> {
  const table = `${c.name}_${way.replace(/-/g, '_')}_${suffix}`;
  await client.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, v ${c.sql})`);
  const plan = planFor(table, c);
  // needing v as text (as an FK column is) turns its direct writers off: every value goes codec -> text -> binary
  // (uuid and text kinds excepted: their writers take only values the codec hands back as they are)
  const shape: CopyBatchShape = { sourceKeyIndexes: [0], cursorIndex: null, needed: way === 'binary-from-text' ? [1] : [], pick: null, binary: way !== 'text' };
  const batch = encodeCopyBatch(rows, copyColumns(plan, (col) => sqliteToPgCodec(col) as AnyCodec, directCopyWriter, sqliteToPgBinaryFields), shape);
  const decoded = decodeCopyBatch(batch, shape, 2, table);
  const writer = createPostgresWriter(client, 'public', plan, { mode: 'copy-direct' });
  await client.query('BEGIN');
  const outcome = await writer.write(decoded.converted);
  await client.query('COMMIT');
  const refused = [
    ...decoded.rejects.map((r) => `${r.rowKey} ${r.column}: ${r.reason}`),
    ...outcome.rejected.map((r) => `${decoded.keyOf(decoded.convertedFrom[r.index] as number)} ${r.column}: ${r.reason}`),
  ];
  const stored = (await client.query(`SELECT id::text, v::text FROM ${table} ORDER BY id`)).rows;
  return { stored, refused, binary: batch.binary };
}

const rowsOf = (values: SqliteValue[]): SqliteValue[][] => values.map((v, i) => [BigInt(i + 1), v]);

describe('binary COPY stores what text COPY stores', () => {
  for (const c of CASES) {
    it(`${c.sql}: every value, the same stored text and the same refusals`, async () => {
      const rows = rowsOf(c.values);
      const text = await load(c, 'text', rows, 'all');
      expect(text.binary).toBe(false);
      expect(text.stored.length).toBeGreaterThan(0);
      for (const way of ['binary', 'binary-from-text'] as const) {
        const got = await load(c, way, rows, 'all');
        expect(got.binary, `${way} went binary`).toBe(true);
        expect(got.stored, way).toEqual(text.stored);
        expect(got.refused, way).toEqual(text.refused);
      }
    });
  }

  for (const c of CASES.filter((x) => x.textOnly)) {
    it(`${c.sql}: a value with no exact binary form sends its batch as text, stored and refused as text COPY does`, async () => {
      for (const [k, odd] of (c.textOnly ?? []).entries()) {
        const rows = rowsOf([...c.values, odd]);
        const text = await load(c, 'text', rows, `odd${k}`);
        const got = await load(c, 'binary', rows, `odd${k}`);
        expect(got.binary).toBe(false);
        expect(got.stored).toEqual(text.stored);
        expect(got.refused).toEqual(text.refused);
      }
    });
  }
});
