/**
 * The commands behind the TUI's palette, on a real pair: a run goes in the background and
 * fills the store, a second request while it runs gets a notice, a dry run shows the plan,
 * a run started before anything was loaded (`run --tui`) shows its connections up while it
 * copies, retry finds the direction whose rows wait, reset forgets the open table's checkpoint, and
 * a failure becomes a notice on screen with the password masked, never an exception.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTuiStore, type TuiStore } from '../src/tui/state/tui-store.js';
import { createTuiController, type TuiController } from '../src/tui/controller/tui-controller.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';
import { adminUrl } from './harness/pg.js';
import { freePort } from '../src/pgserver/local-server.js';

const PG = `
  CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL);
  CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers(id), updated_at timestamptz NOT NULL);
  CREATE INDEX ON customers (updated_at); CREATE INDEX ON orders (updated_at);`;
const SQLITE = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, updated_at DATETIME NOT NULL);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), updated_at DATETIME NOT NULL);
  CREATE INDEX customers_updated ON customers (updated_at); CREATE INDEX orders_updated ON orders (updated_at);
  INSERT INTO customers VALUES (1, 'Ada', '2025-11-05T10:00:00.000Z');
  PRAGMA foreign_keys = OFF;
  INSERT INTO orders VALUES (10, 1, '2025-11-05T10:01:00.000Z'), (17, 999, '2025-11-05T10:02:00.000Z');`;

let pair: ReplicationPair;
let store: TuiStore;
let controller: TuiController;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  store = createTuiStore({ sqliteLabel: 'terminal.db', postgresLabel: 'pg' });
  controller = createTuiController({ sqlitePath: pair.sqlitePath, pgUrl: pair.db.url, schema: 'public', mappingsDir: pair.dir.file('mappings'), store, fixScriptPath: pair.dir.file('scripts/fix.sql') });
});
afterAll(async () => {
  store.dispose();
  await pair.cleanup();
});

const snap = () => {
  store.flush();
  return store.getSnapshot();
};

describe('TUI commands on a real pair', () => {
  it('loads: both connections up, tables in FK order, nothing waiting yet', async () => {
    await controller.load();
    const s = snap();
    expect(s.connections.sqlite.state).toBe('connected');
    expect(s.connections.postgres.state).toBe('connected');
    expect(s.tables.map((t) => t.name)).toEqual(['customers', 'orders']);
    expect(s.counts.waiting).toBe(0);
  });

  it('runs in the background; a second request meanwhile gets a notice, not a second run', async () => {
    const running = controller.run('sqlite-to-pg', false);
    expect(controller.running()).toBe(true);
    expect(await controller.verify()).toBeUndefined();
    expect(snap().notice?.text).toMatch(/run is still going/);
    const summary = await running;
    expect(summary?.status).toBe('waiting');
    expect(controller.running()).toBe(false);
    const orders = snap().tables.find((t) => t.name === 'orders');
    expect(orders?.waiting).toEqual([expect.objectContaining({ rowKey: '{"id":17}', parentTable: 'customers', parentKey: '{"id":999}' })]);
    // the Data tab's peek: the waiting row's values as the source holds them
    expect(orders?.waiting[0]?.values).toEqual({ id: '17', customer_id: '999', updated_at: '2025-11-05T10:02:00.000Z' });
    expect(snap().run.state).toBe('waiting');
  });

  it('a dry run puts the plan in Output and writes nothing', async () => {
    await controller.dryRun('sqlite-to-pg');
    const s = snap();
    expect(s.run.planText).toMatch(/customers/);
    expect(s.output.map((l) => l.text).join('\n')).toMatch(/dry run sqlite-to-pg: 2 tables/);
  });

  it('retry waiting rows runs the direction that holds them; the row lands once its parent exists', async () => {
    pair.sqlite().prepare(`INSERT INTO customers VALUES (999, 'Late', '2025-11-06T09:00:00.000Z')`).run();
    const summary = await controller.retryWaiting();
    expect(summary).toMatchObject({ direction: 'sqlite-to-pg', status: 'done' });
    expect(snap().counts.waiting).toBe(0);
    expect(await controller.retryWaiting()).toBeNull();
    expect(snap().notice?.text).toBe('no rows are waiting: nothing to retry');
  });

  it("reset forgets the open table's checkpoint", async () => {
    await controller.resetTable('orders');
    expect(snap().notice?.text).toMatch(/orders: checkpoint forgotten/);
    const rows = await pair.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM replicate.checkpoints WHERE table_name = 'orders'`);
    expect(rows[0]?.n).toBe('0');
    await controller.resetTable(null);
    expect(snap().notice?.text).toMatch(/open a table first/);
  });

  it('writes the fix script and regenerates the mapping files', async () => {
    await controller.writeFixScript();
    expect(snap().notice?.text).toMatch(/fix script .* written to .*fix\.sql/);
    await controller.regenerateMappings();
    expect(snap().output.map((l) => l.text).join('\n')).toMatch(/created .*orders\.ya?ml/);
  });

  it('a run started before anything was loaded (run --tui) shows both connections up while it copies', async () => {
    const s3 = createTuiStore({ sqliteLabel: 'terminal.db', postgresLabel: 'pg' });
    const seen: string[] = [];
    const c3 = createTuiController({
      sqlitePath: pair.sqlitePath,
      pgUrl: pair.db.url,
      schema: 'public',
      mappingsDir: pair.dir.file('mappings'),
      store: {
        ...s3,
        onEvent: (e) => {
          s3.onEvent(e);
          if (e.type !== 'batch') return;
          s3.flush();
          const { sqlite, postgres } = s3.getSnapshot().connections;
          seen.push(`${e.table}: sqlite ${sqlite.state}, postgres ${postgres.state}`);
        },
      },
      fixScriptPath: pair.dir.file('x.sql'),
    });
    expect(s3.getSnapshot().connections.postgres.state).toBe('unknown');
    expect((await c3.run('sqlite-to-pg', true))?.status).toBe('done');
    expect(seen).toContain('customers: sqlite connected, postgres connected');
    expect(seen.every((line) => line.endsWith('sqlite connected, postgres connected'))).toBe(true);
    s3.dispose();
  });

  it('a failure is a notice with the password masked, and the app goes on', async () => {
    const url = new URL(adminUrl());
    url.password = 'Sup3r-Secret-pw';
    url.port = String(await freePort());
    const s2 = createTuiStore({ sqliteLabel: 'terminal.db', postgresLabel: 'pg' });
    const c2 = createTuiController({ sqlitePath: pair.sqlitePath, pgUrl: url.toString(), schema: 'public', mappingsDir: pair.dir.file('mappings'), store: s2, fixScriptPath: pair.dir.file('x.sql') });
    await c2.load();
    s2.flush();
    const s = s2.getSnapshot();
    expect(s.notice?.level).toBe('error');
    expect(s.notice?.text).toMatch(/loading failed: cannot connect to PostgreSQL/);
    expect(s.connections.postgres.state).toBe('failed');
    expect(JSON.stringify(s)).not.toContain('Sup3r-Secret-pw');
    expect(await c2.run('sqlite-to-pg', false)).toBeNull();
    expect(s2.getSnapshot().run.state).toBe('failed');
    s2.dispose();
  });
});
