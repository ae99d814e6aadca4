/**
 * A first load from SQLite writes its COPY lines straight into bytes on the reader thread,
 * and writes its commonest values (ISO timestamps, REAL money, 32-bit integers) without
 * making strings of them. Whatever the values, the bytes must be exactly what the codecs'
 * text, COPY-escaped and UTF-8 encoded, gives, and a row refused by any column must leave
 * nothing of itself in the batch and its reason in the rejects.
 */
import { describe, expect, it } from 'vitest';
import type { CanonicalType } from '../src/model/schema.js';
import { copyColumns, decodeCopyBatch, encodeCopyBatch, type CopyBatch, type CopyBatchShape } from '../src/replicator/engine/copy-batch.js';
import { rowKeyOf } from '../src/replicator/engine/position-codec.js';
import type { AnyCodec } from '../src/replicator/engine/row-converter.js';
import type { PlannedColumn, TablePlan } from '../src/replicator/run-plan.js';
import { Rejected, type PgText, type SqliteValue } from '../src/replicator/values/codec.js';
import { encodeCopyRow } from '../src/replicator/values/copy-text.js';
import { sqliteToPgCodec } from '../src/replicator/values/sqlite-to-pg.js';
import { directCopyWriter } from '../src/replicator/values/sqlite-to-pg-bytes.js';
import { sqliteToPgBinaryFields } from '../src/replicator/values/sqlite-to-pg-binary.js';

function column(pg: string, pgType: CanonicalType): PlannedColumn {
  return { pg, sqlite: pg, pgType, sqliteType: { kind: 'text' }, transform: 'none', sqliteFormat: 'iso-t-z' };
}

const COLUMNS: PlannedColumn[] = [
  column('placed_at', { kind: 'timestamptz' }),
  column('local_at', { kind: 'timestamp' }),
  column('price', { kind: 'numeric', precision: 12, scale: 2 }),
  column('rate', { kind: 'numeric', precision: 5, scale: 4 }),
  column('free', { kind: 'numeric' }),
  column('whole', { kind: 'numeric', precision: 4, scale: 0 }),
  column('qty', { kind: 'integer' }),
  column('small', { kind: 'smallint' }),
  column('big', { kind: 'bigint' }),
  column('note', { kind: 'text' }),
];

const plan = { table: 't', columns: COLUMNS } as unknown as TablePlan;

/** Values for each column kind: what the direct writers take, what they must leave to the codec, and what the codec refuses. */
const TIMES: SqliteValue[] = [
  '2024-03-01T10:15:30.123Z', '2024-03-01T10:15:30.120Z', '2024-03-01T10:15:30.100Z', '2024-03-01T10:15:30.000Z', '2024-03-01T10:15:30.003Z',
  '2024-02-29T23:59:59.999Z', '2023-02-29T10:00:00.000Z', '2024-04-31T10:00:00.000Z', '2024-13-01T10:00:00.000Z', '2024-00-10T10:00:00.000Z',
  '2024-03-01T24:00:00.000Z', '2024-03-01T10:60:00.000Z', '0000-01-01T00:00:00.000Z', '0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z',
  '2024-03-01T10:15:30.123z', '2024-03-01 10:15:30.123Z', '2024-03-01T10:15:30.123+02:00', '2024-03-01T10:15:30Z', '2024-03-01T10:15:30.123456Z',
  '2024-03-01', 'infinity', 'not a time', '２024-03-01T10:15:30.123Z', 1709288130123n, 1709288130, 1709288130.5, null,
];
const MONEY: SqliteValue[] = [
  0, -0, 0.05, -0.05, 0.5, 12.5, 12.34, -12.34, 12.345, 1.005, 9.995, 99999999.99, 100000000, 1e10, 21474836.47, -21474836.48, 21474836.48,
  0.1 + 0.2, 1 / 3, 9.9999, 0.0001, NaN, Infinity, -Infinity, 5n, -7n, 12345678901n, '12.50', 'abc', null,
];
const INTS: SqliteValue[] = [0n, -1n, 7n, 32767n, 32768n, -32768n, -32769n, 2147483647n, 2147483648n, -2147483648n, -2147483649n, 2n ** 40n, -(2n ** 63n), 2n ** 63n, 5, 5.5, -0, '7', 'x', null];
const TEXTS: SqliteValue[] = ['plain', 'tab\there', 'line\nbreak\r', 'back\\slash', 'café', 'naïve\ttab\\', '\ud83d\ude00 emoji', 'lone \ud800 surrogate', '', 'nul\u0000byte', 42n, null];

