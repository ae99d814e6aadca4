/**
 * A first load from SQLite into empty PostgreSQL tables, run by the built CLI, reads,
 * converts and COPY-encodes its rows on a reader thread (io/sqlite-read-thread.ts). It
 * lands exactly what the same load run in-process lands: every value (text with tabs,
 * newlines and backslashes, characters of two and four bytes, integers beyond 2^53), the
 * same rejects with their reasons and the same children waiting for a parent, in batches
 * of a few rows.
 */
import { describe, expect, it } from 'vitest';
import { spawnCli } from './harness/cli.js';
import type { ReplicationPair } from './harness/replication.js';
import { twinPairs } from './harness/twin-pairs.js';

const PG = `
  CREATE TABLE parents (id integer PRIMARY KEY, name text NOT NULL);
  CREATE TABLE children (
    id bigint PRIMARY KEY, parent_id integer REFERENCES parents (id), note text, price numeric(12,2),
    at timestamptz, flag boolean, doc jsonb, doubled numeric GENERATED ALWAYS AS (price * 2) STORED);`;
const SQLITE = `
  CREATE TABLE parents (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parents (id), note TEXT, price DECIMAL(12,2),
    at DATETIME, flag BOOLEAN, doc TEXT, doubled DECIMAL(12,2));
  INSERT INTO parents VALUES (1, 'one'), (2, 'two' || char(9) || 'tabbed'), (3, 'café');
  PRAGMA foreign_keys = OFF;
  INSERT INTO children VALUES
    (1, 1, 'tab' || char(9) || 'newline' || char(10) || 'cr' || char(13) || 'backslash \\ end', '9.99', '2025-11-05T10:00:00.123Z', 1, '{"a": [1, 2]}', NULL),
    (2, 2, 'été 😀 ok', '0.10', '2025-11-05T10:00:01.000Z', 0, NULL, NULL),
    (3, 'abc', 'text in an integer column', '1.00', '2025-11-05T10:00:02.000Z', 1, NULL, NULL),
    (9007199254740993, 3, NULL, NULL, NULL, NULL, '"s"', NULL),
    (5, 99, 'waits for parent 99', '4.50', '2025-11-05T10:00:04.000Z', 1, NULL, NULL),
    (6, 1, 'three decimals', '12.345', '2025-11-05T10:00:05.000Z', 0, NULL, NULL),
    (7, NULL, 'no parent at all ✓', '-3.5', '2025-11-05 10:00:06', 1, '[]', NULL),
    (8, 3, 'nul' || char(0) || 'byte', '1', '2025-11-05T10:00:07.000Z', 0, NULL, NULL),
    (10, 2, 'last', '100', '2025-11-05T10:00:08.5Z', 1, '{}', NULL);`;

/** The target as text, so any difference in a value shows. */
async function contents(pair: ReplicationPair): Promise<unknown> {
  return {
    parents: await pair.db.query('SELECT id, name FROM parents ORDER BY id'),
    children: await pair.db.query('SELECT id::text, parent_id, note, price::text, at::text, flag, doc::text, doubled::text FROM children ORDER BY children.id'),
    rejected: await pair.db.query('SELECT table_name, row_key, column_name, reason FROM replicate.rejected_rows ORDER BY row_key'),
    skipped: await pair.db.query('SELECT table_name, row_key, parent_table, parent_key FROM replicate.skipped_rows ORDER BY row_key'),
  };
}

const twins = twinPairs(PG, SQLITE);

describe('a first load read on the reader thread', () => {
  it('lands every value, reject and waiting child as the in-process load does', async () => {
    const cli = await spawnCli(['run', '--direction', 'sqlite-to-pg', ...twins.threaded.flags, '--batch-size', '3', '--json'], { cwd: twins.threaded.dir.path });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(3);
    const summary = JSON.parse(cli.stdout.trim().split('\n').pop() ?? '') as { tables: { name: string; read: number; written: number; skipped: number; rejected: number }[] };
    expect(summary.tables.find((t) => t.name === 'children')).toMatchObject({ read: 9, written: 5, skipped: 1, rejected: 3 });

    const local = await twins.inProcess.run('sqlite-to-pg', '--batch-size', '3');
    expect(local.code).toBe(3);
    const got = await contents(twins.threaded);
    expect(got).toEqual(await contents(twins.inProcess));

    const rows = await twins.threaded.db.query<{ id: string; note: string | null; price: string | null; at: string | null; doubled: string | null }>(
      'SELECT id::text, note, price::text, at::text, doubled::text FROM children ORDER BY children.id',
    );
    expect(rows.map((r) => r.id)).toEqual(['1', '2', '7', '10', '9007199254740993']);
    expect(rows[0]).toMatchObject({ note: 'tab\tnewline\ncr\rbackslash \\ end', price: '9.99', at: '2025-11-05 10:00:00.123+00', doubled: '19.98' });
    expect(rows[1]?.note).toBe('été 😀 ok');
    expect(rows[3]?.at).toBe('2025-11-05 10:00:08.5+00');
    const parents = await twins.threaded.db.query<{ name: string }>('SELECT name FROM parents ORDER BY id');
    expect(parents.map((p) => p.name)).toEqual(['one', 'two\ttabbed', 'café']);
    const reasons = await twins.threaded.db.query<{ reason: string }>('SELECT reason FROM replicate.rejected_rows ORDER BY row_key');
    expect(reasons.map((r) => r.reason).join('\n')).toMatch(/abc[\s\S]*12\.345[\s\S]*NUL/);
    const waiting = await twins.threaded.db.query<{ parent_key: string }>('SELECT parent_key FROM replicate.skipped_rows');
    expect(waiting.map((w) => w.parent_key).join()).toContain('99');
  });
});
