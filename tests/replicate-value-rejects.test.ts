/**
 * Values a sqlite-to-pg run used to change or merge without a word, each now a rejected row
 * with its reason while the other rows land: a date with a time of day (PostgreSQL date
 * would drop it, and ignore its offset), a number in a date column that is no day (19000 in
 * a column of date text; epoch seconds that are not midnight UTC), text stored as invalid
 * UTF-8 (read as U+FFFD), and a uuid key in another spelling beside the canonical one (one
 * PostgreSQL row: the upsert merged them). The rejects stay on the next run; the built CLI,
 * which converts on its reader thread, rejects the same rows for the same reasons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `
  CREATE TABLE events (id integer PRIMARY KEY, day date, note text);
  CREATE TABLE stamps (id integer PRIMARY KEY, day date);
  CREATE TABLE devices (id uuid PRIMARY KEY, name text NOT NULL);`;
const OTHER_DEVICE = 'b1ffcd88-8d1a-4ef8-bb6d-6bb9bd380a22';
const UPPER = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11';
const LOWER = UPPER.toLowerCase();
const COMPACT = LOWER.replaceAll('-', '');
const SQLITE = `
  CREATE TABLE events (id INTEGER PRIMARY KEY, day DATE, note TEXT);
  CREATE TABLE stamps (id INTEGER PRIMARY KEY, day DATE);
  CREATE TABLE devices (id TEXT PRIMARY KEY, name TEXT NOT NULL);
  INSERT INTO events VALUES
    (1, '2024-01-01', 'a date'),
    (2, '2024-01-01 23:30:00', 'a time of day'),
    (3, '2024-01-01T23:30:00-05:00', 'a time and an offset: 2024-01-02 in UTC'),
    (4, '2024-01-01 00:00:00', 'midnight'),
    (5, '2024-01-01T00:00:00.000Z', 'midnight UTC'),
    (6, 19000, 'a number'),
    (7, '2024-01-02', CAST(x'c328' AS TEXT)),
    (8, '2024-01-03', 'a real U+FFFD: ' || CAST(x'efbfbd' AS TEXT)),
    (9, '2024-01-04', 'a date');
  INSERT INTO stamps VALUES (1, 1704067200), (2, 1704070800), (3, 19000), (4, 1704153600);
  INSERT INTO devices VALUES ('${UPPER}', 'upper'), ('${LOWER}', 'lower'), ('${COMPACT}', 'compact'), ('${OTHER_DEVICE}', 'other');`;

/** What lands: the dates that are days, the valid texts, one device per uuid (the canonical spelling's row). */
const LANDED = {
  events: [
    { id: 1, day: '2024-01-01', note: 'a date' },
    { id: 4, day: '2024-01-01', note: 'midnight' },
    { id: 5, day: '2024-01-01', note: 'midnight UTC' },
    { id: 8, day: '2024-01-03', note: 'a real U+FFFD: \uFFFD' },
    { id: 9, day: '2024-01-04', note: 'a date' },
  ],
  stamps: [
    { id: 1, day: '2024-01-01' },
    { id: 4, day: '2024-01-02' },
  ],
  devices: [
    { id: LOWER, name: 'lower' },
    { id: OTHER_DEVICE, name: 'other' },
  ],
};

const spelling = (mine: string): string =>
  `uuid key '${mine}' is another spelling of '${LOWER}', which another row of devices holds: PostgreSQL stores both as uuid ${LOWER}, one row, so only the row keyed '${LOWER}' is written`;

