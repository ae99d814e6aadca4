/**
 * "A stale copy never wins" at its edges (README, Replication; the main story is in
 * replicate-stale-copy-never-wins.test.ts): a pull compares SQLite's cursor text as the
 * instants it stands for (a till that stamps its rows with its own offset, or with
 * CURRENT_TIMESTAMP beside the ISO text pulls write); a row that lands from a ledger is
 * counted as left when the target's copy is newer; a push that waited for another writer of
 * the same PostgreSQL row counts the row it left; key translation without a UNIQUE index on
 * server_id; a push batch isolated row by row; a row a PostgreSQL trigger stamps as it is
 * written is counted as written, not as left.
 */
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';
import { spawnLiveCli } from './harness/cli.js';

const PG = `CREATE TABLE prices (sku text PRIMARY KEY, price numeric(10,2) NOT NULL, updated_at timestamptz NOT NULL);`;

// the story's clock: the n-th change happens n minutes after its start, an hour ago
const start = Date.now() - 60 * 60_000;
const at = (n: number): Date => new Date(start + n * 60_000);
const isoZ = (d: Date): string => d.toISOString();
/** as a till two hours east of UTC stamps it: 12:00:00.000+02:00 for 10:00Z */
const isoPlus2 = (d: Date): string => new Date(d.getTime() + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
/** as SQLite's CURRENT_TIMESTAMP writes it */
const sqliteNow = (d: Date): string => d.toISOString().slice(0, 19).replace('T', ' ');

const pairs: ReplicationPair[] = [];
afterEach(async () => {
  for (const p of pairs.splice(0)) await p.cleanup();
});

async function pairOf(sqlite: string): Promise<ReplicationPair> {
  const p = await createReplicationPair(PG, sqlite);
  pairs.push(p);
  return p;
}

function onTill(p: ReplicationPair, sql: string, ...params: unknown[]): void {
  const db = new Database(p.sqlitePath);
  db.prepare(sql).run(...params);
  db.close();
}

const tillRow = (p: ReplicationPair, sku: string): { price: number; updated_at: string } => {
  const db = new Database(p.sqlitePath, { readonly: true });
  const row = db.prepare('SELECT price, updated_at FROM prices WHERE sku = ?').get(sku) as { price: number; updated_at: string };
  db.close();
  return row;
};

const keptOf = (r: { json: { tables: { name: string }[] } }, table: string): number | undefined =>
  (r.json.tables.find((t) => t.name === table) as { keptNewer?: number } | undefined)?.keptNewer;

describe('a till whose cursor text is not UTC with Z', () => {
  it('with its own offset gets the office\'s later price (12:00+02:00 is 10:00Z, before 10:05Z)', async () => {
    const till = await pairOf(`CREATE TABLE prices (sku TEXT PRIMARY KEY, price NUMERIC NOT NULL, updated_at TEXT NOT NULL);`);
    onTill(till, 'INSERT INTO prices VALUES (?, 1.50, ?), (?, 2.00, ?)', 'apple', isoPlus2(at(0)), 'bread', isoPlus2(at(0)));
    expect((await till.run('sqlite-to-pg')).code).toBe(0);
    // the office reprices apple five minutes later; the till has not touched it since
    await till.db.query(`UPDATE prices SET price = 1.75, updated_at = $1 WHERE sku = 'apple'`, [isoZ(at(5))]);
    const pull = await till.run('pg-to-sqlite');
    expect(pull.code, pull.stderr).toBe(0);
    expect(tillRow(till, 'apple').price).toBe(1.75);
    expect(keptOf(pull, 'prices')).toBeUndefined();

    // and a correction the cashier makes after that, stamped in the till's offset, stays through a pull
    onTill(till, 'UPDATE prices SET price = 1.80, updated_at = ? WHERE sku = ?', isoPlus2(at(6)), 'apple');
    await till.db.query(`UPDATE prices SET price = 1.70, updated_at = $1 WHERE sku = 'apple'`, [isoZ(at(5.5))]);
    const again = await till.run('pg-to-sqlite');
    expect(again.code, again.stderr).toBe(0);
    expect(tillRow(till, 'apple').price).toBe(1.8);
    expect(keptOf(again, 'prices')).toBe(1);
  });

  it("stamped with CURRENT_TIMESTAMP beside pulled ISO text keeps the cashier's later correction", async () => {
    const till = await pairOf(`CREATE TABLE prices (sku TEXT PRIMARY KEY, price NUMERIC NOT NULL, updated_at TEXT NOT NULL);`);
    // the rows came from PostgreSQL (ISO with T and Z); the app stamps its edits as SQLite's CURRENT_TIMESTAMP does
    await till.db.query(`INSERT INTO prices VALUES ('apple', 1.50, $1), ('bread', 2.00, $1), ('milk', 3.00, $1)`, [isoZ(at(0))]);
    expect((await till.run('pg-to-sqlite')).code).toBe(0);
    // the office reprices bread at minute 5; the cashier corrects it at minute 6, before the till syncs
    await till.db.query(`UPDATE prices SET price = 2.40, updated_at = $1 WHERE sku = 'bread'`, [isoZ(at(5))]);
    onTill(till, 'UPDATE prices SET price = 2.45, updated_at = ? WHERE sku = ?', sqliteNow(at(6)), 'bread');
    const pull = await till.run('pg-to-sqlite');
    expect(pull.code, pull.stderr).toBe(0);
    expect(tillRow(till, 'bread').price).toBe(2.45);
    expect(keptOf(pull, 'prices')).toBe(1);
  });
});

describe('a row that lands from a ledger', () => {
  it('is counted as left when the till holds it newer', async () => {
    const till = await createReplicationPair(
      `CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL);
       CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers(id), total numeric(10,2) NOT NULL, updated_at timestamptz NOT NULL);`,
      `CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, updated_at TEXT NOT NULL);
       CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), total NUMERIC NOT NULL, updated_at TEXT NOT NULL);`,
    );
    pairs.push(till);
    await till.db.query(`INSERT INTO customers VALUES (1, 'Ada', $1)`, [isoZ(at(0))]);
    await till.db.query(`INSERT INTO orders VALUES (10, 1, 12.50, $1)`, [isoZ(at(0))]);
    expect((await till.run('pg-to-sqlite')).code).toBe(0);
    // the office moves order 10 to a new customer; a pull of orders alone leaves it waiting in a ledger
    await till.db.query(`INSERT INTO customers VALUES (2, 'Bob', $1)`, [isoZ(at(5))]);
    await till.db.query(`UPDATE orders SET customer_id = 2, total = 13.00, updated_at = $1 WHERE id = 10`, [isoZ(at(5))]);
    const waiting = await till.run('pg-to-sqlite', '--tables', 'orders');
    expect(waiting.code).toBe(3);
    // (rejected for SQLite's own FOREIGN KEY refusal rather than skipped: the customers table is not in the run)
    expect(waiting.json.waiting.skipped + waiting.json.waiting.rejected).toBe(1);
    // the cashier corrects the order's total afterwards: the till's copy is the newer one
    onTill(till, 'UPDATE orders SET total = 12.00, updated_at = ? WHERE id = 10', isoZ(at(6)));
    const retried = await till.run('pg-to-sqlite');
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.json.waiting).toEqual({ skipped: 0, rejected: 0 });
    const db = new Database(till.sqlitePath, { readonly: true });
    expect(db.prepare('SELECT customer_id, total FROM orders WHERE id = 10').get()).toEqual({ customer_id: 1, total: 12 });
    db.close();
    expect(keptOf(retried, 'orders')).toBe(1);
  });
});

