/**
 * A PostgreSQL transaction that stamps rows with now() but commits after a run has read
 * past that time is not jumped over: the run stops below the oldest open transaction's
 * start, and the next run picks the late rows up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `CREATE TABLE events (id integer PRIMARY KEY, what text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());`;
const SQLITE = `CREATE TABLE events (id INTEGER PRIMARY KEY, what TEXT NOT NULL, updated_at DATETIME NOT NULL);`;

let pair: ReplicationPair;
let slow: pg.Client;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  await pair.db.exec(`INSERT INTO events (id, what, updated_at) VALUES (1, 'early', now() - interval '1 hour')`);
  slow = new pg.Client({ connectionString: pair.db.url });
  await slow.connect();
});
afterAll(async () => {
  await slow.end();
  await pair.cleanup();
});

describe('a late commit', () => {
  it('is picked up by the next run', async () => {
    const initial = await pair.run('pg-to-sqlite');
    expect(initial.code).toBe(0);
    // the slow writer's transaction starts first: its rows carry this earlier now()
    await slow.query('BEGIN');
    await slow.query(`INSERT INTO events (id, what) VALUES (2, 'late commit')`);
    await new Promise((r) => setTimeout(r, 50));
    // a quick writer commits a row with a later updated_at
    await pair.db.exec(`INSERT INTO events (id, what) VALUES (3, 'committed after, stamped after')`);

    const first = await pair.run('pg-to-sqlite');
    expect(first.code).toBe(0);
    const s = pair.sqlite();
    expect((s.prepare('SELECT id FROM events ORDER BY id').all() as { id: bigint }[]).map((r) => r.id)).toEqual([1n]);

    await slow.query('COMMIT');
    const second = await pair.run('pg-to-sqlite');
    expect(second.code).toBe(0);
    expect((s.prepare('SELECT id FROM events ORDER BY id').all() as { id: bigint }[]).map((r) => r.id)).toEqual([1n, 2n, 3n]);
  });
});
