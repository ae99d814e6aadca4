/**
 * A SQLite app keeps a visit's time as text, as SQLite's CURRENT_TIMESTAMP writes it, but a
 * few rows hold a number (an old code path wrote epoch seconds, another milliseconds, a bug
 * wrote 19000). The column is profiled as text, so nothing says what unit such a number is
 * in: a sqlite-to-pg run used to guess (19000 became 1970-01-01 05:16:40). As for a date
 * column, each such row is now rejected with the reason while the others land; a column
 * kept as epoch numbers still reads its numbers as what they are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `
  CREATE TABLE visits (id integer PRIMARY KEY, seen_at timestamptz, note text);
  CREATE TABLE pings (id integer PRIMARY KEY, at timestamp);`;
const SQLITE = `
  CREATE TABLE visits (id INTEGER PRIMARY KEY, seen_at DATETIME DEFAULT CURRENT_TIMESTAMP, note TEXT);
  CREATE TABLE pings (id INTEGER PRIMARY KEY, at INTEGER);
  INSERT INTO visits VALUES
    (1, '2024-01-01 10:00:00', 'text'),
    (2, '2024-01-02 11:30:00', 'text'),
    (3, 1704067200, 'epoch seconds'),
    (4, 1704067200000, 'epoch milliseconds'),
    (5, 19000, 'a bug'),
    (6, '2024-01-03 12:00:00', 'text');
  INSERT INTO pings VALUES (1, 1704067200), (2, 1704070800);`;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
});
afterAll(() => pair.cleanup());

const because = (v: string): string => `value ${v} is not a timestamptz: timestamptz column seen_at is kept in SQLite as iso-space text, not as epoch seconds or milliseconds`;

describe('numbers in a SQLite timestamp column kept as text', () => {
  it('are rejected with the reason; the text rows, and the numbers of a column kept as epoch seconds, land', async () => {
    const r = await pair.run('sqlite-to-pg');
    expect(r.code, r.stderr).toBe(3);
    expect(r.json.tables).toEqual([
      expect.objectContaining({ name: 'pings', read: 2, written: 2, rejected: 0 }),
      expect.objectContaining({ name: 'visits', read: 6, written: 3, rejected: 3 }),
    ]);
    expect(await pair.db.query("SELECT id, to_char(seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS seen_at FROM visits ORDER BY id")).toEqual([
      { id: 1, seen_at: '2024-01-01 10:00:00' },
      { id: 2, seen_at: '2024-01-02 11:30:00' },
      { id: 6, seen_at: '2024-01-03 12:00:00' },
    ]);
    expect(await pair.db.query("SELECT id, to_char(at, 'YYYY-MM-DD HH24:MI:SS') AS at FROM pings ORDER BY id")).toEqual([
      { id: 1, at: '2024-01-01 00:00:00' },
      { id: 2, at: '2024-01-01 01:00:00' },
    ]);
    expect(await pair.db.query('SELECT row_key, column_name, reason FROM replicate.rejected_rows ORDER BY row_key')).toEqual([
      { row_key: '[["i","3"]]', column_name: 'seen_at', reason: because('1704067200') },
      { row_key: '[["i","4"]]', column_name: 'seen_at', reason: because('1704067200000') },
      { row_key: '[["i","5"]]', column_name: 'seen_at', reason: because('19000') },
    ]);
  });
});