function rowsFor(): SqliteValue[][] {
  const rows: SqliteValue[][] = [];
  const n = Math.max(TIMES.length, MONEY.length, INTS.length, TEXTS.length) * 3;
  const pick = <T,>(xs: T[], i: number): T => xs[i % xs.length] as T;
  for (let i = 0; i < n; i++) {
    rows.push([pick(TIMES, i), pick(TIMES, i + 5), pick(MONEY, i), pick(MONEY, i + 3), pick(MONEY, i + 7), pick(MONEY, i + 11), pick(INTS, i), pick(INTS, i + 3), pick(INTS, i + 7), pick(TEXTS, i)]);
  }
  // every value of each column kind in a row of otherwise plain values, so each is seen accepted or refused on its own
  const plain: SqliteValue[] = ['2024-03-01T10:15:30.123Z', '2024-03-01T10:15:30.123Z', 1.5, 0.5, 2, 3, 1n, 1n, 1n, 'x'];
  const vary = (index: number, values: SqliteValue[]): void => {
    for (const v of values) rows.push(plain.map((p, j) => (j === index ? v : p)));
  };
  vary(0, TIMES);
  vary(1, TIMES);
  for (const i of [2, 3, 4, 5]) vary(i, MONEY);
  for (const i of [6, 7, 8]) vary(i, INTS);
  vary(9, TEXTS);
  return rows;
}

/** What the codecs make of the rows, encoded the way copy-text.ts encodes a row. */
function expected(rows: SqliteValue[][]): { copy: Buffer; ends: number[]; convertedFrom: number[]; rejects: { index: number; column: string; reason: string }[] } {
  const codecs = COLUMNS.map((c) => sqliteToPgCodec(c));
  let text = '';
  const ends: number[] = [];
  const convertedFrom: number[] = [];
  const rejects: { index: number; column: string; reason: string }[] = [];
  rows.forEach((row, i) => {
    const out: PgText[] = [];
    for (let c = 0; c < codecs.length; c++) {
      const v = (codecs[c] as (v: SqliteValue) => PgText | Rejected)(row[c] ?? null);
      if (v instanceof Rejected) {
        rejects.push({ index: i, column: COLUMNS[c]?.pg ?? '?', reason: v.reason });
        return;
      }
      out.push(v);
    }
    text += encodeCopyRow(out);
    ends.push(Buffer.byteLength(text, 'utf8'));
    convertedFrom.push(i);
  });
  return { copy: Buffer.from(text, 'utf8'), ends, convertedFrom, rejects };
}

/** The values at `shape.needed` of each converted row, as the main thread reads them. */
function neededValues(batch: CopyBatch, shape: CopyBatchShape): unknown[] {
  return decodeCopyBatch(batch, shape, COLUMNS.length + 4, 't').converted.flatMap((row) => shape.needed.map((i) => row[i] ?? null));
}

describe('COPY lines written as bytes', () => {
  const shape: CopyBatchShape = { sourceKeyIndexes: [6], cursorIndex: null, needed: [8], pick: null, binary: false };
  const rows = rowsFor();
  const want = expected(rows);

  it('are the codecs’ text, escaped and UTF-8 encoded, with the direct writers and without them', () => {
    for (const direct of [directCopyWriter, undefined]) {
      const batch = encodeCopyBatch(rows, copyColumns(plan, (c) => sqliteToPgCodec(c) as AnyCodec, direct), shape);
      expect(Buffer.from(batch.copy).toString('utf8')).toBe(want.copy.toString('utf8'));
      expect(Buffer.from(batch.copy).equals(want.copy)).toBe(true);
      expect(Array.from(batch.ends)).toEqual(want.ends);
      expect(Array.from(batch.convertedFrom)).toEqual(want.convertedFrom);
      expect(batch.rejects).toEqual(want.rejects);
      expect(batch.read).toBe(rows.length);
    }
    // the direct writers do take values, and values are refused in each kind of column
    expect(COLUMNS.filter((c) => directCopyWriter(c) !== null).map((c) => c.pg)).toEqual(['placed_at', 'local_at', 'price', 'rate', 'free', 'whole', 'qty', 'small', 'big']);
    expect(new Set(want.rejects.map((r) => r.column))).toEqual(new Set(['placed_at', 'local_at', 'price', 'rate', 'free', 'whole', 'qty', 'small', 'big', 'note']));
  });

  it('a value also needed as text (an FK or key column) comes from the codec, the same text in the line and beside it', () => {
    const needTimes: CopyBatchShape = { ...shape, needed: [0, 2, 6] };
    const batch = encodeCopyBatch(rows, copyColumns(plan, (c) => sqliteToPgCodec(c) as AnyCodec, directCopyWriter), needTimes);
    expect(Buffer.from(batch.copy).equals(want.copy)).toBe(true);
    const lines = want.copy.toString('utf8').split('\n');
    neededValues(batch, needTimes).forEach((v, k) => {
      const line = lines[Math.floor(k / 3)]?.split('\t') ?? [];
      expect(v ?? '\\N').toBe(line[[0, 2, 6][k % 3] as number]);
    });
  });
});

