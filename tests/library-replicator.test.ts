/**
 * An app embeds replicate as a library: createReplicator(config), listen to its events,
 * sync everything or one table, and read the status, with no CLI in between.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicator, type ReplicationEvent } from '../src/index.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `
  CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL);
  CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers(id), updated_at timestamptz NOT NULL);`;
const SQLITE = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, updated_at DATETIME NOT NULL);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), updated_at DATETIME NOT NULL);
  INSERT INTO customers VALUES (1, 'Ada', '2025-11-05T10:00:00.000Z');
  PRAGMA foreign_keys = OFF;
  INSERT INTO orders VALUES (10, 1, '2025-11-05T10:01:00.000Z'), (11, 7, '2025-11-05T10:02:00.000Z');`;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
});
afterAll(() => pair.cleanup());

describe('createReplicator', () => {
  it('syncs everything, emits typed events, and reports status', async () => {
    const replicator = createReplicator({ sqlitePath: pair.sqlitePath, pgUrl: pair.db.url });
    const events: ReplicationEvent[] = [];
    const skipped: string[] = [];
    replicator.on('*', (e) => events.push(e));
    replicator.on('skip', (e) => skipped.push(`${e.table} -> ${e.parentTable}`));

    const summary = await replicator.syncAll({ direction: 'sqlite-to-pg' });
    expect(summary.status).toBe('waiting');
    expect(summary.waiting).toEqual({ skipped: 1, rejected: 0 });
    expect(summary.tables.map((t) => [t.table, t.written])).toEqual([
      ['customers', 1],
      ['orders', 1],
    ]);
    expect(skipped).toEqual(['orders -> customers']);
    expect(events[0]?.type).toBe('plan');
    expect(events.at(-1)?.type).toBe('run-end');

    const status = await replicator.status();
    const up = status.directions.find((d) => d.direction === 'sqlite-to-pg');
    expect(up?.summary.skipped).toEqual([expect.objectContaining({ table: 'orders', count: 1 })]);
    expect(up?.oldestWaiting[0]).toMatchObject({ table: 'orders', parentTable: 'customers', fkColumns: ['customer_id'] });
  });

  it('syncs one table on request', async () => {
    const replicator = createReplicator({ sqlitePath: pair.sqlitePath, pgUrl: pair.db.url });
    pair.sqlite().prepare(`INSERT INTO customers VALUES (7, 'Grace', '2025-11-06T09:00:00.000Z')`).run();
    const only = await replicator.syncTable('customers', 'sqlite-to-pg');
    expect(only.tables.map((t) => t.table)).toEqual(['customers']);
    const all = await replicator.syncAll({ direction: 'sqlite-to-pg' });
    expect(all.status).toBe('done');
    expect(await pair.db.query('SELECT id FROM orders ORDER BY id')).toEqual([{ id: 10 }, { id: 11 }]);
  });
});
