/**
 * The primary keys of the tables `run --create-missing` creates in PostgreSQL. An integer
 * key is built after the data, in one go (the plan says so), and ends in place. A key that
 * two SQLite rows could share once converted (a uuid written in upper and in lower case is
 * two keys to SQLite, one to PostgreSQL) is declared with the table, so the second row is
 * rejected with the reason instead of ending up twice in the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const SQLITE = `
  CREATE TABLE devices (id UUID NOT NULL PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE readings (id INTEGER PRIMARY KEY, device_id UUID NOT NULL REFERENCES devices(id), value INTEGER NOT NULL);`;

const UPPER = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11';
const READINGS = 3000;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair('', SQLITE);
  const s = pair.sqlite();
  s.transaction(() => {
    s.prepare('INSERT INTO devices VALUES (?, ?)').run(UPPER, 'upper');
    s.prepare('INSERT INTO devices VALUES (?, ?)').run(UPPER.toLowerCase(), 'lower');
    s.prepare('INSERT INTO devices VALUES (?, ?)').run('b1ffcd88-8d1a-4ef8-bb6d-6bb9bd380a22', 'other');
    const reading = s.prepare('INSERT INTO readings VALUES (?, ?, ?)');
    for (let i = 1; i <= READINGS; i++) reading.run(i, 'b1ffcd88-8d1a-4ef8-bb6d-6bb9bd380a22', i * 3);
  })();
  s.close();
});
afterAll(() => pair.cleanup());

describe('primary keys of the tables run --create-missing creates', () => {
  it('an integer key follows the data, and the plan says so', async () => {
    const r = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--create-missing', '--batch-size', '500'], { cwd: pair.dir.path });
    expect(r.code, r.stderr).toBe(3); // one device waits in the reject ledger
    expect(r.stdout).toContain('created on the target: devices, readings (constraints and indexes follow the data; so do the primary keys of readings');
    const keys = await pair.db.query(
      `SELECT conrelid::regclass::text AS rel, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'p' AND connamespace = 'public'::regnamespace ORDER BY 1`,
    );
    expect(keys).toEqual([
      { rel: 'devices', def: 'PRIMARY KEY (id)' },
      { rel: 'readings', def: 'PRIMARY KEY (id)' },
    ]);
    const sums = await pair.db.query<{ n: number; total: string }>('SELECT count(*)::int AS n, sum(value)::text AS total FROM readings');
    expect(sums).toEqual([{ n: READINGS, total: String((3 * READINGS * (READINGS + 1)) / 2) }]);
  });

  it('a uuid key written in two cases lands once; the other row is rejected with the reason', async () => {
    const devices = await pair.db.query<{ id: string; name: string }>('SELECT id::text, name FROM devices ORDER BY name');
    expect(devices.map((d) => d.name)).toHaveLength(2);
    expect(devices.filter((d) => d.id === UPPER.toLowerCase())).toHaveLength(1);
    const rejected = await pair.db.query<{ table_name: string; reason: string }>('SELECT table_name, reason FROM replicate.rejected_rows');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.table_name).toBe('devices');
    expect(rejected[0]?.reason).toMatch(/duplicate key value violates unique constraint "devices_pkey"/);
  });
});
