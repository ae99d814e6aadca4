/**
 * A pg-to-sqlite run into empty SQLite tables does not look up again the parents it has
 * just loaded itself, yet a parent the app deletes between two tables of the run is never
 * taken as present: the child waits in the skip ledger with its parent key, whether the
 * file is in rollback-journal or WAL mode. The plan says how each table's parents are checked.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicator } from '../src/replicator/create-replicator.js';
import { runCli } from './harness/cli.js';
import { createReplicationPair, diffContent, type ReplicationPair } from './harness/replication.js';

const ACCOUNTS = 300;
const GROUPS = 50;
const ENTRIES = 3000;
// entry i belongs to account i % 300 + 1 and (unless i is a multiple of 7) to group i % 50 + 1
const PG = `CREATE TABLE accounts (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE groups (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE entries (id bigint PRIMARY KEY, account_id uuid NOT NULL REFERENCES accounts (id), group_id bigint REFERENCES groups (id), amount numeric(12,2) NOT NULL);
INSERT INTO accounts SELECT md5('a' || i)::uuid, 'account ' || i FROM generate_series(1, ${ACCOUNTS}) AS i;
INSERT INTO groups SELECT i, 'group ' || i FROM generate_series(1, ${GROUPS}) AS i;
INSERT INTO entries SELECT i, md5('a' || (i % ${ACCOUNTS} + 1))::uuid, CASE WHEN i % 7 = 0 THEN NULL ELSE i % ${GROUPS} + 1 END, (i * 37 % 10000) / 100.0
  FROM generate_series(1, ${ENTRIES}) AS i;`;
const SQLITE = `CREATE TABLE accounts (id TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE groups (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE entries (id INTEGER PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts (id), group_id INTEGER REFERENCES groups (id), amount DECIMAL(12,2) NOT NULL);`;

const columnsOf = (names: string[]) => names.map((c) => ({ pg: c, sqlite: c }));

describe('parents a pg-to-sqlite run loaded itself', () => {
  let pair: ReplicationPair;
  beforeAll(async () => {
    pair = await createReplicationPair(PG, SQLITE);
  });
  afterAll(() => pair.cleanup());

  it('are planned as not looked up again while no other connection commits to the file', async () => {
    const dry = await runCli(['run', '--direction', 'pg-to-sqlite', ...pair.flags, '--dry-run'], { cwd: pair.dir.path });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      'entries: empty in SQLite: loaded in one transaction, foreign keys (group_id -> groups.id, account_id -> accounts.id) checked per batch instead of per row, keys of groups, accounts this run loaded not looked up again while no other connection commits to the file',
    );
  });

  it('load every child of theirs, and the file equals the source', async () => {
    const r = await pair.run('pg-to-sqlite', '--batch-size', '400');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.tables.map((t) => [t.name, t.written, t.skipped])).toEqual([
      ['accounts', ACCOUNTS, 0],
      ['groups', GROUPS, 0],
      ['entries', ENTRIES, 0],
    ]);
    const s = pair.sqlite();
    expect(s.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    for (const [table, columns] of [
      ['accounts', ['id', 'name']],
      ['groups', ['id', 'name']],
      ['entries', ['id', 'account_id', 'group_id', 'amount']],
    ] as const) {
      expect(await diffContent(pair.db, pair.sqlitePath, { pg: table, sqlite: table }, columnsOf([...columns])), table).toEqual({ onlyInSqlite: [], onlyInPostgres: [] });
    }
  });
});

describe.each(['delete', 'wal'])('a parent the app deletes between two tables of the run (journal_mode %s)', (mode) => {
  let pair: ReplicationPair;
  beforeAll(async () => {
    pair = await createReplicationPair(PG, SQLITE);
    const s = new Database(pair.sqlitePath);
    s.pragma(`journal_mode = ${mode}`);
    s.close();
  });
  afterAll(() => pair.cleanup());

  it('is not taken as present: its children wait in the skip ledger with its key, the rest land', async () => {
    const gone = await pair.db.query<{ id: string }>(`SELECT md5('a7')::uuid::text AS id`);
    const goneAccount = gone[0]?.id as string;
    const replicator = createReplicator({ sqlitePath: pair.sqlitePath, pgUrl: pair.db.url });
    replicator.on('table-start', (e) => {
      if (e.table !== 'entries') return;
      // accounts and groups are committed; the app deletes one of each before entries load
      const app = new Database(pair.sqlitePath);
      app.pragma('busy_timeout = 5000');
      app.prepare('DELETE FROM accounts WHERE id = ?').run(goneAccount);
      app.prepare('DELETE FROM groups WHERE id = 9').run();
      app.close();
    });
    const summary = await replicator.syncAll({ direction: 'pg-to-sqlite', batchSize: 400 });
    const byAccount = Array.from({ length: ENTRIES }, (_, k) => k + 1).filter((i) => (i % ACCOUNTS) + 1 === 7);
    const byGroup = Array.from({ length: ENTRIES }, (_, k) => k + 1).filter((i) => i % 7 !== 0 && (i % GROUPS) + 1 === 9 && !byAccount.includes(i));
    expect(summary.tables.find((t) => t.table === 'entries')).toMatchObject({ read: ENTRIES, written: ENTRIES - byAccount.length - byGroup.length, skipped: byAccount.length + byGroup.length });

    const s = pair.sqlite();
    expect(s.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    const waiting = s.prepare(`SELECT row_key, parent_table, parent_key FROM _replicate_skipped_rows WHERE table_name = 'entries' ORDER BY parent_table, row_key`).all() as {
      row_key: string;
      parent_table: string;
      parent_key: string;
    }[];
    expect(waiting.filter((w) => w.parent_table === 'accounts').map((w) => w.parent_key)).toEqual(byAccount.map(() => `[["s","${goneAccount}"]]`));
    expect(waiting.filter((w) => w.parent_table === 'groups').map((w) => w.parent_key)).toEqual(byGroup.map(() => '[["i","9"]]'));
    expect(waiting.map((w) => w.row_key).sort()).toEqual([...byAccount, ...byGroup].map((i) => `[["s","${i}"]]`).sort());
    const landed = s.prepare('SELECT id FROM entries ORDER BY id').pluck().all() as bigint[];
    expect(landed).toHaveLength(ENTRIES - byAccount.length - byGroup.length);
    expect(landed.some((id) => byAccount.includes(Number(id)) || byGroup.includes(Number(id)))).toBe(false);
  });
});

describe('a file whose trigger deletes a parent as the run writes', () => {
  // loading groups deletes account 7 through the run's own connection: data_version cannot see that
  const TRIGGER = `CREATE TRIGGER groups_retire AFTER INSERT ON groups WHEN NEW.id = 9 BEGIN DELETE FROM accounts WHERE name = 'account 7'; END;`;
  let pair: ReplicationPair;
  beforeAll(async () => {
    pair = await createReplicationPair(PG, `${SQLITE}\n${TRIGGER}`);
  });
  afterAll(() => pair.cleanup());

  it("trusts no loaded parent: the plan says so, and the deleted parent's children wait in the skip ledger", async () => {
    const dry = await runCli(['run', '--direction', 'pg-to-sqlite', ...pair.flags, '--dry-run'], { cwd: pair.dir.path });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('entries: empty in SQLite: loaded in one transaction, foreign keys (group_id -> groups.id, account_id -> accounts.id) checked per batch instead of per row (the file');
    const r = await pair.run('pg-to-sqlite', '--batch-size', '400');
    expect(r.code, r.stderr).toBe(3);
    const byAccount = Array.from({ length: ENTRIES }, (_, k) => k + 1).filter((i) => (i % ACCOUNTS) + 1 === 7);
    expect(r.json.tables.find((t) => t.name === 'entries')).toMatchObject({ written: ENTRIES - byAccount.length, skipped: byAccount.length });
    const s = pair.sqlite();
    expect(s.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    const waiting = s.prepare(`SELECT row_key FROM _replicate_skipped_rows WHERE table_name = 'entries' AND parent_table = 'accounts'`).pluck().all() as string[];
    expect(waiting.sort()).toEqual(byAccount.map((i) => `[["s","${i}"]]`).sort());
  });
});
