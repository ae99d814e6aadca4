/**
 * A team drops a table from both databases; its mapping file stays in mappings/ (`map`
 * never deletes a file). A run refuses that file with exit 2, yet verify used to call the
 * table only a warning and exit 0, so a check in CI passed while every run failed. Now
 * verify reports it as an error, says what to do, and exits 1.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../src/verify/finding.js';
import { runCli, type CliResult } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `
  CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);
  CREATE TABLE old_coupons (id bigint PRIMARY KEY, code text);`;
const SQLITE = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE old_coupons (id INTEGER PRIMARY KEY, code TEXT);
  INSERT INTO customers VALUES (1, 'Ada');`;

let pair: ReplicationPair;
const cli = (...args: string[]): Promise<CliResult> => runCli([...args, ...pair.flags], { cwd: pair.dir.path });

beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  const map = await cli('map');
  expect(map.code, map.stderr).toBe(0);
});
afterAll(() => pair.cleanup());

describe('a mapping file whose table was dropped from both databases', () => {
  it('verify passes before the drop: the pair itself has no errors', async () => {
    const v = await cli('verify');
    expect(v.code, v.stdout + v.stderr).toBe(0);
  });

  it('after the drop, verify calls the file an error that blocks, says what to do, and exits 1, as run refuses it', async () => {
    await pair.db.exec('DROP TABLE old_coupons');
    pair.sqlite().exec('DROP TABLE old_coupons');
    const file = join(pair.dir.path, 'mappings', 'old_coupons.yaml');
    expect(existsSync(file) && readFileSync(file, 'utf8')).toContain('table: old_coupons');

    const v = await cli('verify');
    expect(v.code, v.stdout + v.stderr).toBe(1);
    expect(v.stdout).toMatch(
      /old_coupons\n +✗ error +missing_table \[both\]\n +the mapping names a table that exists on neither side; remove its mapping file, or create the table\n/,
    );
    expect(v.stdout).toContain('1 error, 0 warnings, 0 infos: drift blocks replication');

    const json = await cli('verify', '--json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { ok: boolean; issues: Finding[] };
    expect(report.ok).toBe(false);
    expect(report.issues).toContainEqual(expect.objectContaining({ table: 'old_coupons', kind: 'missing_table', side: 'both', severity: 'error' }));

    const run = await cli('run', '--direction', 'sqlite-to-pg');
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toContain("SQLite has no table 'old_coupons'");
    // what to do about it: map would leave the file where it is
    expect(run.stderr).toContain('delete this mapping file if the table is gone');
  });
});
