/**
 * A first run from the built CLI creates its state tables (checkpoints, ledgers, history,
 * locks) from statements written into the bundle when it was built, without loading knex,
 * and they are the very tables the library creates with knex, on both sides of the pair.
 */
import Database from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_SCHEMA, stateTableDdl, stateTableName, type StateTableName } from '../src/replicator/state/state-tables.js';
import { spawnCli } from './harness/cli.js';
import { createTestDatabase, type TestDatabase } from './harness/pg.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const ALL: StateTableName[] = ['meta', 'checkpoints', 'skipped_rows', 'rejected_rows', 'runs', 'run_tables', 'locks', 'owed_constraints', 'push_marks'];

const sqliteShape = (db: Database.Database): { type: string; name: string; sql: string }[] =>
  db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE name LIKE '\\_replicate%' ESCAPE '\\' AND sql IS NOT NULL ORDER BY name`).all() as { type: string; name: string; sql: string }[];

const POSTGRES_SHAPE = `
  SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT tablename, indexname, indexdef, true FROM pg_indexes WHERE schemaname = $1
  ORDER BY 1, 2`;

describe('a first run from the built CLI', () => {
  let pair: ReplicationPair;
  let library: TestDatabase;
  let knexLoads: string;
  beforeAll(async () => {
    pair = await createReplicationPair(
      'CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL, updated_at timestamptz NOT NULL); INSERT INTO notes VALUES (1, $$first$$, now());',
      'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, updated_at TEXT NOT NULL);',
    );
    library = await createTestDatabase('statelib');
    // records every load of knex in the CLI's process
    knexLoads = pair.dir.file('knex-loads.txt');
    const hook = pair.dir.file('knex-hook.cjs');
    writeFileSync(
      hook,
      `const M = require('node:module'); const load = M._load;
       M._load = function (request, ...rest) { if (request === 'knex') require('node:fs').appendFileSync(${JSON.stringify(knexLoads)}, request + '\\n'); return load.call(this, request, ...rest); };`,
    );
    const r = await spawnCli(['run', '--direction', 'pg-to-sqlite', ...pair.flags, '--json'], { cwd: pair.dir.path, env: { NODE_OPTIONS: `--require ${hook}` } });
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await library.drop();
    await pair.cleanup();
  });

  it('copies the rows without loading knex', () => {
    expect(pair.sqlite().prepare('SELECT id, body FROM notes').all()).toEqual([{ id: 1n, body: 'first' }]);
    expect(existsSync(knexLoads) ? readFileSync(knexLoads, 'utf8') : '').toBe('');
  });

  it("leaves in the SQLite file the tables and indexes knex writes for the library", () => {
    const cli = sqliteShape(pair.sqlite());
    const created = ALL.filter((n) => cli.some((t) => t.type === 'table' && t.name === stateTableName('sqlite', n)));
    expect(created.length).toBeGreaterThan(0);
    const reference = new Database(':memory:');
    for (const sql of stateTableDdl('sqlite', created)) reference.exec(sql);
    expect(cli).toEqual(sqliteShape(reference));
    reference.close();
  });

  it('leaves in PostgreSQL the tables and indexes knex writes for the library', async () => {
    const cli = await pair.db.query<{ table: string }>(POSTGRES_SHAPE, [STATE_SCHEMA]);
    const created = ALL.filter((n) => cli.some((r) => r.table === stateTableName('postgres', n)));
    expect(created.length).toBeGreaterThan(0);
    await library.exec(`CREATE SCHEMA "${STATE_SCHEMA}"; ${stateTableDdl('postgres', created).join(';\n')}`);
    expect(cli).toEqual(await library.query(POSTGRES_SHAPE, [STATE_SCHEMA]));
  });
});
