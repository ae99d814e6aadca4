/**
 * A first migration into an empty PostgreSQL database (`run --create-missing`) that is
 * cut off partway, by SIGKILL or by Ctrl+C, before the last table's primary key, foreign
 * keys and indexes were added (integer primary keys are built after the data too, and so
 * are uuid and text ones while their values cannot collide). `status`
 * and `--dry-run` say what is still owed, and the next `run` (no --create-missing; any
 * --tables) adds it: the primary key before it upserts a row, every FK validated and every
 * index the SQLite schema implies, and, once all tables ran, the data equal to the source,
 * nothing twice.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './harness/cli.js';
import { cutOffRun } from './harness/cut-off-run.js';
import { createReplicationPair, diffContent, type ReplicationPair } from './harness/replication.js';

const SQLITE = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), placed_at TEXT NOT NULL);
  CREATE INDEX orders_placed ON orders (placed_at);
  CREATE TABLE order_lines (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id), line_no INTEGER NOT NULL, sku TEXT NOT NULL, qty INTEGER NOT NULL,
    UNIQUE (order_id, line_no));
  CREATE INDEX order_lines_sku ON order_lines (sku);`;

const CUSTOMERS = 200;
const ORDERS = 4000;
const LINES = 40000;

/** What the SQLite schema implies in PostgreSQL besides the primary keys. */
const FOREIGN_KEYS = [
  { rel: 'order_lines', conname: 'order_lines_fk1', def: 'FOREIGN KEY (order_id) REFERENCES orders(id)', convalidated: true },
  { rel: 'orders', conname: 'orders_fk1', def: 'FOREIGN KEY (customer_id) REFERENCES customers(id)', convalidated: true },
];
const INDEXES = [
  { tablename: 'customers', indexdef: 'CREATE UNIQUE INDEX customers_email_idx ON public.customers USING btree (email)' },
  { tablename: 'order_lines', indexdef: 'CREATE INDEX order_lines_sku_idx ON public.order_lines USING btree (sku)' },
  { tablename: 'order_lines', indexdef: 'CREATE UNIQUE INDEX order_lines_order_id_line_no_idx ON public.order_lines USING btree (order_id, line_no)' },
  { tablename: 'orders', indexdef: 'CREATE INDEX orders_placed_at_idx ON public.orders USING btree (placed_at)' },
];

const pairs: ReplicationPair[] = [];
afterAll(async () => {
  for (const p of pairs) await p.cleanup();
});

async function seededPair(): Promise<ReplicationPair> {
  const pair = await createReplicationPair('', SQLITE);
  pairs.push(pair);
  const s = pair.sqlite();
  s.transaction(() => {
    for (let i = 1; i <= CUSTOMERS; i++) s.prepare('INSERT INTO customers VALUES (?, ?, ?)').run(i, `c${i}@example.com`, `customer ${i}`);
    for (let o = 1; o <= ORDERS; o++) s.prepare('INSERT INTO orders VALUES (?, ?, ?)').run(o, (o % CUSTOMERS) + 1, `2025-11-${String(1 + (o % 28)).padStart(2, '0')}T10:00:00.000Z`);
    const line = s.prepare('INSERT INTO order_lines VALUES (?, ?, ?, ?, ?)');
    for (let l = 1; l <= LINES; l++) line.run(l, Math.floor((l - 1) / 10) + 1, ((l - 1) % 10) + 1, `sku-${l % 97}`, l % 5);
  })();
  s.close();
  return pair;
}

async function foreignKeys(pair: ReplicationPair): Promise<unknown[]> {
  return pair.db.query(
    `SELECT conrelid::regclass::text AS rel, conname::text, pg_get_constraintdef(oid) AS def, convalidated
       FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY 1, 2`,
  );
}

const PRIMARY_KEYS = [
  { rel: 'customers', def: 'PRIMARY KEY (id)' },
  { rel: 'order_lines', def: 'PRIMARY KEY (id)' },
  { rel: 'orders', def: 'PRIMARY KEY (id)' },
];

async function primaryKeys(pair: ReplicationPair): Promise<unknown[]> {
  return pair.db.query(`SELECT conrelid::regclass::text AS rel, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'p' AND connamespace = 'public'::regnamespace ORDER BY 1`);
}

