/**
 * The reader thread reads a pg-to-sqlite batch by binary COPY (io/postgres-copy-rows.ts):
 * every column comes as the text a plain SELECT sends, or in the binary form the collector
 * asked for (uuid, integers, boolean, jsonb), whose text is exactly the server's. The rows
 * it hands over are the rows a plain read returns, however the stream is cut into chunks:
 * a tuple cut anywhere (in its header, a length, a value, a 100 KB value) is completed from
 * the next chunk. Types: text with tabs, backslashes and four-byte characters, '' next to
 * NULL, char(n), varchar, uuid, every integer width at its limits, boolean, numeric and its
 * NaN, timestamp and timestamptz across their whole range (BC, five- and six-digit years,
 * infinities, every fraction length), jsonb, json, bytea, arrays, an enum and a domain.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_SETTINGS } from '../src/connect/postgres-session.js';
import { BinaryTuples, copyOut, copyRowsInto, copySelectList, type ColumnForms } from '../src/replicator/io/postgres-copy-rows.js';
import { rawFields } from '../src/replicator/io/postgres-read-convert.js';
import { rawTextTypes } from '../src/replicator/values/pg-raw-types.js';
import { createTestDatabase, type TestDatabase } from './harness/pg.js';

const COLUMNS = ['id', 'u', 'small', 'mid', 'flag', 'note', 'label', 'code', 'price', 'at', 'doc', 'js', 'raw', 'tags', 'feel', 'paid', 'ts'];
const ROWS = 3000;

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase('copyread');
  await db.exec(`
    CREATE TYPE mood AS ENUM ('ok', 'sad');
    CREATE DOMAIN amount AS numeric(10,2);
    CREATE TABLE t (id bigint PRIMARY KEY, u uuid, small smallint, mid integer, flag boolean, note text, label char(5), code varchar(20),
      price numeric, at timestamptz, doc jsonb, js json, raw bytea, tags text[], feel mood, paid amount, ts timestamp);
    INSERT INTO t SELECT i, md5(i::text)::uuid, (i % 65536 - 32768)::smallint, (i * 7919) % 2147483647 - 1073741823, i % 3 = 0,
      CASE i % 7 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN E'tab\\there\\\\back\\nline' ELSE 'été 😀 ' || repeat('x', i % 300) END,
      CASE WHEN i % 5 = 0 THEN NULL ELSE 'ab' END, 'c' || i, CASE WHEN i % 11 = 0 THEN 'NaN' ELSE (i / 7.0)::numeric END,
      '2025-01-01 00:00:00+00'::timestamptz + i * interval '1.001 second', jsonb_build_object('i', i, 's', 'é"q'), '{"a" : 1}',
      decode(lpad(to_hex(i), 8, '0'), 'hex'), ARRAY['a', NULL, 'b,c'], CASE WHEN i % 2 = 0 THEN 'ok' ELSE 'sad' END::mood, i / 3.0,
      '1970-01-01 00:00:00'::timestamp + (i - 1500) * interval '123 days 1 hour 7.000321 seconds'
    FROM generate_series(1, ${ROWS}) i;
    -- the edges of the timestamp range, BC years, five- and six-digit years, infinities, leap days, each fraction length
    INSERT INTO t (id, at, ts) SELECT 10000 + n, v::timestamptz, v::timestamp FROM unnest(ARRAY[
      '4713-01-01 00:00:00 BC', '0044-03-15 12:00:00.5 BC', '0001-12-31 23:59:59.999999 BC', '0001-01-01 00:00:00', '1600-02-29 12:00:00.1',
      '1899-12-31 23:59:59.99', '1969-12-31 23:59:59.999', '1970-01-01 00:00:00.0001', '1999-12-31 23:59:59.99999', '2000-01-01 00:00:00',
      '2000-02-29 00:00:00.000001', '2100-03-01 00:00:00', '2262-04-11 23:47:16.854775', '2287-01-01 00:00:00.123456', '9999-12-31 23:59:59.999999',
      '10000-01-01 00:00:00', '12025-11-05 10:15:30.25', '294276-12-31 23:59:59.999999', 'infinity', '-infinity']) WITH ORDINALITY AS x(v, n);
    INSERT INTO t (id, u, small, mid, flag, note) VALUES
      (-9223372036854775808, '00000000-0000-0000-0000-000000000000', -32768, -2147483648, false, NULL),
      (9223372036854775807, 'ffffffff-ffff-ffff-ffff-ffffffffffff', 32767, 2147483647, true, repeat('é', 50000));`);
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(SESSION_SETTINGS);
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

/** the rows of a plain SELECT, each value PostgreSQL's text */
async function plainRows(): Promise<(string | null)[][]> {
  const r = await client.query<(string | null)[]>({ text: `SELECT ${COLUMNS.join(', ')} FROM t ORDER BY id`, rowMode: 'array', types: rawTextTypes });
  return r.rows;
}

/** a sink that takes every binary form offered, keeping each tuple as its fields' text */
function textSink(): { rows: (string | null)[][]; addRaw(bytes: Buffer, offset: number, forms: ColumnForms): void; takesBinary(): boolean } {
  const rows: (string | null)[][] = [];
  return { rows, addRaw: (bytes, offset, forms) => void rows.push(rawFields(bytes, offset, forms)), takesBinary: () => true };
}

describe('a batch read by binary COPY', () => {
  it('gives the rows a plain read gives, binary forms as their text', async () => {
    const sink = textSink();
    const { select, forms } = await copySelectList(client, 'public', 't', COLUMNS, sink);
    expect(forms).toEqual(['int8', 'uuid', 'int2', 'int4', 'bool', null, null, null, null, 'timestamptz', 'jsonb', null, null, null, null, null, 'timestamp']);
    await copyRowsInto(client, `SELECT ${select.join(', ')} FROM t ORDER BY id`, sink, forms);
    expect(sink.rows.length).toBe(ROWS + 22);
    expect(sink.rows).toEqual(await plainRows());
  });

  it('gives the same rows however the stream is cut into chunks', async () => {
    const { select, forms } = await copySelectList(client, 'public', 't', COLUMNS, textSink());
    const chunks: Buffer[] = [];
    await copyOut(client, `SELECT ${select.join(', ')} FROM t ORDER BY id`, (c) => chunks.push(Buffer.from(c)));
    const whole = Buffer.concat(chunks);
    const expected = await plainRows();
    // small chunks over the header and the first few hundred tuples (then the rest at once),
    // larger ones over everything, the last tuple's 100 KB value included
    for (const size of [1, 2, 3, 5, 19, 20, 21, 255, 256, 257, 1000, 4099, 65536, 70000]) {
      const sink = textSink();
      const tuples = new BinaryTuples(sink, forms);
      const cutUpTo = size < 1000 ? 40_000 : whole.length;
      for (let at = 0; at < cutUpTo; at += size) tuples.push(whole.subarray(at, Math.min(at + size, cutUpTo)));
      if (cutUpTo < whole.length) tuples.push(whole.subarray(cutUpTo));
      expect(tuples.error).toBeNull();
      expect(sink.rows.length, `chunks of ${size} bytes`).toBe(expected.length);
      expect(sink.rows, `chunks of ${size} bytes`).toEqual(expected);
    }
  });
});
