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

/**
 * The same with a `timestamp` (no zone) cursor in a database whose sessions stamp New York
 * wall-clock time: the cap is taken in that zone, not in the run's own UTC session (which
 * put it five hours ahead of every stamp, so the late row was jumped over for good). East
 * of UTC the same mistake put the cap below every stamp: nothing was ever checkpointed and
 * every run copied the whole table again.
 */
describe('a late commit stamped in local wall-clock time (timestamp without time zone)', () => {
  // the app's sessions (opened after the database got its zone): a slow writer and a quick one
  const zoned = async (zone: string): Promise<{ pair: ReplicationPair; slow: pg.Client; quick: pg.Client }> => {
    const p = await createReplicationPair(PG.replace('timestamptz', 'timestamp'), SQLITE);
    await p.db.exec(`ALTER DATABASE "${p.db.name}" SET TimeZone = '${zone}'`);
    const [c, q] = [new pg.Client({ connectionString: p.db.url }), new pg.Client({ connectionString: p.db.url })];
    await c.connect();
    await q.connect();
    await q.query(`INSERT INTO events (id, what, updated_at) VALUES (1, 'early', now() - interval '1 hour')`);
    return { pair: p, slow: c, quick: q };
  };
  const ids = (p: ReplicationPair): bigint[] => (p.sqlite().prepare('SELECT id FROM events ORDER BY id').all() as { id: bigint }[]).map((r) => r.id);

  it('west of UTC: is picked up by the next run', async () => {
    const { pair: p, slow: c, quick: q } = await zoned('America/New_York');
    try {
      expect((await p.run('pg-to-sqlite')).code).toBe(0);
      await c.query('BEGIN');
      await c.query(`INSERT INTO events (id, what) VALUES (2, 'late commit')`);
      await new Promise((r) => setTimeout(r, 50));
      await q.query(`INSERT INTO events (id, what) VALUES (3, 'committed after, stamped after')`);
      expect((await p.run('pg-to-sqlite')).code).toBe(0);
      expect(ids(p)).toEqual([1n]);
      await c.query('COMMIT');
      expect((await p.run('pg-to-sqlite')).code).toBe(0);
      expect(ids(p)).toEqual([1n, 2n, 3n]);
    } finally {
      await c.end();
      await q.end();
      await p.cleanup();
    }
  });

  it('east of UTC: rows are checkpointed, so a run with nothing new reads nothing', async () => {
    const { pair: p, slow: c, quick: q } = await zoned('Asia/Tokyo');
    try {
      const first = await p.run('pg-to-sqlite');
      expect(first.code).toBe(0);
      expect(first.json.tables[0]?.read).toBe(1);
      const again = await p.run('pg-to-sqlite');
      expect(again.code).toBe(0);
      expect(again.json.tables[0]?.read).toBe(0);
      expect(ids(p)).toEqual([1n]);
    } finally {
      await c.end();
      await q.end();
      await p.cleanup();
    }
  });
});
