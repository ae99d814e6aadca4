/**
 * Two terminals sync into one PostgreSQL. Terminal A's first migration (`run
 * --create-missing`) is killed before its last table's primary key, foreign key and
 * indexes. Terminal B's next run, into the tables A created, does not wait for A to come
 * back: it builds the key before it upserts, adds the rest, and both terminals' `status`
 * then show nothing owed. A's own next run finishes its rows and finds nothing left to add.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './harness/cli.js';
import { cutOffRun } from './harness/cut-off-run.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';
import { createSqliteFile } from './harness/sqlite.js';

const SQLITE = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), placed_at TEXT NOT NULL);
  CREATE TABLE order_lines (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id), sku TEXT NOT NULL, qty INTEGER NOT NULL);
  CREATE INDEX order_lines_sku ON order_lines (sku);`;

const CUSTOMERS = 200;
const ORDERS = 4000;
const LINES = 40000;
/** terminal B's ids start here, so the two terminals' rows never collide */
const B_BASE = 1_000_000;
const B_LINES = 500;

/** `base`: where this terminal's ids start; B's orders belong to A's customers (already in PostgreSQL). */
function seed(path: string, base: number, lines: number, withCustomers: boolean): void {
  const s = new Database(path);
  s.transaction(() => {
    if (withCustomers) for (let i = 1; i <= CUSTOMERS; i++) s.prepare('INSERT INTO customers VALUES (?, ?, ?)').run(i, `c${i}@example.com`, `customer ${i}`);
    const orders = Math.ceil(lines / 10);
    for (let o = 1; o <= orders; o++) s.prepare('INSERT INTO orders VALUES (?, ?, ?)').run(base + o, (o % CUSTOMERS) + 1, `2025-11-${String(1 + (o % 28)).padStart(2, '0')}T10:00:00.000Z`);
    const line = s.prepare('INSERT INTO order_lines VALUES (?, ?, ?, ?)');
    for (let l = 1; l <= lines; l++) line.run(base + l, base + Math.floor((l - 1) / 10) + 1, `sku-${l % 97}`, l % 5);
  })();
  s.close();
}

let a: ReplicationPair;
let bFlags: string[];
beforeAll(async () => {
  a = await createReplicationPair('', SQLITE);
  seed(a.sqlitePath, 0, LINES, true);
  const bPath = a.dir.file('terminal-b.db');
  // terminal B knows A's customers by id but holds none of them (its app synced them down earlier)
  createSqliteFile(bPath, SQLITE.replace('REFERENCES customers(id)', ''));
  seed(bPath, B_BASE, B_LINES, false);
  bFlags = ['--sqlite', bPath, '--pg', a.db.url];
});
afterAll(() => a.cleanup());

async function owed(flags: string[]): Promise<{ table: string; kind: string; name: string }[]> {
  const r = await runCli(['status', ...flags, '--json'], { cwd: a.dir.path });
  expect(r.code, r.stderr).toBe(0);
  const status = JSON.parse(r.stdout) as { directions: { direction: string; owed: { table: string; kind: string; name: string }[] }[] };
  return status.directions.find((d) => d.direction === 'sqlite-to-pg')?.owed ?? [];
}

async function count(sql: string): Promise<number> {
  const r = await a.db.query<{ n: string }>(sql);
  return Number(r[0]?.n ?? 0);
}

const landed = (table: string): Promise<number> => count(`SELECT count(*)::text AS n FROM ${table}`).catch(() => 0);

describe("what one terminal's cut-off --create-missing run owes, another terminal's run adds", () => {
  it("terminal B's run builds the key A left owed before it upserts, and adds A's FK and index", async () => {
    await cutOffRun(a, ['--create-missing', '--batch-size', '500'], 'SIGKILL', async () => (await landed('order_lines')) > 0);
    expect(await count(`SELECT count(*)::text AS n FROM pg_constraint WHERE conrelid = 'order_lines'::regclass AND contype IN ('p', 'f')`)).toBe(0);
    const left = await owed(a.flags);
    expect(left.filter((o) => o.table === 'order_lines').map((o) => [o.kind, o.name])).toEqual([
      ['primary key', 'order_lines_pkey'],
      ['foreign key', 'order_lines_fk1'],
      ['index', 'order_lines_sku_idx'],
    ]);
    // B has never run: it sees what the target owes all the same
    expect(await owed(bFlags)).toEqual(left);

    const b = await runCli(['run', '--direction', 'sqlite-to-pg', ...bFlags, '--json'], { cwd: a.dir.path });
    expect(b.code, b.stderr).toBe(0);
    expect(await owed(bFlags)).toEqual([]);
    expect(await owed(a.flags)).toEqual([]);
    const constraints = await a.db.query(
      `SELECT conname::text, pg_get_constraintdef(oid) AS def, convalidated FROM pg_constraint WHERE conrelid = 'order_lines'::regclass ORDER BY 1`,
    );
    expect(constraints).toEqual([
      { conname: 'order_lines_fk1', def: 'FOREIGN KEY (order_id) REFERENCES orders(id)', convalidated: true },
      { conname: 'order_lines_pkey', def: 'PRIMARY KEY (id)', convalidated: true },
    ]);
    expect(await a.db.query(`SELECT indexname::text FROM pg_indexes WHERE tablename = 'order_lines' ORDER BY 1`)).toEqual([
      { indexname: 'order_lines_pkey' },
      { indexname: 'order_lines_sku_idx' },
    ]);
    expect(await count(`SELECT count(*)::text AS n FROM order_lines WHERE id > ${B_BASE}`)).toBe(B_LINES);
  });

  it("an entry another terminal's run completed meanwhile is only forgotten", async () => {
    // as if A's run had read the list just before B's run added the index
    await a.db.exec(
      `INSERT INTO replicate.owed_constraints (sqlite_id, postgres_id, direction, table_name, name, kind, statement, detail, parent_table, seq, since)
       SELECT 'another-terminal', postgres_id, direction, 'order_lines', 'order_lines_sku_idx', 'index',
              'CREATE INDEX order_lines_sku_idx ON public.order_lines (sku)', '(sku)', NULL, 99, now()
         FROM replicate.runs WHERE direction = 'sqlite-to-pg' LIMIT 1`,
    );
    expect((await owed(bFlags)).map((o) => o.name)).toEqual(['order_lines_sku_idx']);
    const b = await runCli(['run', '--direction', 'sqlite-to-pg', ...bFlags, '--json'], { cwd: a.dir.path });
    expect(b.code, b.stderr).toBe(0);
    expect(await owed(bFlags)).toEqual([]);
  });

  it("A's own next run lands the rest of its rows, with nothing left to add", async () => {
    const r = await a.run('sqlite-to-pg');
    expect(r.code, r.stderr).toBe(0);
    expect(await count(`SELECT count(*)::text AS n FROM order_lines WHERE id <= ${LINES}`)).toBe(LINES);
    expect(await count(`SELECT count(*)::text AS n FROM order_lines`)).toBe(LINES + B_LINES);
    expect(await count(`SELECT count(*)::text AS n FROM orders`)).toBe(ORDERS + B_LINES / 10);
    expect(await owed(a.flags)).toEqual([]);
  });
});
