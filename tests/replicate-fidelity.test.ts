/**
 * Values that hand-rolled sync loses survive sqlite -> pg -> sqlite bit for bit: int8
 * beyond 2^53, exact decimals, timestamps to the microsecond in the column's own text
 * format, booleans, JSON (compared as JSON: jsonb normalizes), BLOBs, uuids, arrays,
 * NULL versus ''.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { runCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';
import { createSqliteFile } from './harness/sqlite.js';

const PG = `
  CREATE TABLE samples (
    id bigint PRIMARY KEY, big bigint, money numeric(12,2), exact numeric(30,10), at timestamptz, naive timestamp, day date,
    flag boolean, doc jsonb, raw bytea, uid uuid, tags text[], label text, updated_at timestamptz NOT NULL);`;
const SQLITE_SCHEMA = `
  CREATE TABLE samples (
    id INTEGER PRIMARY KEY, big INTEGER, money DECIMAL(12,2), exact TEXT, at DATETIME, naive DATETIME, day DATE,
    flag BOOLEAN, doc TEXT, raw BLOB, uid TEXT, tags TEXT, label TEXT, updated_at DATETIME NOT NULL);`;
const ROWS = `
  INSERT INTO samples VALUES
   (1, 9007199254740993, '12.10', '12345678901234567890.0123456789', '2025-11-05T10:15:30.123456Z', '2025-11-05T10:15:30.500', '2025-11-05',
    1, '{"b": 1, "a": [1, 2, {"c": null}]}', X'00FF10', '6f1c2b7e-3b1a-4c5d-9e8f-0a1b2c3d4e5f', '["a", "b,c", "d\\"e"]', '', '2025-11-05T10:15:30.123Z'),
   (2, -9223372036854775808, '-0.05', '0.0000000001', '2025-11-05T10:15:30.123Z', '1999-12-31T23:59:59.000', '1970-01-01',
    0, '[]', X'', '00000000-0000-4000-8000-000000000000', '[]', NULL, '2025-11-05T10:15:31.000Z'),
   (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'ünï ''quoted'' \t tab', '2025-11-05T10:15:32.000Z');`;

let there: ReplicationPair;
let backPath: string;

beforeAll(async () => {
  there = await createReplicationPair(PG, SQLITE_SCHEMA + ROWS);
  backPath = there.dir.file('round-trip.db');
  createSqliteFile(backPath, SQLITE_SCHEMA);
});
afterAll(() => there.cleanup());

type Row = Record<string, unknown>;
function rows(path: string): Row[] {
  const db = new Database(path, { readonly: true });
  db.defaultSafeIntegers(true);
  const out = db.prepare('SELECT *, typeof(money) AS money_t, typeof(big) AS big_t, typeof(flag) AS flag_t FROM samples ORDER BY id').all() as Row[];
  db.close();
  return out.map((r) => ({ ...r, doc: r.doc === null ? null : JSON.parse(String(r.doc)), tags: r.tags === null ? null : JSON.parse(String(r.tags)) }));
}

describe('a round trip sqlite -> pg -> sqlite', () => {
  it('gives back every value, storage class and text format', async () => {
    const out = await there.run('sqlite-to-pg');
    expect(out.code, out.stderr).toBe(0);
    const pgRows = await there.db.query<Row>(`SELECT id::text, big::text, money::text, exact::text, at::text, naive::text, tags::text FROM samples ORDER BY id`);
    expect(pgRows[0]).toMatchObject({ big: '9007199254740993', money: '12.10', exact: '12345678901234567890.0123456789', naive: '2025-11-05 10:15:30.5', tags: '{a,"b,c","d\\"e"}' });

    // the app's mapping (made by `map` from the terminal's own file) records each date column's text format
    const mapped = await runCli(['map', ...there.flags], { cwd: there.dir.path });
    expect(mapped.code, mapped.stderr).toBe(0);
    const back = await runCli(['run', '--direction', 'pg-to-sqlite', '--sqlite', backPath, '--pg', there.db.url, '--json'], { cwd: there.dir.path });
    expect(back.code, back.stderr).toBe(0);
    expect(rows(backPath)).toEqual(rows(there.sqlitePath));
  });
});
