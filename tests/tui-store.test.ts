/**
 * The TUI watches a real replication through its store: the snapshot it publishes lists
 * the tables in FK order with their badges, the row waiting on a missing parent with its
 * exact child and parent keys, the rejected row with its reason, the drift findings and
 * the run log; counts stay exact across runs; a first migration's owed foreign keys and
 * indexes show until status says they were added; and snapshots are coalesced, not one per event,
 * once a second while a run goes (every two seconds while the machine's cores, or the engine's own thread, are all busy),
 * with its plan and its end shown at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicator, type ReplicationEvent } from '../src/index.js';
import { readStatus } from '../src/replicator/engine/pair-status.js';
import { createTuiStore, type TuiStore } from '../src/tui/state/tui-store.js';
import { threadBusySampler } from '../src/tui/state/frame-pace.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `
  CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL);
  CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers(id), qty integer NOT NULL, updated_at timestamptz NOT NULL);
  CREATE INDEX ON customers (updated_at); CREATE INDEX ON orders (updated_at);`;
const SQLITE = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, updated_at DATETIME NOT NULL, note TEXT);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), qty INTEGER NOT NULL, updated_at DATETIME NOT NULL);
  CREATE INDEX customers_updated ON customers (updated_at); CREATE INDEX orders_updated ON orders (updated_at);
  INSERT INTO customers VALUES (1, 'Ada', '2025-11-05T10:00:00.000Z', NULL), (2, 'Grace', '2025-11-05T10:00:00.000Z', NULL);
  PRAGMA foreign_keys = OFF;
  INSERT INTO orders VALUES (10, 1, 3, '2025-11-05T10:01:00.000Z'), (17, 999, 1, '2025-11-05T10:02:00.000Z'),
                            (18, 2, 'many', '2025-11-05T10:03:00.000Z'), (19, 2, 5, '2025-11-05T10:04:00.000Z');`;

let pair: ReplicationPair;
let config: { sqlitePath: string; pgUrl: string };
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  config = { sqlitePath: pair.sqlitePath, pgUrl: pair.db.url };
});
afterAll(() => pair.cleanup());

function watchedStore(): { store: TuiStore; events: ReplicationEvent[]; replicator: ReturnType<typeof createReplicator> } {
  const store = createTuiStore({ sqliteLabel: 'terminal.db', postgresLabel: 'postgres://u@h:5432/db', publishEveryMs: 200 });
  const replicator = createReplicator(config);
  const events: ReplicationEvent[] = [];
  replicator.on('*', (e) => {
    events.push(e);
    store.onEvent(e);
  });
  return { store, events, replicator };
}

const badgeKinds = (store: TuiStore, table: string): string[] => store.getSnapshot().tables.find((t) => t.name === table)?.badges.map((b) => b.kind) ?? [];

describe('the TUI store watching a replication', () => {
  it('shows verify results: tables in FK order, drift findings, each mapping as YAML', async () => {
    const { store, replicator } = watchedStore();
    store.applyVerify(await replicator.verifySchemas());
    store.flush();
    const s = store.getSnapshot();
    expect(s.tables.map((t) => t.name)).toEqual(['customers', 'orders']);
    const customers = s.tables[0];
    expect(customers?.findings).toContainEqual(expect.objectContaining({ table: 'customers', column: 'note' }));
    expect(customers?.sqlite?.columns.map((c) => c.name)).toContain('note');
    expect(customers?.postgres?.columns.map((c) => c.name)).not.toContain('note');
    expect(s.tables[1]?.mappingYaml).toMatch(/table: orders/);
    expect(s.counts.errors + s.counts.warnings).toBeGreaterThan(0);
    store.dispose();
  });

  it('folds a run: progress, the waiting row with child and parent keys, the reject with its reason, the log', async () => {
    const { store, replicator } = watchedStore();
    store.applyVerify(await replicator.verifySchemas());
    store.runStarting({ direction: 'sqlite-to-pg', full: false, dryRun: false });
    const summary = await replicator.syncAll({ direction: 'sqlite-to-pg' });
    expect(summary.status).toBe('waiting');
    store.flush();
    const s = store.getSnapshot();
    expect(s.run).toMatchObject({ state: 'waiting', direction: 'sqlite-to-pg', totalRead: 6, totalEstimated: 6 });
    const orders = s.tables.find((t) => t.name === 'orders');
    expect(orders?.progress).toMatchObject({ state: 'done', done: 4, written: 2, skipped: 1, rejected: 1 });
    expect(orders?.waiting).toEqual([expect.objectContaining({ rowKey: '{"id":17}', parentTable: 'customers', parentKey: '{"id":999}', fkColumns: ['customer_id'] })]);
    expect(orders?.rejected).toEqual([expect.objectContaining({ rowKey: '{"id":18}', column: 'qty' })]);
    expect(orders?.rejected[0]?.reason).toMatch(/many/);
    expect(badgeKinds(store, 'orders')).toEqual(['waiting', 'rejected']);
    expect(badgeKinds(store, 'customers')).toContain('in-sync');
    expect(s.counts).toMatchObject({ waiting: 1, rejected: 1 });
    const log = s.output.map((l) => l.text).join('\n');
    expect(log).toContain('orders {"id":17} waits for customers {"id":999} (customer_id)');
    expect(log).toContain('orders {"id":18} rejected (qty)');
    expect(s.notice?.text).toMatch(/waiting/);
    store.dispose();
  });

  it('keeps counts exact on the next run (the ledger retry re-skips the same row) and agrees with status', async () => {
    const { store, replicator } = watchedStore();
    store.applyVerify(await replicator.verifySchemas());
    store.applyStatus(await readStatus(config, 200));
    store.flush();
    expect(store.getSnapshot().counts).toMatchObject({ waiting: 1, rejected: 1 });
    const before = store.getSnapshot().tables.find((t) => t.name === 'orders')?.waiting[0];
    expect(before).toMatchObject({ rowKey: '{"id":17}', parentKey: '{"id":999}', attempts: 1 });

    store.runStarting({ direction: 'sqlite-to-pg', full: false, dryRun: false });
    await replicator.syncAll({ direction: 'sqlite-to-pg' });
    store.flush();
    const orders = store.getSnapshot().tables.find((t) => t.name === 'orders');
    expect(store.getSnapshot().counts).toMatchObject({ waiting: 1, rejected: 1 });
    expect(orders?.waiting).toEqual([expect.objectContaining({ rowKey: before?.rowKey, attempts: 2, firstSeen: before?.firstSeen })]);

    store.applyStatus(await readStatus(config, 200));
    store.flush();
    expect(store.getSnapshot().counts).toMatchObject({ waiting: 1, rejected: 1 });
    store.dispose();
  });

  it('drops the waiting row once its parent arrives, and the table shows in sync', async () => {
    const db = pair.sqlite();
    db.prepare(`INSERT INTO customers VALUES (999, 'Late', '2025-11-06T09:00:00.000Z', NULL)`).run();
    db.prepare(`UPDATE orders SET qty = 2, updated_at = '2025-11-06T09:00:00.000Z' WHERE id = 18`).run();
    const { store, replicator } = watchedStore();
    store.applyStatus(await readStatus(config, 200));
    store.runStarting({ direction: 'sqlite-to-pg', full: false, dryRun: false });
    const summary = await replicator.syncAll({ direction: 'sqlite-to-pg' });
    expect(summary.status).toBe('done');
    store.flush();
    const s = store.getSnapshot();
    expect(s.counts).toMatchObject({ waiting: 0, rejected: 0 });
    expect(s.tables.find((t) => t.name === 'orders')?.waiting).toEqual([]);
    expect(badgeKinds(store, 'orders')).toEqual(['in-sync']);
    store.dispose();
  });

  it('publishes a few snapshots, not one per event, however fast events come', async () => {
    const { store, events, replicator } = watchedStore();
    await replicator.syncAll({ direction: 'sqlite-to-pg', full: true });
    let published = 0;
    const quiet = createTuiStore({ sqliteLabel: 'a', postgresLabel: 'b', publishEveryMs: 200 });
    quiet.getSnapshot();
    quiet.subscribe(() => published++);
    for (let i = 0; i < 2000; i++) for (const e of events) quiet.onEvent(e);
    expect(published).toBe(0);
    await new Promise((r) => setTimeout(r, 350));
    expect(published).toBe(1);
    // 2000 replays of a full run, but the log stays bounded
    expect(quiet.getSnapshot().output.length).toBeLessThanOrEqual(500);
    quiet.dispose();
    store.dispose();
  });

  it('while a run goes, its progress shows at the slower running pace, but its plan and its end show at once', async () => {
    const { store, events, replicator } = watchedStore();
    await replicator.syncAll({ direction: 'sqlite-to-pg', full: true });
    const paced = createTuiStore({ sqliteLabel: 'a', postgresLabel: 'b', publishEveryMs: 50, publishRunningEveryMs: 5000 });
    const seen: string[] = [];
    paced.subscribe(() => seen.push(paced.getSnapshot().run.state));
    const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300));
    paced.runStarting({ direction: 'sqlite-to-pg', full: true, dryRun: false });
    expect(seen).toEqual(['planning']);
    const plan = events.findIndex((e) => e.type === 'plan');
    const end = events.findIndex((e) => e.type === 'run-end');
    paced.onEvent(events[plan]!);
    await settle();
    expect(seen).toEqual(['planning', 'running']);
    expect(paced.getSnapshot().tables.map((t) => t.name)).toEqual(['customers', 'orders']);
    for (const e of events.slice(plan + 1, end)) paced.onEvent(e);
    await settle();
    // batches and table ends wait for the running pace's next tick (5 s here)
    expect(seen).toEqual(['planning', 'running']);
    const last = events[end]!;
    paced.onEvent(last);
    await settle();
    expect(seen).toEqual(['planning', 'running', last.type === 'run-end' ? last.summary.status : 'none']);
    expect(['done', 'waiting']).toContain(seen[2]);
    paced.dispose();
    store.dispose();
  });

  it('while a run goes on a machine whose cores are all busy, its progress shows at the slower busy pace', async () => {
    let busy = false;
    const paced = createTuiStore({ sqliteLabel: 'a', postgresLabel: 'b', publishEveryMs: 50, publishRunningEveryMs: 1000, publishBusyEveryMs: 3000, machineBusy: () => busy, threadBusy: () => false });
    const at: number[] = [];
    paced.subscribe(() => at.push(Date.now()));
    paced.runStarting({ direction: 'sqlite-to-pg', full: true, dryRun: false });
    paced.setRunState('running');
    const next = async (): Promise<number> => {
      const n = at.length;
      while (at.length === n) await new Promise((r) => setTimeout(r, 20));
      return at[at.length - 1]!;
    };
    // CPU to spare: the elapsed time moves every second
    const a = await next();
    const b = await next();
    expect(b - a).toBeGreaterThanOrEqual(950);
    expect(b - a).toBeLessThan(2500);
    busy = true;
    // the next tick finds the cores busy: the one after it is 3 s away
    const c = await next();
    const d = await next();
    expect(d - c).toBeGreaterThanOrEqual(2950);
    paced.dispose();
  });

  it("while a run goes and the engine's own thread has no idle time, its progress shows at the slower busy pace", async () => {
    // the engine's thread is this one: a stretch of work with no idle time, then a wait
    const busy = threadBusySampler();
    const until = Date.now() + 300;
    while (Date.now() < until);
    expect(busy()).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(busy()).toBe(false);
    const paced = createTuiStore({ sqliteLabel: 'a', postgresLabel: 'b', publishEveryMs: 50, publishRunningEveryMs: 1000, publishBusyEveryMs: 2000, machineBusy: () => false, threadBusy: () => true });
    const at: number[] = [];
    paced.subscribe(() => at.push(Date.now()));
    paced.runStarting({ direction: 'sqlite-to-pg', full: true, dryRun: false });
    paced.setRunState('running');
    while (at.length < 4) await new Promise((r) => setTimeout(r, 20));
    // runStarting and setRunState publish at once; the ticks after them are 2 s apart, not 1 s
    expect(at[3]! - at[2]!).toBeGreaterThanOrEqual(1950);
    paced.dispose();
  });

  it('shows what a --create-missing run still owes each created table, until status says it was added', async () => {
    const fresh = await createReplicationPair('', SQLITE);
    try {
      const store = createTuiStore({ sqliteLabel: 'terminal.db', postgresLabel: 'postgres://u@h:5432/db', publishEveryMs: 200 });
      const replicator = createReplicator({ sqlitePath: fresh.sqlitePath, pgUrl: fresh.db.url });
      let whileLoading: Record<string, string[]> | null = null;
      replicator.on('*', (e) => {
        store.onEvent(e);
        if (e.type !== 'table-start' || whileLoading) return;
        // the first table starts loading: nothing is added yet, everything is owed
        store.flush();
        whileLoading = Object.fromEntries(store.getSnapshot().tables.map((t) => [t.name, t.owed.map((o) => `${o.kind}: ${o.detail}`)]));
      });
      store.runStarting({ direction: 'sqlite-to-pg', full: false, dryRun: false });
      await replicator.syncAll({ direction: 'sqlite-to-pg', createMissing: true });
      expect(whileLoading).toEqual({
        customers: ['primary key: (id)', 'index: (updated_at)'],
        orders: ['primary key: (id)', 'foreign key: (customer_id) -> customers (id)', 'index: (updated_at)'],
      });
      store.applyStatus(await readStatus({ sqlitePath: fresh.sqlitePath, pgUrl: fresh.db.url }));
      store.flush();
      expect(store.getSnapshot().tables.map((t) => t.owed)).toEqual([[], []]);
      store.dispose();
    } finally {
      await fresh.cleanup();
    }
  });
});