/** The reject ledger: each row with the value's problem. */
const REJECTED = [
  { table_name: 'devices', row_key: `[["s","${UPPER}"]]`, column_name: 'id', reason: spelling(UPPER) },
  { table_name: 'devices', row_key: `[["s","${COMPACT}"]]`, column_name: 'id', reason: spelling(COMPACT) },
  { table_name: 'events', row_key: '[["i","2"]]', column_name: 'day', reason: "PostgreSQL date has no time of day; got '2024-01-01 23:30:00' in date column day" },
  { table_name: 'events', row_key: '[["i","3"]]', column_name: 'day', reason: "PostgreSQL date has no time of day; got '2024-01-01T23:30:00-05:00' in date column day" },
  { table_name: 'events', row_key: '[["i","6"]]', column_name: 'day', reason: 'value 19000 is not a date: date column day is kept in SQLite as date text, not as epoch seconds or milliseconds' },
  { table_name: 'events', row_key: '[["i","7"]]', column_name: 'note', reason: "text is not valid UTF-8 (x'c328', 2 bytes) in text column note: it reads as '\uFFFD(', U+FFFD in place of the bytes that are not" },
  {
    table_name: 'stamps',
    row_key: '[["i","2"]]',
    column_name: 'day',
    reason: 'PostgreSQL date has no time of day; got 1704070800, which is 2024-01-01 01:00:00+00 as epoch seconds in date column day',
  },
  { table_name: 'stamps', row_key: '[["i","3"]]', column_name: 'day', reason: 'PostgreSQL date has no time of day; got 19000, which is 1970-01-01 05:16:40+00 as epoch seconds in date column day' },
];

async function landed(pair: ReplicationPair): Promise<unknown> {
  return {
    events: await pair.db.query('SELECT id, day::text, note FROM events ORDER BY id'),
    stamps: await pair.db.query('SELECT id, day::text FROM stamps ORDER BY id'),
    devices: await pair.db.query('SELECT id::text, name FROM devices ORDER BY id'),
  };
}

const ledger = (pair: ReplicationPair): Promise<unknown[]> =>
  pair.db.query('SELECT table_name, row_key, column_name, reason FROM replicate.rejected_rows ORDER BY table_name, row_key');

describe('values a sqlite-to-pg run cannot store faithfully, into existing tables', () => {
  let pair: ReplicationPair;
  beforeAll(async () => {
    // devices already holds a row: the run upserts into it (no first-load COPY)
    pair = await createReplicationPair(`${PG} INSERT INTO devices VALUES ('${OTHER_DEVICE}', 'before');`, SQLITE);
  });
  afterAll(() => pair.cleanup());

  it('rejects each such row with the value problem while the others land', async () => {
    const r = await pair.run('sqlite-to-pg');
    expect(r.code, r.stderr).toBe(3);
    expect(r.json.tables).toEqual([
      expect.objectContaining({ name: 'devices', read: 4, written: 2, rejected: 2 }),
      expect.objectContaining({ name: 'events', read: 9, written: 5, rejected: 4 }),
      expect.objectContaining({ name: 'stamps', read: 4, written: 2, rejected: 2 }),
    ]);
    expect(await landed(pair)).toEqual(LANDED);
    expect(await ledger(pair)).toEqual(REJECTED);
  });

  it('status names the rows that wait and why', async () => {
    const r = await runCli(['status', ...pair.flags], { cwd: pair.dir.path });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/rejected +devices +2 rows; .*: uuid key '.+' is another spelling of 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'/);
    expect(r.stdout).toMatch(/rejected +events +4 rows; .*day: PostgreSQL date has no time of day; got '2024-01-01 23:30:00'/);
  });

  it('the next run retries them, rejects them again and leaves every row as it was', async () => {
    const r = await pair.run('sqlite-to-pg');
    expect(r.code, r.stderr).toBe(3);
    expect(r.json.waiting.rejected).toBe(REJECTED.length);
    expect(await landed(pair)).toEqual(LANDED);
    expect(await ledger(pair)).toEqual(REJECTED);
  });
});

describe('the same values in a first load by the built CLI (reader thread, binary COPY)', () => {
  let pair: ReplicationPair;
  beforeAll(async () => {
    pair = await createReplicationPair(PG, SQLITE);
  });
  afterAll(() => pair.cleanup());

  it('rejects the same rows for the same reasons', async () => {
    const dry = await spawnCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--dry-run'], { cwd: pair.dir.path });
    for (const t of ['devices', 'events', 'stamps']) expect(dry.stdout).toContain(`${t}: empty on the target: COPY straight in; rows read, converted and COPY-encoded on a reader thread; binary COPY`);
    const r = await spawnCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--batch-size', '3'], { cwd: pair.dir.path });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
    expect(await landed(pair)).toEqual(LANDED);
    expect(await ledger(pair)).toEqual(REJECTED);
  });
});
