/**
 * A first load into an empty PostgreSQL table with live foreign keys: the FK guard checks
 * and locks the parents per batch, and the load runs without the per-row FK triggers. The
 * plan says so per table; a table with triggers of its own keeps every trigger; a parent
 * another session deletes while the load runs never leaves an orphan behind.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `
  CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL);
  CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers(id), total numeric(12,2) NOT NULL);
  CREATE TABLE notes (id integer PRIMARY KEY, order_id integer NOT NULL REFERENCES orders(id), body text NOT NULL);
  CREATE TABLE note_audit (note_id integer NOT NULL);
  CREATE FUNCTION audit_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO note_audit VALUES (NEW.id); RETURN NEW; END $$;
  CREATE TRIGGER note_audit AFTER INSERT ON notes FOR EACH ROW EXECUTE FUNCTION audit_note();
  INSERT INTO customers VALUES (1, 'Ada'), (2, 'Grace'), (3, 'Leaving');`;
const SQLITE = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), total DECIMAL(12,2) NOT NULL);
  CREATE TABLE notes (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id), body TEXT NOT NULL);
  INSERT INTO customers VALUES (1, 'Ada'), (2, 'Grace');
  PRAGMA foreign_keys = OFF;
  INSERT INTO orders VALUES (10, 1, '12.50'), (11, 3, '3.20'), (12, 2, '7.00'), (13, 4, '1.00');
  INSERT INTO notes VALUES (100, 10, 'gift wrap'), (101, 12, 'leave at door'), (102, 11, 'for the leaving customer');`;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
});
afterAll(() => pair.cleanup());

describe('a first load into empty tables with live foreign keys', () => {
  it('is planned per table: parents locked per batch, or the triggers kept and why', async () => {
    const r = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--dry-run'], { cwd: pair.dir.path });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/orders: empty on the target: COPY straight in, parents checked and locked \(FOR KEY SHARE\) per batch instead of per-row FK triggers/);
    expect(r.stdout).toMatch(/notes: empty on the target: COPY straight in, per-row FK triggers kept \(the table has triggers of its own\)/);
    expect(r.stdout).not.toMatch(/customers: empty on the target/);
  });

  it('waits for a parent another session is deleting, and holds its children back once it is gone', async () => {
    const deleter = new pg.Client({ connectionString: pair.db.url });
    await deleter.connect();
    try {
      await deleter.query('BEGIN');
      await deleter.query('DELETE FROM customers WHERE id = 3');
      const running = pair.run('sqlite-to-pg');
      // the load asks for customer 3's lock and waits for the deleting transaction
      let waiting = false;
      for (let i = 0; i < 200 && !waiting; i++) {
        const w = await pair.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'replicate%' AND wait_event_type = 'Lock'",
        );
        waiting = (w[0]?.n ?? 0) > 0;
        if (!waiting) await new Promise((r) => setTimeout(r, 50));
      }
      expect(waiting).toBe(true);
      await deleter.query('COMMIT');
      const r = await running;
      expect(r.code).toBe(3);
      expect(r.json.tables.find((t) => t.name === 'orders')).toMatchObject({ read: 4, written: 2, skipped: 2 });
      // the note of the held-back order waits too; the trigger of notes fired for each note written
      expect(r.json.tables.find((t) => t.name === 'notes')).toMatchObject({ read: 3, written: 2, skipped: 1 });
    } finally {
      await deleter.end();
    }
    const orphans = await pair.db.query<{ n: number }>(
      'SELECT (SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id))::int + (SELECT count(*) FROM notes n WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = n.order_id))::int AS n',
    );
    expect(orphans[0]?.n).toBe(0);
    expect((await pair.db.query<{ id: number }>('SELECT id FROM orders ORDER BY id')).map((o) => o.id)).toEqual([10, 12]);
    expect((await pair.db.query<{ note_id: number }>('SELECT note_id FROM note_audit ORDER BY note_id')).map((a) => a.note_id)).toEqual([100, 101]);
    const ledger = await pair.db.query<{ table_name: string; parent_key: string }>('SELECT table_name, parent_key FROM replicate.skipped_rows ORDER BY table_name, parent_key');
    expect(ledger.map((l) => [l.table_name, l.parent_key])).toEqual([
      ['notes', expect.stringContaining('11')],
      ['orders', expect.stringContaining('3')],
      ['orders', expect.stringContaining('4')],
    ]);
  });
});
