/**
 * A new terminal is set up from the server: `run --direction pg-to-sqlite --create-missing`
 * into an empty SQLite file. Its dry run says each table is created with its primary key
 * and foreign keys in its CREATE TABLE (SQLite declares constraints there); the run itself
 * used to say "constraints and indexes follow the data", which is what a PostgreSQL target
 * gets, not this one. The run now says what the dry run says, and the file shows it is so.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `
  CREATE TABLE stores (id bigint PRIMARY KEY, name text NOT NULL);
  CREATE TABLE items (id bigint PRIMARY KEY, store_id bigint NOT NULL REFERENCES stores(id), name text NOT NULL);
  CREATE INDEX items_store ON items (store_id);
  INSERT INTO stores VALUES (1, 'north'), (2, 'south');
  INSERT INTO items VALUES (1, 1, 'tea'), (2, 2, 'bread');`;

let pair: ReplicationPair;
const cli = (...extra: string[]): Promise<CliResult> => runCli(['run', '--direction', 'pg-to-sqlite', '--create-missing', ...pair.flags, ...extra], { cwd: pair.dir.path });
/** "  note: ..." lines of a run, "  - ..." lines of a dry run's notes */
const notes = (stdout: string, prefix: RegExp): string[] => stdout.split('\n').flatMap((l) => (prefix.test(l) ? [l.replace(prefix, '')] : []));

beforeAll(async () => {
  pair = await createReplicationPair(PG, 'PRAGMA user_version = 1;');
});
afterAll(() => pair.cleanup());

describe('run --create-missing into an empty SQLite file', () => {
  it("says of the tables it creates what its dry run says, and nothing about constraints following the data", async () => {
    const dry = await cli('--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    const planned = notes(dry.stdout, /^ {2}- /).filter((n) => n.includes('--create-missing creates it'));
    expect(planned).toEqual([
      'stores: --create-missing creates it (primary key (id) in its CREATE TABLE, where SQLite declares constraints)',
      'items: --create-missing creates it (primary key (id) and foreign key (store_id) -> stores (id) in its CREATE TABLE, where SQLite declares constraints; index items_store (store_id))',
    ]);

    const run = await cli();
    expect(run.code, run.stderr).toBe(0);
    const said = notes(run.stdout, /^ {2}note: /);
    for (const n of planned) expect(said).toContain(n);
    expect(run.stdout).not.toContain('follow the data');

    // and so it is: the constraints are in the file's CREATE TABLE, the index beside it, the rows in
    const db = new Database(pair.sqlitePath, { readonly: true });
    try {
      expect(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'items'").pluck().get()).toMatch(/PRIMARY KEY[\s\S]*REFERENCES "?stores"?/);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items' AND sql IS NOT NULL").pluck().all()).toEqual(['items_store']);
      expect(db.prepare('SELECT count(*) FROM items').pluck().get()).toBe(2);
    } finally {
      db.close();
    }
  });
});
