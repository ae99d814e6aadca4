/**
 * A --create-missing migration was stopped before the last table's FK and UNIQUE index
 * were added, and meanwhile someone wrote rows into PostgreSQL that break both. The next
 * run says which constraint failed on which table, with the SQLSTATE, exits 1, keeps both
 * owed and loses no row; once the rows are fixed (after a DBA's own CREATE INDEX
 * CONCURRENTLY failed and left an invalid index behind), the run after adds them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './harness/cli.js';
import { cutOffRun } from './harness/cut-off-run.js';
import { createReplicationPair, diffContent, type ReplicationPair } from './harness/replication.js';

const SQLITE = `
  CREATE TABLE orders (id INTEGER PRIMARY KEY, placed_at TEXT NOT NULL);
  CREATE TABLE order_lines (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id), line_no INTEGER NOT NULL, sku TEXT NOT NULL,
    UNIQUE (order_id, line_no));
  CREATE INDEX order_lines_sku ON order_lines (sku);`;
const ORDERS = 2000;
const LINES = 30000;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair('', SQLITE);
  const s = pair.sqlite();
  s.transaction(() => {
    for (let o = 1; o <= ORDERS; o++) s.prepare('INSERT INTO orders VALUES (?, ?)').run(o, '2025-11-01T10:00:00.000Z');
    const line = s.prepare('INSERT INTO order_lines VALUES (?, ?, ?, ?)');
    for (let l = 1; l <= LINES; l++) line.run(l, Math.floor((l - 1) / 15) + 1, ((l - 1) % 15) + 1, `sku-${l % 31}`);
  })();
  s.close();
});
afterAll(() => pair.cleanup());

const owedNames = async (): Promise<string[]> => {
  const r = await runCli(['status', ...pair.flags, '--json'], { cwd: pair.dir.path });
  const status = JSON.parse(r.stdout) as { directions: { direction: string; owed: { name: string }[] }[] };
  return (status.directions.find((d) => d.direction === 'sqlite-to-pg')?.owed ?? []).map((o) => o.name).sort();
};

const lineFks = (): Promise<unknown[]> =>
  pair.db.query(`SELECT conname::text, convalidated FROM pg_constraint WHERE contype = 'f' AND conrelid = 'order_lines'::regclass ORDER BY 1`);

const lineIndexes = (): Promise<unknown[]> =>
  pair.db.query(`SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'order_lines' AND indexname <> 'order_lines_pkey' ORDER BY 1`);

describe('owed constraints that rows written meanwhile break', () => {
  it('fail the next run by name and SQLSTATE, stay owed, and lose no row', async () => {
    const stopped = await cutOffRun(pair, ['--create-missing', '--batch-size', '500'], 'SIGINT', async (out) => /order_lines: [\d,]+ read/.test(out));
    expect(stopped.code, stopped.err).toBe(130);
    expect(await owedNames()).toEqual(['order_lines_fk1', 'order_lines_order_id_line_no_idx', 'order_lines_pkey', 'order_lines_sku_idx']);

    // without the FK and the UNIQUE index nothing stops these: a line of an order that does not exist, a second line 1 of order 1
    await pair.db.exec(`INSERT INTO order_lines VALUES (900001, 999999, 1, 'ghost'), (900002, 1, 1, 'again')`);
    const r = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags], { cwd: pair.dir.path });
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toContain('2 constraints or indexes owed since --create-missing could not be added; they stay owed and the next run tries again');
    expect(r.stderr).toMatch(/order_lines: foreign key order_lines_fk1 \(order_id\) -> orders \(id\): .*violates foreign key constraint.*\(Key \(order_id\)=\(999999\) is not present.*\(SQLSTATE 23503\)/);
    expect(r.stderr).toMatch(/order_lines: index order_lines_order_id_line_no_idx UNIQUE \(order_id, line_no\): could not create unique index.*\(SQLSTATE 23505\)/);

    // the key and the index nothing broke were added; the other two wait (the FK checks new rows already, NOT VALID)
    expect(await owedNames()).toEqual(['order_lines_fk1', 'order_lines_order_id_line_no_idx']);
    expect(await lineFks()).toEqual([{ conname: 'order_lines_fk1', convalidated: false }]);
    expect(await lineIndexes()).toEqual([{ indexname: 'order_lines_sku_idx' }]);
    // every source row is in, and the rows written meanwhile are still there
    const diff = await diffContent(pair.db, pair.sqlitePath, { pg: 'order_lines', sqlite: 'order_lines' }, ['id', 'order_id', 'line_no', 'sku'].map((c) => ({ pg: c, sqlite: c })));
    expect(diff.onlyInSqlite).toEqual([]);
    expect(diff.onlyInPostgres).toHaveLength(2);
  });

  it('are added by the next run once the rows are fixed', async () => {
    // a DBA tried building the index by hand first: CONCURRENTLY fails on the duplicate and leaves it invalid
    await expect(pair.db.exec('CREATE UNIQUE INDEX CONCURRENTLY order_lines_order_id_line_no_idx ON order_lines (order_id, line_no)')).rejects.toThrow(/could not create unique index/);
    await pair.db.exec('DELETE FROM order_lines WHERE id > 900000');
    const r = await pair.run('sqlite-to-pg');
    expect(r.code, r.stderr).toBe(0);
    expect(await owedNames()).toEqual([]);
    expect(await lineFks()).toEqual([{ conname: 'order_lines_fk1', convalidated: true }]);
    expect(await lineIndexes()).toEqual([{ indexname: 'order_lines_order_id_line_no_idx' }, { indexname: 'order_lines_sku_idx' }]);
    const valid = await pair.db.query(`SELECT indisvalid, indisunique FROM pg_index WHERE indexrelid = 'order_lines_order_id_line_no_idx'::regclass`);
    expect(valid).toEqual([{ indisvalid: true, indisunique: true }]);
  });
});
