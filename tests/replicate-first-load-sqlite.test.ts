/**
 * A first pg-to-sqlite load into an empty SQLite table runs as one transaction with the
 * table's secondary indexes built after the rows: the plan says so, another connection
 * never sees part of the table or the table without its indexes, the indexes are there
 * afterwards exactly as the schema declared them, and a row that breaks a UNIQUE index
 * still goes to the reject ledger with SQLite's reason while the rest lands. A table that
 * declares its own conflict handling (UNIQUE ... ON CONFLICT IGNORE) keeps it.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from './harness/cli.js';
import { createReplicationPair, diffContent, type ReplicationPair } from './harness/replication.js';

const ROWS = 40000;
const PG = `CREATE TABLE items (id bigint PRIMARY KEY, code text NOT NULL, qty integer NOT NULL, updated_at timestamptz NOT NULL);
INSERT INTO items SELECT i, 'C' || i, i % 97, timestamptz '2025-01-01 00:00:00+00' + (i * 7919 % ${ROWS}) * interval '1 second' FROM generate_series(1, ${ROWS}) AS i;
UPDATE items SET code = 'C1' WHERE id = 777;`;
const SQLITE = `CREATE TABLE items (id INTEGER PRIMARY KEY, code TEXT NOT NULL, qty INTEGER NOT NULL, updated_at DATETIME NOT NULL);
CREATE INDEX idx_items_updated ON items (updated_at);
CREATE INDEX idx_items_qty ON items (qty) WHERE qty > 50;
CREATE UNIQUE INDEX idx_items_code ON items (code);`;

const indexesOf = (path: string): { name: string; sql: string | null }[] => {
  const s = new Database(path, { readonly: true });
  try {
    return s.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items' ORDER BY name`).all() as { name: string; sql: string | null }[];
  } finally {
    s.close();
  }
};

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
});
afterAll(() => pair.cleanup());

describe('a first load into an empty SQLite table', () => {
  it('is planned as one transaction with its indexes built after the rows', async () => {
    const dry = await runCli(['run', '--direction', 'pg-to-sqlite', ...pair.flags, '--dry-run'], { cwd: pair.dir.path });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('items: empty in SQLite: loaded in one transaction, indexes idx_items_qty, idx_items_updated built after the rows');
  });

  it('shows other connections the whole table with its indexes or nothing; a UNIQUE breaker is rejected', async () => {
    const before = indexesOf(pair.sqlitePath);
    const run = spawnCli(['run', '--direction', 'pg-to-sqlite', ...pair.flags, '--batch-size', '500', '--json'], { cwd: pair.dir.path });
    let done = false;
    void run.then(() => (done = true));
    const seen = new Set<string>();
    const watch = new Database(pair.sqlitePath, { readonly: true });
    watch.pragma('busy_timeout = 10000');
    try {
      while (!done) {
        const rows = Number(watch.prepare('SELECT count(*) FROM items').pluck().get());
        const indexes = Number(watch.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items'`).pluck().get());
        seen.add(`${rows} rows, ${indexes} indexes`);
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      watch.close();
    }
    const result = await run;
    expect(result.code, result.stderr).toBe(3);
    const summary = JSON.parse(result.stdout) as { tables: { name: string; read: number; written: number; rejected: number }[] };
    expect(summary.tables[0]).toMatchObject({ name: 'items', read: ROWS, written: ROWS - 1, rejected: 1 });
    expect([...seen].every((s) => s === '0 rows, 3 indexes' || s === `${ROWS - 1} rows, 3 indexes`), [...seen].join('; ')).toBe(true);
    expect(indexesOf(pair.sqlitePath)).toEqual(before);

    const s = new Database(pair.sqlitePath, { readonly: true });
    try {
      expect(s.pragma('integrity_check', { simple: true })).toBe('ok');
      const ledger = s.prepare('SELECT row_key, reason FROM _replicate_rejected_rows').all() as { row_key: string; reason: string }[];
      expect(ledger).toHaveLength(1);
      expect(ledger[0]?.reason).toMatch(/UNIQUE constraint failed: items\.code/);
      // the row that broke it, by its key (row 777, inside the second batch, not at its end)
      expect(ledger[0]?.row_key).toBe('[["s","777"]]');
      // the index answers what the table holds (SQLite reads it for this query)
      expect(s.prepare('SELECT count(*) FROM items INDEXED BY idx_items_updated WHERE updated_at >= ?').pluck().get('2025')).toBe(ROWS - 1);
    } finally {
      s.close();
    }
    const diff = await diffContent(pair.db, pair.sqlitePath, { pg: 'items', sqlite: 'items' }, ['id', 'code', 'qty'].map((c) => ({ pg: c, sqlite: c })));
    expect(diff).toEqual({ onlyInSqlite: [], onlyInPostgres: [{ id: '777', code: 'C1', qty: 777 % 97 }] });
  });

  it('is not used once the table holds rows: the next full run upserts as always', async () => {
    const dry = await runCli(['run', '--direction', 'pg-to-sqlite', ...pair.flags, '--dry-run'], { cwd: pair.dir.path });
    expect(dry.stdout).not.toContain('loaded in one transaction');
    const again = await runCli(['run', '--direction', 'pg-to-sqlite', ...pair.flags, '--full'], { cwd: pair.dir.path });
    expect(again.code, again.stderr).toBe(3);
    expect(indexesOf(pair.sqlitePath).map((i) => i.name)).toEqual(['idx_items_code', 'idx_items_qty', 'idx_items_updated']);
  });
});

describe('a first load into a table that declares ON CONFLICT IGNORE', () => {
  let own: ReplicationPair;
  beforeAll(async () => {
    own = await createReplicationPair(
      `CREATE TABLE tags (id bigint PRIMARY KEY, name text NOT NULL);
       INSERT INTO tags SELECT i, 'T' || (i % 50) FROM generate_series(1, 200) AS i;`,
      `CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE ON CONFLICT IGNORE);`,
    );
  });
  afterAll(() => own.cleanup());

  it('keeps the first row of each name and drops the rest, as the table says, with nothing rejected', async () => {
    const run = await runCli(['run', '--direction', 'pg-to-sqlite', ...own.flags, '--json'], { cwd: own.dir.path });
    expect(run.code, run.stderr).toBe(0);
    const s = new Database(own.sqlitePath, { readonly: true });
    try {
      expect(s.prepare('SELECT id, name FROM tags ORDER BY id').raw().all()).toEqual(Array.from({ length: 50 }, (_, i) => [i + 1, `T${(i + 1) % 50}`]));
      expect(s.prepare('SELECT count(*) FROM _replicate_rejected_rows').pluck().get()).toBe(0);
    } finally {
      s.close();
    }
  });
});
