/**
 * Without mapping files, a sqlite-to-pg run reads each SQLite date column the way its
 * values are written: a column of epoch milliseconds is read as milliseconds throughout,
 * even a value small enough to pass for seconds on its own, and ISO text (with T and Z,
 * with a space, a bare date) lands as the same instant or day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `
  CREATE TABLE events (id integer PRIMARY KEY, at timestamptz, at_text timestamptz, logged timestamp, day date, updated_at timestamptz NOT NULL);`;
// `at`: epoch milliseconds; row 3's 86400000 alone would pass for seconds (1972).
// `at_text`: epoch seconds kept as text, row 3's value too small to pass for milliseconds.
const SQLITE = `
  CREATE TABLE events (id INTEGER PRIMARY KEY, at INTEGER, at_text TEXT, logged DATETIME, day DATE, updated_at TEXT NOT NULL);
  INSERT INTO events VALUES
    (1, 1700000000000, '1700000000', '2025-11-05 10:15:30', '2025-11-05', '2025-11-05T10:00:00.000Z'),
    (2, 1700000001500, '1700000060', '2025-11-05 10:15:31.25', '2024-02-29', '2025-11-05T10:00:01.000Z'),
    (3, 86400000, '172800000000', '1999-12-31 23:59:59', '2000-01-01', '2025-11-05T10:00:02.000Z');`;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
});
afterAll(() => pair.cleanup());

describe('a run on generated mappings reads SQLite dates in the format each column uses', () => {
  it('epoch milliseconds, epoch seconds as text, ISO with a space, dates', async () => {
    const r = await pair.run('sqlite-to-pg');
    expect(r.code, r.stderr).toBe(0);
    const rows = await pair.db.query(
      `SELECT id, at::text AS at, at_text::text AS at_text, logged::text AS logged, day::text AS day, updated_at::text AS updated_at FROM events ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 1, at: '2023-11-14 22:13:20+00', at_text: '2023-11-14 22:13:20+00', logged: '2025-11-05 10:15:30', day: '2025-11-05', updated_at: '2025-11-05 10:00:00+00' },
      { id: 2, at: '2023-11-14 22:13:21.5+00', at_text: '2023-11-14 22:14:20+00', logged: '2025-11-05 10:15:31.25', day: '2024-02-29', updated_at: '2025-11-05 10:00:01+00' },
      { id: 3, at: '1970-01-02 00:00:00+00', at_text: '7445-10-25 00:00:00+00', logged: '1999-12-31 23:59:59', day: '2000-01-01', updated_at: '2025-11-05 10:00:02+00' },
    ]);
  });
});
