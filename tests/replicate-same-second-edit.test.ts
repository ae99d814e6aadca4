/**
 * A terminal stamps its rows with CURRENT_TIMESTAMP (whole seconds) and a trigger re-stamps
 * a row it edits. A run reads two new rows; in the same second the app edits the first one:
 * its stamp is the very stamp the run checkpointed at, its key lower than the
 * checkpoint's. A run reading a SQLite source therefore stops below the second it started
 * in, and the edit (like any row stamped in that second) lands with the next run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicator } from '../src/index.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL, updated_at timestamp NOT NULL);`;
const SQLITE = `
  CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);
  CREATE TRIGGER notes_touch AFTER UPDATE OF body ON notes BEGIN UPDATE notes SET updated_at = CURRENT_TIMESTAMP WHERE id = new.id; END;`;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
});
afterAll(() => pair.cleanup());

/** Resolves early in a second, so what follows (a few hundred ms) happens within it. */
async function startOfASecond(): Promise<void> {
  await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
}

describe('an edit made in the same second as a run', () => {
  it('reaches PostgreSQL with the next run', async () => {
    const replicator = createReplicator({ sqlitePath: pair.sqlitePath, pgUrl: pair.db.url });
    const app = pair.sqlite();
    // a first run of the empty table, so the modules are loaded and the next run is quick
    await replicator.syncAll({ direction: 'sqlite-to-pg' });

    await startOfASecond();
    app.exec(`INSERT INTO notes (id, body) VALUES (1, 'one'), (2, 'two')`);
    await replicator.syncAll({ direction: 'sqlite-to-pg' });
    app.exec(`UPDATE notes SET body = 'ONE edited' WHERE id = 1`);

    await startOfASecond();
    const next = await replicator.syncAll({ direction: 'sqlite-to-pg' });
    expect(next.status).toBe('done');
    expect(await pair.db.query('SELECT id, body FROM notes ORDER BY id')).toEqual([
      { id: 1, body: 'ONE edited' },
      { id: 2, body: 'two' },
    ]);
    // and nothing is read again once the second has passed
    const quiet = await replicator.syncAll({ direction: 'sqlite-to-pg' });
    expect(quiet.tables.map((t) => [t.table, t.read])).toEqual([['notes', 0]]);
  });
});
