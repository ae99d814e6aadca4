/**
 * A pg-to-sqlite load run by the built CLI reads and converts its rows on a reader thread,
 * which reads each batch by binary COPY and copies the values it keeps as they are (text,
 * JSON, numeric text) without decoding them, and takes uuids, integers, booleans and jsonb
 * in their binary forms (io/postgres-copy-rows.ts). It lands exactly what the same load run
 * in-process lands, every value with its storage class: characters of two and four bytes,
 * tabs and backslashes, '' next to NULL, long text, integers beyond 2^53 and every integer
 * width's extremes, numeric text and its NaN (rejected) and infinity, bytea, arrays,
 * booleans, an enum, a domain, char(n), timestamps in the column's format; the same rejects
 * with their reasons and the same child waiting for its parent, in batches of a few rows.
 */
import { describe, expect, it } from 'vitest';
import { spawnCli } from './harness/cli.js';
import type { ReplicationPair } from './harness/replication.js';
import { twinPairs } from './harness/twin-pairs.js';

const LONG = 'x'.repeat(60) + ' ünïcödé ' + '😀'.repeat(20) + ' end';
const PG = `
  CREATE TYPE mood AS ENUM ('ok', 'sad');
  CREATE DOMAIN amount AS numeric(10,2);
  CREATE TABLE parents (id uuid PRIMARY KEY, name text NOT NULL);
  CREATE TABLE children (
    id bigint PRIMARY KEY, parent_id uuid REFERENCES parents (id), note text, price numeric(12,2), ratio numeric,
    code numeric(8,3), at timestamptz, flag boolean, doc jsonb, raw bytea, tags text[], updated_at timestamptz NOT NULL,
    qty integer, small smallint, feel mood, label char(4), paid amount);
  INSERT INTO parents VALUES ('6f1c2b7e-3b1a-4c5d-9e8f-0a1b2c3d4e5f', 'café 😀'), ('00000000-0000-4000-8000-000000000000', E'tab\\there');
  ALTER TABLE children DROP CONSTRAINT children_parent_id_fkey;
  INSERT INTO children VALUES
    (1, '6f1c2b7e-3b1a-4c5d-9e8f-0a1b2c3d4e5f', E'tab\\tnewline\\ncr\\rbackslash \\\\ end', 9.99, 'Infinity', 1.5, '2025-11-05 10:00:00.123+00', true, '{"a": [1, 2], "é": "😀"}', '\\x00ff10', '{a,"b,c"}', '2025-11-05 10:00:00+00', 2147483647, -32768, 'ok', 'ab', 12.30),
    (2, '00000000-0000-4000-8000-000000000000', '', -0.05, '-Infinity', NULL, '2025-11-05 10:00:01.5+00', false, '[]', '\\x', '{}', '2025-11-05 10:00:01+00', -2147483648, 32767, 'sad', 'abcd', NULL),
    (3, NULL, NULL, NULL, 'NaN', 2, NULL, NULL, NULL, NULL, NULL, '2025-11-05 10:00:02+00', NULL, NULL, NULL, NULL, NULL),
    (9007199254740993, '6f1c2b7e-3b1a-4c5d-9e8f-0a1b2c3d4e5f', '${LONG}', 12345678.91, 0.0000000001, -7.125, '1999-12-31 23:59:59.999999+00', true, '"s"', NULL, NULL, '2025-11-05 10:00:03+00', 0, 0, 'ok', '', 0),
    (5, '11111111-1111-4111-8111-111111111111', 'waits for its parent', 4.50, 1, 3, '2025-11-05 10:00:04+00', false, 'null', NULL, NULL, '2025-11-05 10:00:04+00', 1, 1, 'ok', 'x', 1),
    (-9223372036854775808, NULL, 'été', 0, -1e-5, 0, '2025-11-05 10:00:05+00', NULL, '{}', '\\xdeadbeef', '{NULL}', '2025-11-05 10:00:05+00', 5, 5, 'sad', 'é', -1.5),
    (7, NULL, 'ok', 100, 5, -0.001, 'infinity', true, NULL, NULL, NULL, '2025-11-05 10:00:06+00', 6, 6, 'ok', 'zz', 99.99);`;
