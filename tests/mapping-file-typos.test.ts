/**
 * The user runs `replicate map`, edits the files, and mistypes a name in one: a
 * `sqlite_table` SQLite does not have, or a column pair whose names exist on neither side.
 * A run from SQLite used to note the table as missing (or the column as not replicated)
 * and exit 0, copying less than the user asked for. Now it is refused with exit 2, naming
 * the file, the key and the name, with the name it most likely meant, before anything is
 * written. What is not a typo keeps its note: the table missing on the run's target
 * (--create-missing or the fix script adds it), and a table only PostgreSQL has, whether
 * `map` wrote its file (recording that SQLite had no such table) or no file exists.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `
  CREATE TABLE parent (id bigint PRIMARY KEY, name text NOT NULL);
  CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint NOT NULL REFERENCES parent(id), note text);
  CREATE TABLE audit (id bigint PRIMARY KEY, what text);`;
const SQLITE = `
  CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id), note TEXT);
  INSERT INTO parent VALUES (1, 'one'), (2, 'two');
  INSERT INTO child VALUES (10, 1, 'a'), (11, 2, 'b');`;

let pair: ReplicationPair;
let mappingsDir: string;
const cli = (...args: string[]): Promise<CliResult> => runCli([...args, ...pair.flags], { cwd: pair.dir.path });
const fileOf = (table: string): string => join(mappingsDir, `${table}.yaml`);
const count = async (table: string): Promise<number> => Number((await pair.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]?.n);

/** Edits a mapping file as a user would; afterEach puts every file back as `map` wrote it. */
const originals = new Map<string, string>();
function edit(table: string, from: string, to: string): string {
  const file = fileOf(table);
  const text = readFileSync(file, 'utf8');
  if (!originals.has(file)) originals.set(file, text);
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
  return file;
}

beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  const map = await cli('map');
  expect(map.code, map.stderr).toBe(0);
  mappingsDir = join(pair.dir.path, 'mappings');
});
afterEach(() => {
  for (const [file, text] of originals) writeFileSync(file, text);
  originals.clear();
});
afterAll(() => pair.cleanup());

describe('a mistyped sqlite_table', () => {
  it('is refused by a run from SQLite and its dry run, naming the file, the key and the table, and nothing is written', async () => {
    const file = edit('child', 'sqlite_table: child', 'sqlite_table: chld');
    for (const dryRun of [[], ['--dry-run']]) {
      const r = await cli('run', '--direction', 'sqlite-to-pg', ...dryRun);
      expect(r.code, `${dryRun.join('')} ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`invalid mapping file ${file} (sqlite_table): SQLite has no table 'chld' (did you mean 'child'?)`);
    }
    expect(await count('parent')).toBe(0);
    expect(await count('child')).toBe(0);
  });

  it('is only a note where SQLite is the target: run --create-missing or the fix script adds it', async () => {
    edit('child', 'sqlite_table: child', 'sqlite_table: chld');
    const r = await cli('run', '--direction', 'pg-to-sqlite', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('child: missing in SQLite; run `replicate fix-script --apply` or `run --create-missing`');
  });
});

describe('a column pair whose names exist on neither side', () => {
  it('is refused, naming the file, the table and the column, and nothing is written', async () => {
    const file = edit('parent', '{ postgres: name, sqlite: name,', '{ postgres: nme, sqlite: nme,');
    const r = await cli('run', '--direction', 'sqlite-to-pg');
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(`invalid mapping file ${file} (columns.1): column nme of parent exists neither in PostgreSQL nor in SQLite (did you mean 'name'?)`);
    expect(await count('parent')).toBe(0);
    // verify calls it an error too: it blocks the run
    const v = await cli('verify');
    expect(v.code, v.stdout + v.stderr).toBe(1);
    expect(v.stdout).toMatch(/✗ error +missing_column nme \[both\]\n +mapped column exists on neither side; remove it from the mapping/);
  });

  it('one side missing is still a note: the column is not replicated', async () => {
    edit('child', '{ postgres: note, sqlite: note,', '{ postgres: note, sqlite: remark,');
    const r = await cli('run', '--direction', 'sqlite-to-pg', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('child.remark: missing in SQLite; not replicated');
  });
});

describe('a table only PostgreSQL has', () => {
  it('is a note on a run from SQLite, with the file `map` wrote for it and without one; the other tables land', async () => {
    const withFile = await cli('run', '--direction', 'sqlite-to-pg');
    expect(withFile.code, withFile.stderr).toBe(0);
    expect(withFile.stdout).toContain('audit: missing in SQLite, the source; nothing to copy');
    expect(await count('parent')).toBe(2);
    expect(await count('child')).toBe(2);
    rmSync(fileOf('audit'));
    const generated = await cli('run', '--direction', 'sqlite-to-pg');
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stdout).toContain('audit: missing in SQLite, the source; nothing to copy');
  });
});