describe('ledger keys written as bytes', () => {
  it('read back as rowKeyOf writes them, whatever the key values', () => {
    const keyValues: SqliteValue[] = [
      0n, 1n, -1n, 2147483647n, 2147483648n, -2147483647n, -2147483648n, -2147483649n, 2n ** 63n - 1n, -(2n ** 63n), 0, -0, 1.5, NaN, 1e300, -2.5e-7,
      'plain', 'with "quote"', 'back\\slash', 'tab\tand\nnewline', 'café', '\ud83d\ude00', 'lone \udc00', '', '~ and DEL \u007f', Buffer.from([0, 1, 254, 255]), null,
    ];
    const rows: SqliteValue[][] = keyValues.map((k, i) => [k, keyValues[(i + 7) % keyValues.length] ?? null, 'x']);
    const keyPlan = { table: 'k', columns: [column('a', { kind: 'text' }), column('b', { kind: 'text' }), column('c', { kind: 'text' })] } as unknown as TablePlan;
    for (const sourceKeyIndexes of [[0], [1, 0]]) {
      const keyShape: CopyBatchShape = { sourceKeyIndexes, cursorIndex: null, needed: [], pick: null, binary: false };
      const batch = encodeCopyBatch(rows, copyColumns(keyPlan, (c) => sqliteToPgCodec(c) as AnyCodec, directCopyWriter), keyShape);
      const decoded = decodeCopyBatch(batch, keyShape, 3, 'k');
      rows.forEach((row, i) => expect(decoded.keyOf(i), `row ${i}`).toBe(rowKeyOf(row, sourceKeyIndexes)));
    }
  });
});

