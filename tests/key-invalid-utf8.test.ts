/**
 * A SQLite table keyed by a text code, where the app once stored a code as bytes that are
 * not UTF-8. better-sqlite3 reads it with U+FFFD in place of those bytes, so the row cannot
 * be looked up again by the key read, and PostgreSQL would get another key than SQLite
 * holds. Non-key text is rejected for this since session 18; a key was not checked. Now
 * the row is rejected with the reason, in an upsert and in a first load on the built CLI's
 * reader thread, while the other rows land, a key that really holds U+FFFD among them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = 'CREATE TABLE codes (code text PRIMARY KEY, label text NOT NULL);';
const SQLITE = `
  CREATE TABLE codes (code TEXT PRIMARY KEY, label TEXT NOT NULL);
  INSERT INTO codes VALUES
    ('A1', 'plain'),
    (CAST(x'41ff32' AS TEXT), 'not UTF-8'),
    ('B' || CAST(x'efbfbd' AS TEXT), 'a real U+FFFD'),
    ('C3', 'plain'),
    (CAST(x'5aff' AS TEXT), 'not UTF-8, last');`;

const LANDED = [
  { code: 'A1', label: 'plain' },
  { code: 'B\uFFFD', label: 'a real U+FFFD' },
  { code: 'C3', label: 'plain' },
];
const REJECTED = [
  {
    row_key: '[["s","A\uFFFD2"]]',
    column_name: 'code',
    reason: "key text is not valid UTF-8 in text column code: it reads as 'A\uFFFD2', U+FFFD in place of the bytes that are not, and no row of codes holds that text",
  },
  {
    row_key: '[["s","Z\uFFFD"]]',
    column_name: 'code',
    reason: "key text is not valid UTF-8 in text column code: it reads as 'Z\uFFFD', U+FFFD in place of the bytes that are not, and no row of codes holds that text",
  },
];

const landed = (pair: ReplicationPair): Promise<unknown[]> => pair.db.query('SELECT code, label FROM codes ORDER BY code COLLATE "C"');
const ledger = (pair: ReplicationPair): Promise<unknown[]> => pair.db.query('SELECT row_key, column_name, reason FROM replicate.rejected_rows ORDER BY row_key COLLATE "C"');

describe('a text key stored as invalid UTF-8, into a table that has rows', () => {
  let pair: ReplicationPair;
  beforeAll(async () => {
    pair = await createReplicationPair(`${PG} INSERT INTO codes VALUES ('A1', 'before');`, SQLITE);
  });
  afterAll(() => pair.cleanup());

  it('rejects its row with the reason while the others land', async () => {
    const r = await pair.run('sqlite-to-pg');
    expect(r.code, r.stderr).toBe(3);
    expect(r.json.tables).toEqual([expect.objectContaining({ name: 'codes', read: 5, written: 3, rejected: 2 })]);
    expect(await landed(pair)).toEqual(LANDED);
    expect(await ledger(pair)).toEqual(REJECTED);
  });

  it('the next run keeps them rejected and every row as it was', async () => {
    const r = await pair.run('sqlite-to-pg');
    expect(r.code, r.stderr).toBe(3);
    expect(r.json.waiting.rejected).toBe(2);
    expect(await landed(pair)).toEqual(LANDED);
    expect(await ledger(pair)).toEqual(REJECTED);
  });
});

describe('the same key in a first load by the built CLI (reader thread)', () => {
  let pair: ReplicationPair;
  beforeAll(async () => {
    pair = await createReplicationPair(PG, SQLITE);
  });
  afterAll(() => pair.cleanup());

  it('rejects the same rows for the same reason', async () => {
    const r = await spawnCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags], { cwd: pair.dir.path });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
    expect(await landed(pair)).toEqual(LANDED);
    expect(await ledger(pair)).toEqual(REJECTED);
  });
});

/**
 * Read one row per batch, such a key sorts after the position its own text gives (its
 * stored byte 0xff sorts above the UTF-8 of U+FFFD), so each batch read it again: the run
 * never ended. It now stops at once, naming the key, with the rows before it landed.
 */
describe('the same key read one row per batch', () => {
  let pair: ReplicationPair;
  beforeAll(async () => {
    pair = await createReplicationPair(PG, SQLITE);
  });
  afterAll(() => pair.cleanup());

  it('stops the run with the key named instead of reading it forever', async () => {
    const r = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--batch-size', '1'], { cwd: pair.dir.path });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('table codes: the read does not get past the row with key A\uFFFD2: its key reads back as other bytes than the source holds');
    expect(await landed(pair)).toEqual([{ code: 'A1', label: 'plain' }]);
  }, 30_000);
});