async function indexes(pair: ReplicationPair): Promise<unknown[]> {
  return pair.db.query(`SELECT tablename::text, indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' ORDER BY 1, 2`);
}

async function landed(pair: ReplicationPair, table: string): Promise<number> {
  try {
    const r = await pair.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
    return Number(r[0]?.n ?? 0);
  } catch {
    return 0; // not created yet
  }
}

interface OwedJson {
  table: string;
  name: string;
  kind: string;
  statement: string;
}

async function owedByStatus(pair: ReplicationPair): Promise<OwedJson[]> {
  const r = await runCli(['status', ...pair.flags, '--json'], { cwd: pair.dir.path });
  expect(r.code, r.stderr).toBe(0);
  const status = JSON.parse(r.stdout) as { directions: { direction: string; owed: OwedJson[] }[] };
  return status.directions.find((d) => d.direction === 'sqlite-to-pg')?.owed ?? [];
}

async function expectCompleteCopy(pair: ReplicationPair): Promise<void> {
  expect(await primaryKeys(pair)).toEqual(PRIMARY_KEYS);
  expect(await foreignKeys(pair)).toEqual(FOREIGN_KEYS);
  expect(await indexes(pair)).toEqual(INDEXES);
  expect(await owedByStatus(pair)).toEqual([]);
  const same = (cols: string[]) => cols.map((c) => ({ pg: c, sqlite: c }));
  for (const [table, cols] of [
    ['customers', ['id', 'email', 'name']],
    ['orders', ['id', 'customer_id', 'placed_at']],
    ['order_lines', ['id', 'order_id', 'line_no', 'sku', 'qty']],
  ] as const) {
    expect(await diffContent(pair.db, pair.sqlitePath, { pg: table, sqlite: table }, same([...cols])), table).toEqual({ onlyInSqlite: [], onlyInPostgres: [] });
  }
}