describe('binary COPY tuples written as bytes', () => {
  const binaryColumns: PlannedColumn[] = [
    ...COLUMNS,
    column('code', { kind: 'varchar', length: 5 }),
    column('tag', { kind: 'char', length: 4 }),
    column('ref', { kind: 'uuid' }),
    column('ratio', { kind: 'double' }),
  ];
  const binaryPlan = { table: 'b', columns: binaryColumns } as unknown as TablePlan;
  const CODES: SqliteValue[] = ['abcde', 'abc  ', 'abcdef', 'ééééé', '\ud83d\ude00\ud83d\ude00', '\ud83d\ude00\ud83d\ude00\ud83d\ude00', 'a\u0000b', 7n, null];
  const TAGS: SqliteValue[] = ['ab', 'abcd', 'abcd  ', 'abcde', '', 'lone \udc00', null];
  const UUIDS: SqliteValue[] = ['0b7c2a4e-9f3d-4c1a-8e2b-5d6f7a8b9c0d', '0B7C2A4E-9F3D-4C1A-8E2B-5D6F7A8B9C0D', '0b7c2a4e9f3d4c1a8e2b5d6f7a8b9c0d', 'not-a-uuid', null];
  const LONG_TEXTS: SqliteValue[] = ['0b7c2a4e-9f3d-4c1a-8e2b-5d6f7a8b9c0d', 'x'.repeat(300), `${'é'.repeat(40)}\ud800`, 'long but \u0000 with a NUL inside'];
  // raw values and the codec's texts, each written by its own path: direct writers off
  const fromText = { ...sqliteToPgBinaryFields, directFor: () => null, passesThrough: () => false };
  const rows: SqliteValue[][] = [];
  const plain: SqliteValue[] = ['2024-03-01T10:15:30.123Z', '2024-03-01T10:15:30.123Z', 1.5, 0.5, 2, 3, 1n, 1n, 1n, 'x', 'abc', 'ab', '0b7c2a4e-9f3d-4c1a-8e2b-5d6f7a8b9c0d', 0.25];
  const lists: SqliteValue[][] = [TIMES, TIMES, MONEY, MONEY, MONEY, MONEY, INTS, INTS, INTS, [...TEXTS, ...LONG_TEXTS], CODES, TAGS, UUIDS, [...MONEY, 5e-324, 1e308]];
  lists.forEach((values, index) => {
    for (const v of values) rows.push(plain.map((p, j) => (j === index ? v : p)));
  });

  it('are what the codecs’ texts and the binary encoders give, row by row, the values needed as text included', () => {
    let binaryRows = 0;
    for (const needed of [[], [0, 9, 10, 11, 12]]) {
      const shape: CopyBatchShape = { sourceKeyIndexes: [6], cursorIndex: null, needed, pick: null, binary: true };
      const direct = copyColumns(binaryPlan, (c) => sqliteToPgCodec(c) as AnyCodec, directCopyWriter, sqliteToPgBinaryFields);
      const viaText = copyColumns(binaryPlan, (c) => sqliteToPgCodec(c) as AnyCodec, directCopyWriter, fromText);
      rows.forEach((row, i) => {
        const got = encodeCopyBatch([row], direct, shape);
        const want = encodeCopyBatch([row], viaText, shape);
        expect(got.binary, `row ${i}`).toBe(want.binary);
        expect(Buffer.from(got.copy).equals(Buffer.from(want.copy)), `row ${i}: ${JSON.stringify(row, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`).toBe(true);
        expect(got.rejects).toEqual(want.rejects);
        expect(neededValues(got, shape)).toEqual(neededValues(want, shape));
        if (got.binary && got.ends.length === 1) binaryRows++;
      });
    }
    // most rows do go binary, and the codecs refuse some values of the text columns
    expect(binaryRows).toBeGreaterThan(rows.length);
  });
});

describe('values needed as text (FK and key columns)', () => {
  it('reach the main thread as the codecs’ texts, exactly (lone surrogates too), in text and in binary COPY', () => {
    const cols: PlannedColumn[] = [column('id', { kind: 'text' }), column('code', { kind: 'varchar', length: 5 }), column('ref', { kind: 'uuid' }), column('at', { kind: 'timestamptz' }), column('n', { kind: 'bigint' })];
    const needPlan = { table: 'n', columns: cols } as unknown as TablePlan;
    const ids: SqliteValue[] = ['0b7c2a4e-9f3d-4c1a-8e2b-5d6f7a8b9c0d', '', 'tab\there', 'back\\slash', 'café', 'lone \ud800 surrogate', '\ud83d\ude00', 'nul\u0000byte', 42n, 1.5, Buffer.from('hi'), null];
    const codes: SqliteValue[] = ['abc', 'abcdef', 'é', null];
    const rows: SqliteValue[][] = ids.map((id, i) => [id, codes[i % codes.length] ?? null, i % 2 ? '0B7C2A4E-9F3D-4C1A-8E2B-5D6F7A8B9C0D' : '0b7c2a4e-9f3d-4c1a-8e2b-5d6f7a8b9c0d', '2024-03-01T10:15:30.123Z', BigInt(i) * 3n ** 35n]);
    const codecs = cols.map((c) => sqliteToPgCodec(c));
    const converted = rows.map((row) => row.map((v, c) => (codecs[c] as (v: SqliteValue) => PgText | Rejected)(v))).filter((out) => !out.some((v) => v instanceof Rejected));
    expect(converted.length).toBeGreaterThan(6);
    for (const binary of [false, true]) {
      const shape: CopyBatchShape = { sourceKeyIndexes: [0], cursorIndex: null, needed: [0, 1, 2, 3, 4], pick: null, binary };
      const batch = encodeCopyBatch(rows, copyColumns(needPlan, (c) => sqliteToPgCodec(c) as AnyCodec, directCopyWriter, sqliteToPgBinaryFields), shape);
      expect(batch.binary).toBe(binary);
      expect(decodeCopyBatch(batch, shape, cols.length, 'n').converted.map((row) => [...row])).toEqual(converted);
    }
  });
});