describe('a push that waits for another writer of the same PostgreSQL row', () => {
  it('counts the row it left once that writer committed a newer one', async () => {
    const till = await pairOf(`CREATE TABLE prices (sku TEXT PRIMARY KEY, price NUMERIC NOT NULL, updated_at TEXT NOT NULL);`);
    onTill(till, 'INSERT INTO prices VALUES (?, 1.50, ?), (?, 2.00, ?)', 'apple', isoZ(at(0)), 'bread', isoZ(at(0)));
    expect((await till.run('sqlite-to-pg')).code).toBe(0);
    // the till changes apple at minute 1; the office is changing it at minute 2 as the till pushes
    onTill(till, 'UPDATE prices SET price = 1.60, updated_at = ? WHERE sku = ?', isoZ(at(1)), 'apple');
    const office = new pg.Client({ connectionString: till.db.url });
    await office.connect();
    try {
      await office.query('BEGIN');
      await office.query(`UPDATE prices SET price = 1.75, updated_at = $1 WHERE sku = 'apple'`, [isoZ(at(2))]);
      // a process of its own, as a till's scheduled push is
      const push = spawnLiveCli(['run', '--direction', 'sqlite-to-pg', ...till.flags, '--json'], { cwd: till.dir.path });
      // the push's upsert waits for the office's row lock
      for (let i = 0; ; i++) {
        // asked outside the office's transaction, which sees pg_stat_activity as it first read it
        const waiting = await till.db.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%prices%'`);
        if (waiting.length > 0) break;
        if (i > 400) throw new Error(`the push never waited for the office: ${push.stdout()}${push.stderr()}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      await office.query('COMMIT');
      expect(await push.exited, push.stderr()).toBe(0);
      const r = { json: JSON.parse(push.stdout().trim().split('\n').pop() ?? '') as { tables: { name: string }[] } };
      expect((await till.db.query<{ price: string }>(`SELECT price::text AS price FROM prices WHERE sku = 'apple'`))[0]?.price).toBe('1.75');
      expect(keptOf(r, 'prices')).toBe(1);
    } finally {
      await office.end();
    }
  });
});

describe('key translation with no UNIQUE index on server_id (insert where none has the key, else update)', () => {
  it('leaves the newer copy both ways and counts it', async () => {
    const till = await createReplicationPair(
      `CREATE TABLE customers (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL);`,
      `CREATE TABLE customers (local_id INTEGER PRIMARY KEY, server_id INTEGER, name TEXT NOT NULL, updated_at TEXT NOT NULL);`,
    );
    pairs.push(till);
    const tillName = (): unknown => {
      const db = new Database(till.sqlitePath, { readonly: true });
      const name = db.prepare('SELECT name FROM customers WHERE local_id = 1').pluck().get();
      db.close();
      return name;
    };
    const centralName = async (): Promise<string | undefined> => (await till.db.query<{ name: string }>('SELECT name FROM customers'))[0]?.name;
    onTill(till, 'INSERT INTO customers VALUES (1, NULL, ?, ?)', 'Olga', isoZ(at(0)));
    expect((await till.run('sqlite-to-pg')).code).toBe(0);
    expect(await centralName()).toBe('Olga');
    // the office renames her at minute 5, the cashier at minute 6: the pull leaves the cashier's
    await till.db.query(`UPDATE customers SET name = 'Olga K.', updated_at = $1`, [isoZ(at(5))]);
    onTill(till, 'UPDATE customers SET name = ?, updated_at = ? WHERE local_id = 1', 'Olga Kovacs', isoZ(at(6)));
    const pull = await till.run('pg-to-sqlite');
    expect(pull.code, pull.stderr).toBe(0);
    expect(tillName()).toBe('Olga Kovacs');
    expect(keptOf(pull, 'customers')).toBe(1);
    // the office again at minute 8, after the cashier: a full push leaves the office's
    await till.db.query(`UPDATE customers SET name = 'O. Kovacs', updated_at = $1`, [isoZ(at(8))]);
    const push = await till.run('sqlite-to-pg', '--full');
    expect(push.code, push.stderr).toBe(0);
    expect(await centralName()).toBe('O. Kovacs');
    expect(keptOf(push, 'customers')).toBe(1);
    const back = await till.run('pg-to-sqlite');
    expect(back.code).toBe(0);
    expect(tillName()).toBe('O. Kovacs');
    expect(keptOf(back, 'customers')).toBeUndefined();
  });
});

describe('a push batch isolated row by row after PostgreSQL refuses a row', () => {
  it('counts the row it left once', async () => {
    const till = await createReplicationPair(
      `CREATE TABLE prices (sku text PRIMARY KEY, price numeric(10,2) NOT NULL CHECK (price >= 0), updated_at timestamptz NOT NULL);`,
      `CREATE TABLE prices (sku TEXT PRIMARY KEY, price NUMERIC NOT NULL, updated_at TEXT NOT NULL);`,
    );
    pairs.push(till);
    onTill(till, 'INSERT INTO prices VALUES (?, 1.50, ?), (?, 2.00, ?), (?, 3.00, ?), (?, 4.00, ?)', 'apple', isoZ(at(0)), 'bread', isoZ(at(0)), 'milk', isoZ(at(0)), 'salt', isoZ(at(0)));
    expect((await till.run('sqlite-to-pg')).code).toBe(0);
    await till.db.query(`UPDATE prices SET price = 1.75, updated_at = $1 WHERE sku = 'apple'`, [isoZ(at(5))]);
    onTill(till, 'UPDATE prices SET price = -1, updated_at = ? WHERE sku = ?', isoZ(at(2)), 'milk');
    const push = await till.run('sqlite-to-pg', '--full');
    expect(push.code).toBe(3);
    expect(push.json.tables[0]).toMatchObject({ name: 'prices', read: 4, written: 3, rejected: 1 });
    expect(keptOf(push, 'prices')).toBe(1);
    expect((await till.db.query<{ price: string }>(`SELECT price::text AS price FROM prices WHERE sku = 'apple'`))[0]?.price).toBe('1.75');
  });
});

describe('a PostgreSQL table whose trigger stamps every update (updated_at = clock_timestamp())', () => {
  it('counts a row the push wrote as written, not as left, though the trigger made it newer than pushed', async () => {
    const till = await createReplicationPair(
      `${PG}
       CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at = clock_timestamp(); RETURN NEW; END $$;
       CREATE TRIGGER stamp BEFORE UPDATE ON prices FOR EACH ROW EXECUTE FUNCTION stamp();`,
      `CREATE TABLE prices (sku TEXT PRIMARY KEY, price NUMERIC NOT NULL, updated_at TEXT NOT NULL);`,
    );
    pairs.push(till);
    onTill(till, 'INSERT INTO prices VALUES (?, 1.50, ?), (?, 2.00, ?)', 'apple', isoZ(at(0)), 'bread', isoZ(at(0)));
    expect((await till.run('sqlite-to-pg')).code).toBe(0);
    onTill(till, 'UPDATE prices SET price = 1.60, updated_at = ? WHERE sku = ?', isoZ(at(1)), 'apple');
    const push = await till.run('sqlite-to-pg');
    expect(push.code).toBe(0);
    expect((await till.db.query<{ price: string }>(`SELECT price::text AS price FROM prices WHERE sku = 'apple'`))[0]?.price).toBe('1.60');
    expect(keptOf(push, 'prices')).toBeUndefined();
    expect(push.stdout).not.toContain('left as the target has');
  });
});
