/**
 * A row whose parent is a later row of the same table (staff reporting to a manager hired
 * after them, by id) is read first when a batch edge falls between them. It waits in the
 * ledger only until its parent lands: the same run retries it at the table's end, so the
 * run ends with every row in and nothing waiting (exit 0), in both directions, and a first
 * load into a table `--create-missing` makes does the same.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `CREATE TABLE staff (id integer PRIMARY KEY, name text NOT NULL, boss_id integer REFERENCES staff (id), updated_at timestamptz NOT NULL DEFAULT now());`;
const SQLITE = `CREATE TABLE staff (id INTEGER PRIMARY KEY, name TEXT NOT NULL, boss_id INTEGER REFERENCES staff (id), updated_at TEXT NOT NULL);`;
// ids 1-2 report to 4, who reports to 5; 3 has no boss
const ROWS = [
  [1, 'Ann', 4],
  [2, 'Bo', 4],
  [3, 'Cy', null],
  [4, 'Di', 5],
  [5, 'Ed', null],
] as const;

let pair: ReplicationPair | null = null;
afterEach(async () => {
  await pair?.cleanup();
  pair = null;
});

const staffIn = (p: ReplicationPair): { id: bigint; boss_id: bigint | null }[] => p.sqlite().prepare('SELECT id, boss_id FROM staff ORDER BY id').all() as { id: bigint; boss_id: bigint | null }[];
const expected = ROWS.map(([id, , boss]) => ({ id: BigInt(id), boss_id: boss === null ? null : BigInt(boss) }));

describe('a row whose parent comes later in the same table, past a batch edge', () => {
  it('lands in the same run when pulled into SQLite', async () => {
    pair = await createReplicationPair(PG, SQLITE);
    // parents first in PostgreSQL, as its FK demands
    for (const [id, name, boss] of [...ROWS].reverse()) await pair.db.query('INSERT INTO staff (id, name, boss_id) VALUES ($1, $2, $3)', [id, name, boss]);
    const r = await pair.run('pg-to-sqlite', '--batch-size', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(staffIn(pair)).toEqual(expected);
    expect(r.json.tables[0]).toMatchObject({ name: 'staff', written: 5, skipped: 0 });
    expect(r.json.waiting).toEqual({ skipped: 0, rejected: 0 });
  });

  it('lands in the same run when pushed into PostgreSQL, into an existing table and into one --create-missing makes', async () => {
    for (const create of [false, true]) {
      pair = await createReplicationPair(create ? 'SELECT 1' : PG, SQLITE);
      const db = pair.sqlite();
      db.pragma('foreign_keys = OFF'); // the terminal's rows as they are, children first
      for (const [id, name, boss] of ROWS) db.prepare("INSERT INTO staff VALUES (?, ?, ?, '2026-12-01T10:00:00.000Z')").run(id, name, boss);
      const r = await pair.run('sqlite-to-pg', '--batch-size', '1', ...(create ? ['--create-missing'] : []));
      expect(r.code, r.stderr).toBe(0);
      const rows = await pair.db.query<{ id: number; boss_id: number | null }>('SELECT id::int AS id, boss_id::int AS boss_id FROM staff ORDER BY id');
      expect(rows).toEqual(ROWS.map(([id, , boss]) => ({ id, boss_id: boss })));
      expect(r.json.waiting).toEqual({ skipped: 0, rejected: 0 });
      await pair.cleanup();
      pair = null;
    }
  });
});
