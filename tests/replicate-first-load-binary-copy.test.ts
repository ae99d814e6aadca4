/**
 * A first load from SQLite into empty PostgreSQL tables, run by the built CLI (reader
 * thread), COPYs a table in binary format where every column has a binary encoder, and
 * the plan says so per table; a table with another column type (real here) stays on text
 * COPY. A batch holding a value that has no exact binary form (a numeric Infinity) is
 * read again and sent as text, so the load lands exactly what the in-process load lands,
 * refusals and their reasons included (a row the server refuses is found by sending the
 * batch's binary rows again in parts, as with text).
 */
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli } from './harness/cli.js';
import type { ReplicationPair } from './harness/replication.js';
import { twinPairs } from './harness/twin-pairs.js';

const PG = `
  CREATE TABLE measures (id bigint PRIMARY KEY, amount numeric, at timestamptz, ratio double precision, tag varchar(10) CHECK (tag <> 'h'), code uuid);
  CREATE TABLE readings (id integer PRIMARY KEY, level real, at timestamptz);`;
const SQLITE = `
  CREATE TABLE measures (id INTEGER PRIMARY KEY, amount DECIMAL, at DATETIME, ratio DOUBLE, tag VARCHAR(10), code UUID);
  CREATE TABLE readings (id INTEGER PRIMARY KEY, level REAL, at DATETIME);
  INSERT INTO measures VALUES
    (1, 12.5, '2025-11-05T10:00:00.123Z', 0.1, 'a', '0b7c2a4e-9f3d-4c1a-8e2b-5d6f7a8b9c0d'),
    (2, '12.50', '2025-11-05 10:00:01.5', -0.0, 'b' || char(9) || 'c', '0B7C2A4E9F3D4C1A8E2B5D6F7A8B9C0E'),
    (3, -0.05, '2025-11-05T12:00:02+05:30', 1e308, 'ünï', NULL),
    (4, 'Infinity', '2025-11-05T10:00:03.000Z', 2.5, 'd', NULL),
    (5, 7, '2025-11-05T10:00:04.000Z', 5e-324, 'e', NULL),
    (6, '0.0001', '0001-01-01T00:00:00.000Z', '1.50', 'f', NULL),
    (7, 9007199254740993, '9999-12-31T23:59:59.999Z', 'zero', 'g', NULL),
    (8, 'NaN', '2025-11-05T10:00:07.000Z', 5e-324, 'h', NULL),
    (9, 'NaN', 'infinity', 'NaN', 'i', NULL);
  INSERT INTO readings VALUES (1, 1.5, '2025-11-05T10:00:00.000Z'), (2, 0.1, NULL);`;

async function contents(pair: ReplicationPair): Promise<unknown> {
  return {
    measures: await pair.db.query('SELECT id::text, amount::text, at::text, ratio::text, tag, code::text FROM measures ORDER BY id'),
    readings: await pair.db.query('SELECT id, level::text, at::text FROM readings ORDER BY id'),
    rejected: await pair.db.query('SELECT table_name, row_key, column_name, reason FROM replicate.rejected_rows ORDER BY row_key'),
  };
}

const twins = twinPairs(PG, SQLITE);

describe('a first load COPYs in binary where it can', () => {
  it('the plan says binary or text COPY per table', async () => {
    const dry = await runCli(['run', '--direction', 'sqlite-to-pg', ...twins.threaded.flags, '--dry-run'], { cwd: twins.threaded.dir.path });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/measures: empty on the target: COPY straight in.*; binary COPY/);
    expect(dry.stdout).toMatch(/readings: empty on the target: COPY straight in.*; text COPY \(column level is real\)/);
  });

  it('lands every value, and a batch with a value that has no binary form as text, as the in-process load does', async () => {
    const cli = await spawnCli(['run', '--direction', 'sqlite-to-pg', ...twins.threaded.flags, '--batch-size', '3', '--json'], { cwd: twins.threaded.dir.path });
    expect(cli.stderr).toBe('');
    const local = await twins.inProcess.run('sqlite-to-pg', '--batch-size', '3');
    expect(cli.code).toBe(local.code);
    const got = await contents(twins.threaded);
    expect(got).toEqual(await contents(twins.inProcess));

    const rows = await twins.threaded.db.query<{ id: string; amount: string; at: string; ratio: string; tag: string; code: string | null }>(
      'SELECT id::text, amount::text, at::text, ratio::text, tag, code::text FROM measures ORDER BY id',
    );
    expect(rows.map((r) => r.id)).toEqual(['1', '2', '3', '4', '5', '6', '9']);
    expect(rows[0]).toMatchObject({ amount: '12.5', at: '2025-11-05 10:00:00.123+00', ratio: '0.1', code: '0b7c2a4e-9f3d-4c1a-8e2b-5d6f7a8b9c0d' });
    expect(rows[1]).toMatchObject({ amount: '12.5', at: '2025-11-05 10:00:01.5+00', ratio: '0', tag: 'b\tc', code: '0b7c2a4e-9f3d-4c1a-8e2b-5d6f7a8b9c0e' });
    expect(rows[2]).toMatchObject({ amount: '-0.05', at: '2025-11-05 06:30:02+00', ratio: '1e+308', tag: 'ünï' });
    expect(rows[3]).toMatchObject({ amount: 'Infinity' });
    expect(rows[5]).toMatchObject({ amount: '0.0001', at: '0001-01-01 00:00:00+00', ratio: '1.5' });
    expect(rows[4]).toMatchObject({ amount: '7', ratio: '5e-324' });
    expect(rows[6]).toMatchObject({ amount: 'NaN', at: 'infinity', ratio: 'NaN' });
    const refused = await twins.threaded.db.query<{ row_key: string; reason: string }>('SELECT row_key, reason FROM replicate.rejected_rows ORDER BY row_key');
    expect(refused).toHaveLength(2);
    expect(refused[0]?.reason).toMatch(/zero/);
    expect(refused[1]?.reason).toMatch(/violates check constraint/);
    const readings = await twins.threaded.db.query<{ level: string }>('SELECT level::text FROM readings ORDER BY id');
    expect(readings.map((r) => r.level)).toEqual(['1.5', '0.1']);
  });
});