const SQLITE = `
  CREATE TABLE parents (id TEXT PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id TEXT REFERENCES parents (id), note TEXT, price DECIMAL(12,2), ratio NUMERIC,
    code TEXT, at DATETIME, flag BOOLEAN, doc TEXT, raw BLOB, tags TEXT, updated_at DATETIME NOT NULL,
    qty INTEGER, small INTEGER, feel TEXT, label TEXT, paid TEXT);
  CREATE INDEX children_note ON children (note);`;

/** Every value with its storage class, so a text that should be a number (or the reverse) shows. */
function contents(pair: ReplicationPair): unknown {
  const s = pair.sqlite();
  try {
    const typed = (table: string, columns: string[]): unknown[] =>
      s.prepare(`SELECT ${columns.map((c) => `typeof(${c}), quote(${c})`).join(', ')} FROM ${table} ORDER BY rowid`).raw().all();
    return {
      parents: typed('parents', ['id', 'name']),
      children: typed('children', ['id', 'parent_id', 'note', 'price', 'ratio', 'code', 'at', 'flag', 'doc', 'raw', 'tags', 'updated_at', 'qty', 'small', 'feel', 'label', 'paid']),
      rejected: s.prepare('SELECT table_name, row_key, column_name, reason FROM _replicate_rejected_rows ORDER BY row_key').all(),
      skipped: s.prepare('SELECT table_name, row_key, parent_table, parent_key FROM _replicate_skipped_rows ORDER BY row_key').all(),
    };
  } finally {
    s.close();
  }
}

const twins = twinPairs(PG, SQLITE);

describe('a pg-to-sqlite load read on the reader thread', () => {
  it('lands every value, reject and waiting child as the in-process load does', async () => {
    const cli = await spawnCli(['run', '--direction', 'pg-to-sqlite', ...twins.threaded.flags, '--batch-size', '2', '--json'], { cwd: twins.threaded.dir.path });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(3);
    const summary = JSON.parse(cli.stdout.trim().split('\n').pop() ?? '') as { tables: { name: string; read: number; written: number; skipped: number; rejected: number }[] };
    expect(summary.tables.find((t) => t.name === 'children')).toMatchObject({ read: 7, written: 4, skipped: 1, rejected: 2 });

    const local = await twins.inProcess.run('pg-to-sqlite', '--batch-size', '2');
    expect(local.code).toBe(3);
    const got = contents(twins.threaded);
    expect(got).toEqual(contents(twins.inProcess));

    const s = twins.threaded.sqlite();
    try {
      const rows = s.prepare('SELECT id, note, price, ratio, code, at, flag, doc, raw, tags FROM children ORDER BY id').all() as Record<string, unknown>[];
      expect(rows.map((r) => r.id)).toEqual([-9223372036854775808n, 1n, 2n, 9007199254740993n]);
      expect(rows[1]).toMatchObject({ note: 'tab\tnewline\ncr\rbackslash \\ end', price: 9.99, ratio: Infinity, code: '1.500', at: '2025-11-05T10:00:00.123Z', flag: 1n, doc: '{"a": [1, 2], "é": "😀"}', raw: Buffer.from([0, 255, 16]), tags: '["a","b,c"]' });
      expect(rows[2]).toMatchObject({ note: '', price: -0.05, ratio: -Infinity, code: null, flag: 0n, raw: Buffer.alloc(0) });
      expect(rows[3]).toMatchObject({ note: LONG, price: 12345678.91, code: '-7.125', at: '1999-12-31T23:59:59.999999Z' });
      expect(rows[0]).toMatchObject({ note: 'été', raw: Buffer.from('deadbeef', 'hex') });
      const more = s.prepare('SELECT qty, small, feel, label, paid FROM children ORDER BY id').raw().all();
      expect(more).toEqual([
        [5n, 5n, 'sad', 'é   ', '-1.50'],
        [2147483647n, -32768n, 'ok', 'ab  ', '12.30'],
        [-2147483648n, 32767n, 'sad', 'abcd', null],
        [0n, 0n, 'ok', '    ', '0.00'],
      ]);
      expect(s.prepare('SELECT name FROM parents ORDER BY id').pluck().all()).toEqual(['tab\there', 'café 😀']);
      const reasons = s.prepare('SELECT reason FROM _replicate_rejected_rows ORDER BY row_key').pluck().all() as string[];
      expect(reasons.join('\n')).toMatch(/NaN[\s\S]*infinity/);
      expect(s.prepare('SELECT parent_key FROM _replicate_skipped_rows').pluck().all().join()).toContain('11111111-1111-4111-8111-111111111111');
    } finally {
      s.close();
    }
  });
});
