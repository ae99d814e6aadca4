/**
 * Two tills share one PostgreSQL. Till B was offline and made a sale an hour ago; till A
 * has pulled since, so its pull's checkpoint sits above that sale's stamp. When B pushes
 * the sale, A's next pull reads it all the same: B's push left a mark with the lowest
 * stamp it wrote, and A's pull starts again from there. Nothing is read twice after that,
 * and a till's own pushes never send its pull back.
 *
 * The same holds for a push still committing while A pulls: A's pull remembers marks only
 * up to the oldest transaction still open, so it reads B's sale on the run after B commits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';
import { createSqliteFile } from './harness/sqlite.js';
import { runCli, spawnLiveCli, type CliResult } from './harness/cli.js';

const PG = `
CREATE TABLE sales (id text PRIMARY KEY, till text NOT NULL, amount numeric(10,2) NOT NULL, updated_at timestamptz NOT NULL);
-- a sale noted 'slow' holds its writer's transaction open for a while (a push still committing)
CREATE FUNCTION slow_sale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.till = 'slow' THEN PERFORM pg_sleep(4); END IF; RETURN NEW; END $$;
CREATE TRIGGER slow_sale BEFORE INSERT ON sales FOR EACH ROW EXECUTE FUNCTION slow_sale();`;
const SQLITE = `CREATE TABLE sales (id TEXT PRIMARY KEY, till TEXT NOT NULL, amount NUMERIC NOT NULL, updated_at TEXT NOT NULL);`;

let a: ReplicationPair;
let bPath: string;
const hourAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString();

async function runB(direction: string): Promise<CliResult> {
  return runCli(['run', '--direction', direction, '--sqlite', bPath, '--pg', a.db.url, '--json'], { cwd: a.dir.path });
}

function sale(path: string, id: string, till: string, stamp: string): void {
  const db = new Database(path);
  db.prepare('INSERT INTO sales (id, till, amount, updated_at) VALUES (?, ?, 9.5, ?)').run(id, till, stamp);
  db.close();
}

const salesIn = (path: string): string[] => {
  const db = new Database(path, { readonly: true });
  const ids = (db.prepare('SELECT id FROM sales ORDER BY id').all() as { id: string }[]).map((r) => r.id);
  db.close();
  return ids;
};

const amountOf = (path: string, id: string): number => {
  const db = new Database(path, { readonly: true });
  const row = db.prepare('SELECT amount FROM sales WHERE id = ?').get(id) as { amount: number };
  db.close();
  return row.amount;
};

beforeAll(async () => {
  a = await createReplicationPair(PG, SQLITE);
  bPath = a.dir.file('till-b.db');
  createSqliteFile(bPath, SQLITE);
});
afterAll(async () => {
  await a.cleanup();
});

describe('a sale another till pushes late, stamped below this till\'s pull checkpoint', () => {
  it('reaches this till on its next pull, once', async () => {
    sale(a.sqlitePath, 'a1', 'A', hourAgo(90));
    expect((await a.run('sqlite-to-pg')).code).toBe(0);
    expect((await a.run('pg-to-sqlite')).code).toBe(0);
    // B, offline, sells at 60 minutes ago; A sells at 30 minutes ago and syncs
    sale(bPath, 'b1', 'B', hourAgo(60));
    sale(a.sqlitePath, 'a2', 'A', hourAgo(30));
    expect((await a.run('sqlite-to-pg')).code).toBe(0);
    expect((await a.run('pg-to-sqlite')).code).toBe(0);
    // B comes back online and pushes its sale, stamped below A's pull checkpoint
    const pushB = await runB('sqlite-to-pg');
    expect(pushB.code).toBe(0);

    // meanwhile A's cashier corrects a2, not pushed yet
    const edit = new Database(a.sqlitePath);
    edit.prepare("UPDATE sales SET amount = 12.25, updated_at = ? WHERE id = 'a2'").run(hourAgo(0.1));
    edit.close();

    const pull = await a.run('pg-to-sqlite', '--batch-size', '1');
    expect(pull.code).toBe(0);
    expect(salesIn(a.sqlitePath)).toEqual(['a1', 'a2', 'b1']);
    // reading again, the pull left A's correction alone; A's next push sends it
    expect(amountOf(a.sqlitePath, 'a2')).toBe(12.25);
    expect((await a.run('sqlite-to-pg')).code).toBe(0);
    expect(await a.db.query(`SELECT amount::text AS amount FROM sales WHERE id = 'a2'`)).toEqual([{ amount: '12.25' }]);
    // read again from b1's stamp: b1 and a2, not a1
    expect(pull.json.tables.find((t) => t.name === 'sales')?.read).toBe(2);

    // the mark is read once: the next pull goes on from its checkpoint (and reads A's own correction back)
    const again = await runCli(['run', '--direction', 'pg-to-sqlite', ...a.flags], { cwd: a.dir.path });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('sales: incremental from checkpoint');
    expect(again.stdout).not.toContain('reading again');
    expect(again.stdout).toMatch(/sales: 1 read/);
  });

  it("never sends a till's pull back for the till's own pushes, and says when it reads again", async () => {
    expect((await runB('pg-to-sqlite')).code).toBe(0);
    expect(salesIn(bPath)).toEqual(['a1', 'a2', 'b1']);
    // B sells again, offline for a while: stamped below both tills' pull checkpoints (a2's)
    sale(bPath, 'b2', 'B', hourAgo(45));
    expect((await runB('sqlite-to-pg')).code).toBe(0);
    const pull = await runB('pg-to-sqlite');
    expect(pull.code).toBe(0);
    const json = JSON.parse(pull.stdout.trim().split('\n').pop() ?? '{}') as { tables: { name: string; read: number }[] };
    expect(json.tables.find((t) => t.name === 'sales')?.read).toBe(0);
    // A, for its part, reads again from b2's stamp, and says so
    const pullA = await runCli(['run', '--direction', 'pg-to-sqlite', ...a.flags], { cwd: a.dir.path });
    expect(pullA.code).toBe(0);
    expect(pullA.stdout).toMatch(/sales: reading again from \S+ \S+: other terminals pushed rows stamped below this pull's checkpoint/);
    expect(salesIn(a.sqlitePath)).toEqual(['a1', 'a2', 'b1', 'b2']);
  });

  it('reaches this till when the push was still committing during its pull', async () => {
    // stamped after every row B has, so B's push sends it
    sale(bPath, 'b3', 'slow', hourAgo(0.05));
    const push = spawnLiveCli(['run', '--direction', 'sqlite-to-pg', '--sqlite', bPath, '--pg', a.db.url, '--json'], { cwd: a.dir.path });
    // wait until B's push sits in its batch transaction (the trigger sleeps)
    const deadline = Date.now() + 20_000;
    for (;;) {
      const r = await a.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM pg_stat_activity WHERE wait_event = 'PgSleep'`);
      if (r[0]?.n !== '0') break;
      if (Date.now() > deadline) throw new Error(`B's push never reached its batch: ${push.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // meanwhile the office enters a sale straight into PostgreSQL, stamped after b3
    await a.db.exec(`INSERT INTO sales VALUES ('o1', 'office', 3, now())`);
    const during = await a.run('pg-to-sqlite');
    expect(during.code).toBe(0);
    // A's checkpoint is now above b3's stamp, and b3 not committed yet
    expect(salesIn(a.sqlitePath)).toEqual(['a1', 'a2', 'b1', 'b2', 'o1']);
    expect(await push.exited).toBe(0);

    const after = await a.run('pg-to-sqlite');
    expect(after.code).toBe(0);
    expect(salesIn(a.sqlitePath)).toEqual(['a1', 'a2', 'b1', 'b2', 'b3', 'o1']);
  });

  it('reaches this till after PostgreSQL was restored from a dump (its transaction ids start lower)', async () => {
    sale(bPath, 'b4', 'B', hourAgo(0.05));
    // A's checkpoint goes above b4 before B pushes it
    await a.db.exec(`INSERT INTO sales VALUES ('o2', 'office', 3, now())`);
    expect((await a.run('pg-to-sqlite')).code).toBe(0);
    // a restored cluster counts transactions from lower than the pull remembers: stand in for it
    const file = new Database(a.sqlitePath);
    const row = file.prepare("SELECT position FROM _replicate_checkpoints WHERE table_name = 'sales'").get() as { position: string };
    const position = JSON.parse(row.position) as Record<string, unknown>;
    expect(typeof position.pushSeen).toBe('string');
    position.pushSeen = '99999999999999';
    file.prepare("UPDATE _replicate_checkpoints SET position = ? WHERE table_name = 'sales'").run(JSON.stringify(position));
    file.close();
    expect((await runB('sqlite-to-pg')).code).toBe(0);
    expect((await a.run('pg-to-sqlite')).code).toBe(0);
    expect(salesIn(a.sqlitePath)).toContain('b4');
  });
});
