/**
 * Two tills and the office share one PostgreSQL. A till's copy of a row can be older than
 * PostgreSQL's: it pulled the row before the office changed it, or it pushes everything again
 * (`--full`, a first push after `reset --new-id`). Such a stale copy never replaces the newer
 * row, and the run says how many it left. The other way too: a pull never overwrites a
 * correction the cashier made after PostgreSQL's version, and the next push sends it.
 * Latest wins, by the cursor (DESIGN.md, "Conflicts"), also for the FK columns of a cycle that
 * a run writes in its second pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';
import { runCli } from './harness/cli.js';
import { createReplicator } from '../src/index.js';
import { createTuiStore } from '../src/tui/state/tui-store.js';

const PG = `CREATE TABLE prices (sku text PRIMARY KEY, price numeric(10,2) NOT NULL, updated_at timestamptz NOT NULL);`;
const SQLITE = `CREATE TABLE prices (sku TEXT PRIMARY KEY, price NUMERIC NOT NULL, updated_at TEXT NOT NULL);`;

let till: ReplicationPair;
let org: ReplicationPair;
// the story's clock: the n-th change of the story happens n minutes after its start, an hour ago
// (in the past, so no run waits for the current second to end: engine/sqlite-tick-cap.ts)
const start = Date.now() - 60 * 60_000;
const at = (n: number): string => new Date(start + n * 60_000).toISOString();

function onTill(sql: string, ...params: unknown[]): void {
  const db = new Database(till.sqlitePath);
  db.prepare(sql).run(...params);
  db.close();
}

const tillPrice = (sku: string): number => {
  const db = new Database(till.sqlitePath, { readonly: true });
  const row = db.prepare('SELECT price FROM prices WHERE sku = ?').get(sku) as { price: number };
  db.close();
  return row.price;
};

const office = async (sql: string, stamp: string): Promise<void> => {
  await till.db.query(sql, [stamp]);
};

const centralPrice = async (sku: string): Promise<string | undefined> =>
  (await till.db.query<{ price: string }>(`SELECT price::text AS price FROM prices WHERE sku = $1`, [sku]))[0]?.price;

beforeAll(async () => {
  till = await createReplicationPair(PG, SQLITE);
  onTill('INSERT INTO prices VALUES (?, 1.50, ?), (?, 2.00, ?), (?, 3.00, ?)', 'apple', at(0), 'bread', at(0), 'milk', at(0));
  expect((await till.run('sqlite-to-pg')).code).toBe(0);
  expect((await till.run('pg-to-sqlite')).code).toBe(0);
});
afterAll(async () => {
  await till.cleanup();
  await org?.cleanup();
});

describe("a till's stale copy of a row the office changed since", () => {
  it('does not replace it when the till pushes everything again, and the run says so', async () => {
    await office(`UPDATE prices SET price = 1.75, updated_at = $1 WHERE sku = 'apple'`, at(1));
    const push = await till.run('sqlite-to-pg', '--full');
    expect(push.code).toBe(0);
    expect(await centralPrice('apple')).toBe('1.75');
    const prices = push.json.tables.find((t) => t.name === 'prices') as { read: number; keptNewer?: number };
    expect(prices.read).toBe(3);
    expect(prices.keptNewer).toBe(1);

    // said in the plain output too; the till's older rows are still pushed where they are newer
    onTill('UPDATE prices SET price = 2.25, updated_at = ? WHERE sku = ?', at(2), 'bread');
    const plain = await runCli(['run', '--direction', 'sqlite-to-pg', ...till.flags, '--full'], { cwd: till.dir.path });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/prices: 3 read, 3 written, 1 left as the target has it \(its copy is newer\)/);
    expect(await centralPrice('bread')).toBe('2.25');
    expect(await centralPrice('apple')).toBe('1.75');

    // and in the TUI's Output (the same events, another reader)
    const store = createTuiStore({ sqliteLabel: 'till.db', postgresLabel: 'central', publishEveryMs: 200 });
    const replicator = createReplicator({ sqlitePath: till.sqlitePath, pgUrl: till.db.url });
    replicator.on('*', (e) => store.onEvent(e));
    store.runStarting({ direction: 'sqlite-to-pg', full: true, dryRun: false });
    await replicator.syncAll({ direction: 'sqlite-to-pg', full: true });
    store.flush();
    expect(store.getSnapshot().output.map((l) => l.text)).toContainEqual(expect.stringMatching(/^prices: 3 read, 3 written, 1 left as the target has it \(its copy is newer\)/));
    store.dispose();

    // the till's next pull brings the office's price
    expect((await till.run('pg-to-sqlite')).code).toBe(0);
    expect(tillPrice('apple')).toBe(1.75);
  });

  it('does not replace it when an incremental push sends back a row the till pulled before the change', async () => {
    // the office changes milk; the till pulls it; the office changes it again before the till pushes
    await office(`UPDATE prices SET price = 3.10, updated_at = $1 WHERE sku = 'milk'`, at(3));
    expect((await till.run('pg-to-sqlite')).code).toBe(0);
    expect(tillPrice('milk')).toBe(3.1);
    await office(`UPDATE prices SET price = 3.20, updated_at = $1 WHERE sku = 'milk'`, at(4));
    // the pulled milk row is above the till's push checkpoint: the push sends it back
    const push = await till.run('sqlite-to-pg');
    expect(push.code).toBe(0);
    const prices = push.json.tables.find((t) => t.name === 'prices') as { read: number; keptNewer?: number };
    expect(prices.read).toBe(1);
    expect(prices.keptNewer).toBe(1);
    expect(await centralPrice('milk')).toBe('3.20');
  });
});

describe("a cashier's correction newer than PostgreSQL's copy", () => {
  it('stays through a pull and reaches PostgreSQL with the next push', async () => {
    // the office reprices bread; right after, before the till syncs, the cashier corrects it
    await office(`UPDATE prices SET price = 2.40, updated_at = $1 WHERE sku = 'bread'`, at(5));
    onTill('UPDATE prices SET price = 2.45, updated_at = ? WHERE sku = ?', at(6), 'bread');
    const pull = await till.run('pg-to-sqlite');
    expect(pull.code).toBe(0);
    // read: bread, and milk's newer price from the office
    expect(pull.json.tables.find((t) => t.name === 'prices')?.read).toBe(2);
    expect(tillPrice('milk')).toBe(3.2);
    expect(tillPrice('bread')).toBe(2.45);
    expect((pull.json.tables.find((t) => t.name === 'prices') as { keptNewer?: number }).keptNewer).toBe(1);
    expect((await till.run('sqlite-to-pg')).code).toBe(0);
    expect(await centralPrice('bread')).toBe('2.45');
  });
});

describe("a till's stale copy of a row in an FK cycle", () => {
  it('leaves the column the second pass writes as the office set it', async () => {
    // departments.manager_id -> employees and employees.department_id -> departments: the plan defers manager_id
    org = await createReplicationPair(
      `CREATE TABLE departments (id integer PRIMARY KEY, name text NOT NULL, manager_id integer, updated_at timestamptz NOT NULL);
       CREATE TABLE employees (id integer PRIMARY KEY, department_id integer NOT NULL REFERENCES departments(id), updated_at timestamptz NOT NULL);
       ALTER TABLE departments ADD FOREIGN KEY (manager_id) REFERENCES employees(id);`,
      `CREATE TABLE departments (id INTEGER PRIMARY KEY, name TEXT NOT NULL, manager_id INTEGER REFERENCES employees(id), updated_at TEXT NOT NULL);
       CREATE TABLE employees (id INTEGER PRIMARY KEY, department_id INTEGER NOT NULL REFERENCES departments(id), updated_at TEXT NOT NULL);
       PRAGMA foreign_keys = OFF;
       INSERT INTO departments VALUES (1, 'Bakery', 1, '${at(0)}');
       INSERT INTO employees VALUES (1, 1, '${at(0)}'), (2, 1, '${at(0)}');`,
    );
    expect((await org.run('sqlite-to-pg')).code).toBe(0);
    // the office renames the bakery and makes employee 2 its manager
    await org.db.query(`UPDATE departments SET name = 'Bakery & Deli', manager_id = 2, updated_at = $1 WHERE id = 1`, [at(1)]);
    const push = await org.run('sqlite-to-pg', '--full');
    expect(push.code).toBe(0);
    expect(push.stdout).toContain('"keptNewer":1');
    expect(await org.db.query(`SELECT name, manager_id FROM departments`)).toEqual([{ name: 'Bakery & Deli', manager_id: 2 }]);
  });
});
