/**
 * A row holding a value the target cannot store faithfully (text in an integer column,
 * more decimals than numeric(12,2) keeps, a NUL byte bound for PostgreSQL text; the other
 * way, a timestamp at infinity or a numeric NaN, which SQLite has no form for) is
 * rejected with its reason; the rest of the batch lands; fixing the value lets it land.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `CREATE TABLE items (id integer PRIMARY KEY, qty integer NOT NULL, price numeric(12,2) NOT NULL, note text, updated_at timestamptz NOT NULL);`;
const SQLITE = `
  CREATE TABLE items (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL, price DECIMAL(12,2) NOT NULL, note TEXT, updated_at DATETIME NOT NULL);
  INSERT INTO items VALUES
    (1, 5, '9.99', 'fine', '2025-11-05T10:00:00.000Z'),
    (2, 'abc', '1.00', 'text in an integer column', '2025-11-05T10:00:01.000Z'),
    (3, 1, '12.345', 'three decimals', '2025-11-05T10:00:02.000Z'),
    (4, 2, '4.50', 'nul' || char(0) || 'byte', '2025-11-05T10:00:03.000Z'),
    (5, 7, '0.10', 'fine too', '2025-11-05T10:00:04.000Z');`;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
});
afterAll(() => pair.cleanup());

describe('rows that cannot be stored faithfully', () => {
  it('are rejected with their reason while the rest lands', async () => {
    const r = await pair.run('sqlite-to-pg');
    expect(r.code).toBe(3);
    expect(r.json.tables[0]).toMatchObject({ name: 'items', read: 5, written: 2, rejected: 3 });
    const landed = await pair.db.query<{ id: number; price: string }>('SELECT id, price::text FROM items ORDER BY id');
    expect(landed).toEqual([
      { id: 1, price: '9.99' },
      { id: 5, price: '0.10' },
    ]);
    const ledger = await pair.db.query<{ row_key: string; column_name: string | null; reason: string }>('SELECT * FROM replicate.rejected_rows ORDER BY row_key');
    const reasons = ledger.map((l) => l.reason).join('\n');
    expect(ledger).toHaveLength(3);
    expect(reasons).toMatch(/abc/);
    expect(reasons).toMatch(/12\.345/);
    expect(reasons).toMatch(/NUL/);
  });

  it('a fixed value lands on the next run and leaves the ledger', async () => {
    const s = pair.sqlite();
    s.prepare(`UPDATE items SET qty = 3 WHERE id = 2`).run();
    const r = await pair.run('sqlite-to-pg');
    expect(r.code).toBe(3);
    expect(r.json.waiting.rejected).toBe(2);
    const ids = await pair.db.query<{ id: number; qty: number }>('SELECT id, qty FROM items ORDER BY id');
    expect(ids).toEqual([
      { id: 1, qty: 5 },
      { id: 2, qty: 3 },
      { id: 5, qty: 7 },
    ]);
  });
});

const PG_SOURCE = `CREATE TABLE readings (id bigint PRIMARY KEY, value numeric(10,2), taken_at timestamptz, payload bytea, updated_at timestamptz NOT NULL);
  INSERT INTO readings VALUES
    (1, 1.50, '2025-11-05 10:00:00+00', '\\x0001ff', '2025-11-05 10:00:00+00'),
    (2, 'NaN', '2025-11-05 10:00:01+00', NULL, '2025-11-05 10:00:01+00'),
    (3, 2.25, 'infinity', '\\x', '2025-11-05 10:00:02+00'),
    (9007199254740993, NULL, NULL, '\\x', '2025-11-05 10:00:03+00');`;
const SQLITE_TARGET = `CREATE TABLE readings (id INTEGER PRIMARY KEY, value NUMERIC, taken_at DATETIME, payload BLOB, updated_at DATETIME NOT NULL);`;

describe('rows PostgreSQL holds that SQLite cannot', () => {
  let back: ReplicationPair;
  beforeAll(async () => {
    back = await createReplicationPair(PG_SOURCE, SQLITE_TARGET);
  });
  afterAll(() => back.cleanup());

  it('are rejected with their reason while the rest lands, exactly', async () => {
    const r = await back.run('pg-to-sqlite');
    expect(r.code, r.stderr).toBe(3);
    expect(r.json.tables[0]).toMatchObject({ name: 'readings', read: 4, written: 2, rejected: 2 });
    const s = back.sqlite();
    const rows = s.prepare('SELECT id, value, taken_at, payload FROM readings ORDER BY id').all() as { id: bigint; value: unknown; taken_at: unknown; payload: Buffer | null }[];
    expect(rows).toEqual([
      { id: 1n, value: 1.5, taken_at: '2025-11-05T10:00:00.000Z', payload: Buffer.from([0, 1, 255]) },
      { id: 9007199254740993n, value: null, taken_at: null, payload: Buffer.alloc(0) },
    ]);
    const ledger = s.prepare('SELECT row_key, column_name, reason FROM _replicate_rejected_rows ORDER BY row_key').all() as { row_key: string; column_name: string; reason: string }[];
    expect(ledger.map((l) => l.column_name)).toEqual(['value', 'taken_at']);
    expect(ledger[0]?.reason).toMatch(/NaN/);
    expect(ledger[1]?.reason).toMatch(/'infinity' has no .* form for SQLite column taken_at/);
  });
});
