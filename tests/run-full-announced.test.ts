/**
 * `run --full` copies every table in full, its checkpoint ignored: the run says so as each
 * table starts, as `run --full --dry-run` plans it, not "incremental".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = 'CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL);';
const SQLITE = `
  CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, updated_at DATETIME NOT NULL);
  INSERT INTO items VALUES (1, 'tea', '2025-01-02T10:00:00.000Z'), (2, 'milk', '2025-01-02T10:00:00.000Z'), (3, 'jam', '2025-01-02T10:00:00.000Z'),
                           (4, 'salt', '2025-01-02T10:00:00.000Z'), (5, 'rice', '2025-01-02T10:00:00.000Z'), (6, 'bread', '2025-01-02T10:00:00.000Z');`;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
});
afterAll(() => pair.cleanup());

describe('run --full', () => {
  it('announces each table as a full copy, as its dry run plans it', async () => {
    const first = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags], { cwd: pair.dir.path });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('  items: incremental, ~6 rows at the source\n');

    const dry = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--full', '--dry-run'], { cwd: pair.dir.path });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^ {2}1 {2}items {2}full \(cursor updated_at ignored\) /m);
    const full = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--full'], { cwd: pair.dir.path });
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout).toContain('  items: full, ~6 rows at the source\n');
    expect(full.stdout).toContain('  items: 6 read, 6 written');
  });
});
