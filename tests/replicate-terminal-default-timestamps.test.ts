/**
 * A terminal's table stamps its rows with `DEFAULT CURRENT_TIMESTAMP` ('2026-12-02 10:47:32').
 * Rows pulled from PostgreSQL into it while it is empty are written in that same format
 * (with the microseconds they have), not as ISO text with T and Z: SQLite compares the
 * cursor as text, and a space sorts before 'T', so a row the terminal writes later the same
 * day would sort below the pulled rows and the next push would never send it. The same
 * holds for a table `--create-missing` makes on the terminal (its column gets that default).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

// stamped a few seconds ago, so the terminal's own row (stamped now) is the latest of the day
const PG = `
  CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL, updated_at timestamptz NOT NULL);
  INSERT INTO notes VALUES (1, 'from the server', now() - interval '5 seconds'), (2, 'from the server too', now() - interval '4 seconds');`;

const SPACE_WITH_MICROS = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/;

async function pushesTheTerminalsOwnRow(pair: ReplicationPair): Promise<void> {
  const pulled = pair.sqlite().prepare('SELECT updated_at FROM notes ORDER BY id').pluck().all() as string[];
  expect(pulled).toHaveLength(2);
  for (const v of pulled) expect(v).toMatch(SPACE_WITH_MICROS);

  const first = await pair.run('sqlite-to-pg');
  expect(first.code, first.stderr).toBe(0);
  // the app adds a note the way it always does: the default stamps it
  pair.sqlite().exec(`INSERT INTO notes (id, body) VALUES (3, 'made on the terminal')`);
  // a push stops below the second it starts in (sqlite-tick-cap.ts): the next one carries it
  await new Promise((r) => setTimeout(r, 1100));
  const push = await pair.run('sqlite-to-pg');
  expect(push.code, push.stderr).toBe(0);
  expect(push.json.tables.find((t) => t.name === 'notes')?.written).toBe(1);
  const rows = await pair.db.query<{ id: number; body: string }>('SELECT id, body FROM notes ORDER BY id');
  expect(rows).toEqual([
    { id: 1, body: 'from the server' },
    { id: 2, body: 'from the server too' },
    { id: 3, body: 'made on the terminal' },
  ]);
}

describe("rows pulled into a terminal's empty table take the format of its CURRENT_TIMESTAMP default", () => {
  let pair: ReplicationPair;
  beforeAll(async () => {
    pair = await createReplicationPair(PG, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);`);
  });
  afterAll(() => pair.cleanup());

  it('and a note the terminal writes after the pull reaches PostgreSQL', async () => {
    const pull = await pair.run('pg-to-sqlite');
    expect(pull.code, pull.stderr).toBe(0);
    await pushesTheTerminalsOwnRow(pair);
  });
});

describe('a table --create-missing makes on the terminal', () => {
  let pair: ReplicationPair;
  beforeAll(async () => {
    pair = await createReplicationPair(PG.replace("updated_at timestamptz NOT NULL", 'updated_at timestamptz NOT NULL DEFAULT now()'), `CREATE TABLE app_settings (k TEXT PRIMARY KEY, v TEXT);`);
  });
  afterAll(() => pair.cleanup());

  it('gets the default and the same format, so the terminal’s own notes go up too', async () => {
    const pull = await pair.run('pg-to-sqlite', '--create-missing');
    expect(pull.code, pull.stderr).toBe(0);
    const ddl = pair.sqlite().prepare(`SELECT sql FROM sqlite_master WHERE name = 'notes'`).pluck().get() as string;
    expect(ddl).toMatch(/DEFAULT CURRENT_TIMESTAMP/i);
    await pushesTheTerminalsOwnRow(pair);
  });
});
