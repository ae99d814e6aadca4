/**
 * A user mistypes a name on the command line or in the config file: a PostgreSQL schema,
 * the mappings directory, a --param, the --tables list. Each is refused with exit 2 and a
 * message naming what was wrong, before anything is written, instead of a run that
 * "succeeds" on nothing, or on the generated mappings without the terminal's row filter.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `
  CREATE TABLE parent (id bigint PRIMARY KEY, name text NOT NULL);
  CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint NOT NULL REFERENCES parent(id), note text);
  INSERT INTO parent VALUES (1, 'one'), (2, 'two'), (99, 'other store');
  INSERT INTO child SELECT g, (ARRAY[1, 99, 2])[1 + g % 3], 'note ' || g FROM generate_series(1, 10) g;`;
const SQLITE = `
  CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id), note TEXT);`;

let pair: ReplicationPair;
let mappingsDir: string;
const cli = (args: string[], env?: Record<string, string>): Promise<CliResult> => runCli([...args, ...pair.flags], { cwd: pair.dir.path, ...(env ? { env } : {}) });
const mappingFiles = (): Record<string, string> => Object.fromEntries(readdirSync(mappingsDir).map((f) => [f, readFileSync(join(mappingsDir, f), 'utf8')]));
const childRowsInTerminal = (): number => Number(pair.sqlite().prepare('SELECT count(*) FROM child').pluck().get());

beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  const map = await runCli(['map', ...pair.flags], { cwd: pair.dir.path });
  expect(map.code, map.stderr).toBe(0);
  mappingsDir = join(pair.dir.path, 'mappings');
  // the terminal keeps only its own parent's children
  const file = join(mappingsDir, 'child.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^filter: null/m, 'filter: "parent_id = :p"'));
});
afterAll(() => pair.cleanup());

describe('a PostgreSQL schema that does not exist', () => {
  it('is refused by every command, naming the schema and the database, and nothing is written', async () => {
    const before = mappingFiles();
    const commands = [
      ['run', '--direction', 'sqlite-to-pg'],
      ['run', '--direction', 'pg-to-sqlite', '--param', 'p=2'],
      ['run', '--direction', 'sqlite-to-pg', '--dry-run'],
      ['verify'],
      ['map'],
      ['fix-script', '--stdout'],
      ['status'],
      ['reset'],
    ];
    for (const command of commands) {
      const r = await cli([...command, '--schema', 'nosuch']);
      expect(r.code, `${command.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr, command.join(' ')).toContain(`schema "nosuch" does not exist in database "${pair.db.name}"`);
    }
    // the same schema named through the environment
    const env = await cli(['run', '--direction', 'sqlite-to-pg'], { PG_SCHEMA: 'nosuch' });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('schema "nosuch" does not exist');

    expect(mappingFiles()).toEqual(before); // map kept every file's fingerprint
    const state = await pair.db.query<{ found: boolean }>("SELECT to_regnamespace('replicate') IS NOT NULL AS found");
    expect(state[0]?.found).toBe(false);
    expect(pair.sqlite().prepare("SELECT count(*) FROM sqlite_master WHERE name LIKE '_replicate%'").pluck().get()).toBe(0n);
    expect(childRowsInTerminal()).toBe(0);
  });

  it('is not created by run --create-missing: the user is told to create it first', async () => {
    const r = await cli(['run', '--direction', 'sqlite-to-pg', '--create-missing', '--param', 'p=2', '--schema', 'sales']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('schema "sales" does not exist');
    expect(r.stderr).toContain('CREATE SCHEMA "sales"');
    const created = await pair.db.query<{ found: boolean }>("SELECT to_regnamespace('sales') IS NOT NULL AS found");
    expect(created[0]?.found).toBe(false);
  });

  it('an empty schema name is refused, from the flag as from the environment', async () => {
    const flag = await cli(['verify', '--schema', '']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--schema is empty');
    const env = await cli(['status'], { PG_SCHEMA: '' });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('PG_SCHEMA is set but empty');
  });
});

describe('a mistyped mappings directory or --param', () => {
  it('a --mappings directory that does not exist is refused, so the row filter is not dropped', async () => {
    const r = await cli(['run', '--direction', 'pg-to-sqlite', '--mappings', './mapings', '--param', 'p=2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`mappings directory ${join(pair.dir.path, 'mapings')} (--mappings) does not exist`);
    expect(childRowsInTerminal()).toBe(0);
  });

  it('so is a "mappings" in the config file that does not exist, naming the file', async () => {
    const config = join(pair.dir.path, 'typo.config.json');
    writeFileSync(config, JSON.stringify({ mappings: 'mapings' }));
    const r = await cli(['run', '--direction', 'pg-to-sqlite', '--param', 'p=2', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(config);
    expect(r.stderr).toContain('mapings');
    expect(childRowsInTerminal()).toBe(0);
  });

  it('a --param no row filter uses is refused, naming it and the params the filters use', async () => {
    const r = await cli(['run', '--direction', 'pg-to-sqlite', '--param', 'q=2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('param q was given a value');
    expect(r.stderr).toContain('the filters use :p');
    expect(childRowsInTerminal()).toBe(0);
  });

  it('the names spelled right copy only the filtered rows', async () => {
    const r = await cli(['run', '--direction', 'pg-to-sqlite', '--mappings', './mappings', '--param', 'p=2']);
    expect(r.code, r.stderr).toBe(0);
    expect(pair.sqlite().prepare('SELECT DISTINCT parent_id FROM child').pluck().all()).toEqual([2n]);
    expect(childRowsInTerminal()).toBe(3);
  });
});

describe('a --tables list that names no table', () => {
  it('is refused rather than run as a run of 0 tables', async () => {
    for (const tables of [',', ' , ', '']) {
      const r = await cli(['run', '--direction', 'sqlite-to-pg', '--tables', tables]);
      expect(r.code, JSON.stringify(tables)).toBe(2);
      expect(r.stderr).toContain('--tables names no table');
    }
  });
});