describe('a --create-missing migration cut off before its last constraints', () => {
  it('killed with SIGKILL: status and --dry-run show what is owed; a plain run adds it all', async () => {
    const pair = await seededPair();
    // killed once the last table (order_lines) has rows: its FK and indexes come after its data
    await cutOffRun(pair, ['--create-missing', '--batch-size', '500'], 'SIGKILL', async () => (await landed(pair, 'order_lines')) > 0);
    const partial = await landed(pair, 'order_lines');
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(LINES);
    expect((await foreignKeys(pair)).filter((fk) => (fk as { rel: string }).rel === 'order_lines')).toEqual([]);
    // killed between the last table's data and its primary key
    expect((await primaryKeys(pair)).filter((pk) => (pk as { rel: string }).rel === 'order_lines')).toEqual([]);

    const owed = await owedByStatus(pair);
    expect(owed.filter((o) => o.table === 'order_lines').map((o) => [o.kind, o.name])).toEqual([
      ['primary key', 'order_lines_pkey'],
      ['foreign key', 'order_lines_fk1'],
      ['index', 'order_lines_sku_idx'],
      ['index', 'order_lines_order_id_line_no_idx'],
    ]);
    const status = await runCli(['status', ...pair.flags], { cwd: pair.dir.path });
    expect(status.stdout).toMatch(/owed +order_lines +foreign key order_lines_fk1 \(order_id\) -> orders \(id\)/);
    expect(status.stdout).toMatch(/owed +order_lines +index order_lines_sku_idx \(sku\)/);

    const dry = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--dry-run'], { cwd: pair.dir.path });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("Owed to tables a cut-off --create-missing run created (added once their tables' rows are in):");
    expect(dry.stdout).toContain('  order_lines: foreign key order_lines_fk1 (order_id) -> orders (id)');
    expect(dry.stdout).toContain('  order_lines: index order_lines_order_id_line_no_idx UNIQUE (order_id, line_no)');
    const dryJson = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--dry-run', '--json'], { cwd: pair.dir.path });
    expect((JSON.parse(dryJson.stdout) as { owed: OwedJson[] }).owed.map((o) => o.name)).toEqual(owed.map((o) => o.name));
    expect(await owedByStatus(pair), '--dry-run adds nothing').toEqual(owed);

    // as if the kill had come between adding the FK (NOT VALID) and validating it; the
    // key it references was built before it (the run may have been killed before that too)
    for (const o of owed.filter((x) => x.table === 'orders' && x.kind === 'primary key')) await pair.db.exec(o.statement);
    const fk = owed.find((o) => o.name === 'order_lines_fk1');
    await pair.db.exec(fk?.statement ?? 'missing');

    // the next run upserts into order_lines (ON CONFLICT on its key): its key comes first
    const r = await pair.run('sqlite-to-pg');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('order_lines_pkey'); // built, not reported as failing
    await expectCompleteCopy(pair);
    expect(await pair.run('sqlite-to-pg').then((again) => again.code)).toBe(0);
    await expectCompleteCopy(pair);
  });

  it('a table keyed by uuid texts killed mid-load: the next run builds its key first and ends equal to the source', async () => {
    const pair = await createReplicationPair('', 'CREATE TABLE visits (id TEXT NOT NULL PRIMARY KEY, store TEXT NOT NULL, n INTEGER NOT NULL);');
    pairs.push(pair);
    const s = pair.sqlite();
    const VISITS = 30000;
    s.transaction(() => {
      const visit = s.prepare('INSERT INTO visits VALUES (?, ?, ?)');
      for (let i = 1; i <= VISITS; i++) visit.run(randomUUID(), `store-${i % 7}`, i);
    })();
    s.close();
    await cutOffRun(pair, ['--create-missing', '--batch-size', '500'], 'SIGKILL', async () => (await landed(pair, 'visits')) > 0);
    const partial = await landed(pair, 'visits');
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(VISITS);
    expect((await primaryKeys(pair)).filter((pk) => (pk as { rel: string }).rel === 'visits')).toEqual([]);
    expect((await owedByStatus(pair)).map((o) => [o.kind, o.name])).toEqual([['primary key', 'visits_pkey']]);

    // the next run upserts into visits (ON CONFLICT on its key): its key comes first
    const r = await pair.run('sqlite-to-pg');
    expect(r.code, r.stderr).toBe(0);
    expect(await primaryKeys(pair)).toEqual([{ rel: 'visits', def: 'PRIMARY KEY (id)' }]);
    expect(await owedByStatus(pair)).toEqual([]);
    expect(await landed(pair, 'visits')).toBe(VISITS);
    const same = (cols: string[]) => cols.map((c) => ({ pg: c, sqlite: c }));
    expect(await diffContent(pair.db, pair.sqlitePath, { pg: 'visits', sqlite: 'visits' }, same(['id', 'store', 'n']))).toEqual({ onlyInSqlite: [], onlyInPostgres: [] });
  });

  it('stopped with Ctrl+C: exit 130, and the next run, even of other tables, adds what is owed', async () => {
    const pair = await seededPair();
    const stopped = await cutOffRun(pair, ['--create-missing', '--batch-size', '500'], 'SIGINT', async (out) => /order_lines: [\d,]+ read/.test(out));
    expect(stopped.code, stopped.err).toBe(130);
    expect(stopped.out).toMatch(/created on the target: customers, order_lines, orders|created on the target: customers, orders, order_lines/);
    expect(await landed(pair, 'order_lines')).toBeLessThan(LINES);
    expect((await owedByStatus(pair)).map((o) => o.name)).toEqual(expect.arrayContaining(['order_lines_fk1', 'order_lines_sku_idx']));

    // a run of another table only adds them too (nothing writes order_lines meanwhile; the rows in have their parents)
    const some = await pair.run('sqlite-to-pg', '--tables', 'customers');
    expect(some.code, some.stderr).toBe(0);
    expect(await owedByStatus(pair)).toEqual([]);
    expect(await foreignKeys(pair)).toEqual(FOREIGN_KEYS);
    expect(await landed(pair, 'order_lines')).toBeLessThan(LINES);

    const r = await pair.run('sqlite-to-pg');
    expect(r.code, r.stderr).toBe(0);
    await expectCompleteCopy(pair);
  });
});
