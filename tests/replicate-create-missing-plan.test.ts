/**
 * `run --create-missing --dry-run` shows what `run --create-missing` will do, in both
 * directions: the tables it creates (and what follows their data), each in the load
 * order with its mode and rows, writing nothing. What the run cannot load, a table with
 * no key, or a foreign key to a parent the run neither finds nor creates (--tables), is
 * refused by both before anything is created, naming the table and what to do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createReplicator } from '../src/replicator/create-replicator.js';
import type { RunPlan, TablePlan } from '../src/replicator/run-plan.js';
import { runCli, type CliResult } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const SQLITE_SHOP = `
  CREATE TABLE stores (id INTEGER PRIMARY KEY, name TEXT NOT NULL, updated_at DATETIME NOT NULL);
  CREATE TABLE items (id INTEGER PRIMARY KEY, store_id INTEGER NOT NULL REFERENCES stores(id), name TEXT NOT NULL, updated_at DATETIME NOT NULL);
  CREATE INDEX items_store ON items (store_id);
  CREATE TABLE tags (store_id INTEGER NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (store_id, tag));
  INSERT INTO stores VALUES (1, 'north', '2025-01-01T10:00:00.000Z'), (2, 'south', '2025-01-01T10:00:00.000Z'), (3, 'east', '2025-01-01T10:00:00.000Z');
  INSERT INTO items VALUES (1, 1, 'tea', '2025-01-02T10:00:00.000Z'), (2, 1, 'milk', '2025-01-02T10:00:00.000Z'), (3, 2, 'bread', '2025-01-02T10:00:00.000Z'),
                           (4, 2, 'jam', '2025-01-02T10:00:00.000Z'), (5, 3, 'salt', '2025-01-02T10:00:00.000Z'), (6, 3, 'rice', '2025-01-02T10:00:00.000Z');
  INSERT INTO tags VALUES (1, 'open late'), (2, 'parking');`;

const PG_SHOP = `
  CREATE TABLE stores (id bigint PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL);
  CREATE TABLE items (id bigint PRIMARY KEY, store_id bigint NOT NULL REFERENCES stores(id), name text NOT NULL, updated_at timestamptz NOT NULL);
  CREATE INDEX items_store ON items (store_id);
  CREATE TABLE tags (store_id bigint NOT NULL, tag text NOT NULL, PRIMARY KEY (store_id, tag));
  INSERT INTO stores VALUES (1, 'north', '2025-01-01T10:00:00Z'), (2, 'south', '2025-01-01T10:00:00Z'), (3, 'east', '2025-01-01T10:00:00Z');
  INSERT INTO items VALUES (1, 1, 'tea', '2025-01-02T10:00:00Z'), (2, 1, 'milk', '2025-01-02T10:00:00Z'), (3, 2, 'bread', '2025-01-02T10:00:00Z'),
                           (4, 2, 'jam', '2025-01-02T10:00:00Z'), (5, 3, 'salt', '2025-01-02T10:00:00Z'), (6, 3, 'rice', '2025-01-02T10:00:00Z');
  INSERT INTO tags VALUES (1, 'open late'), (2, 'parking');`;

/** an empty SQLite database (a file SQLite recognises, with no tables) */
const EMPTY_SQLITE = 'PRAGMA user_version = 1;';

type Direction = 'sqlite-to-pg' | 'pg-to-sqlite';

let pairs: ReplicationPair[] = [];
afterEach(async () => {
  for (const p of pairs) await p.cleanup();
  pairs = [];
});

async function shop(direction: Direction): Promise<ReplicationPair> {
  const p = direction === 'sqlite-to-pg' ? await createReplicationPair('', SQLITE_SHOP) : await createReplicationPair(PG_SHOP, EMPTY_SQLITE);
  pairs.push(p);
  return p;
}

const cli = (p: ReplicationPair, direction: Direction, ...extra: string[]): Promise<CliResult> =>
  runCli(['run', '--direction', direction, ...p.flags, ...extra], { cwd: p.dir.path });

/** The tables the target holds (the user's, not replicate's state). */
async function targetTables(p: ReplicationPair, direction: Direction): Promise<string[]> {
  if (direction === 'sqlite-to-pg') return (await p.db.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).map((r) => r.t);
  const s = new Database(p.sqlitePath, { readonly: true });
  try {
    return (s.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_replicate%' ESCAPE '\\' ORDER BY 1").pluck().all() as string[]);
  } finally {
    s.close();
  }
}

async function rowCounts(p: ReplicationPair, direction: Direction, tables: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (direction === 'sqlite-to-pg') {
    for (const t of tables) out[t] = (await p.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`))[0]?.n ?? -1;
    return out;
  }
  const s = new Database(p.sqlitePath, { readonly: true });
  try {
    for (const t of tables) out[t] = s.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
  } finally {
    s.close();
  }
  return out;
}

/** "  items: incremental, ~6 rows at the source": each table as the run announces it, in its order */
function announced(stdout: string): [string, string, number][] {
  return [...stdout.matchAll(/^ {2}(\w+): (incremental|full), ~(\d+) rows at the source$/gm)].map((m) => [m[1] ?? '', m[2] ?? '', Number(m[3])]);
}

/** A plan's tables as the run carries them out: everything but the estimate, which the run makes per table. */
const shape = (plan: RunPlan): Omit<TablePlan, 'estimatedRows'>[] => plan.tables.map(({ estimatedRows: _e, ...t }) => t);

describe.each(['sqlite-to-pg', 'pg-to-sqlite'] as const)('run --create-missing %s into an empty database', (direction) => {
  it('the dry run lists the tables the run creates, in its order, with their mode and rows; the run then does just that', async () => {
    const p = await shop(direction);
    const dry = await cli(p, direction, '--create-missing', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).not.toContain('nothing to replicate');
    expect(dry.stdout).not.toContain('missing in');
    expect(dry.stdout).toMatch(/^Plan \S+: 3 tables, parents before children$/m);
    for (const t of ['stores', 'items', 'tags']) expect(dry.stdout).toContain(`  - ${t}: --create-missing creates it (`);
    if (direction === 'sqlite-to-pg') expect(dry.stdout).toContain('  - items: after its data: foreign key items_fk1 (store_id) -> stores (id); index items_updated_at_idx (updated_at); index items_store_id_idx (store_id)');
    else expect(dry.stdout).toContain('  - items: --create-missing creates it (primary key (id) and foreign key (store_id) -> stores (id) in its CREATE TABLE, where SQLite declares constraints;');
    const json = await cli(p, direction, '--create-missing', '--dry-run', '--json');
    const plan = JSON.parse(json.stdout) as RunPlan;
    const planned = plan.tables.map((t): [string, string, number] => [t.table, t.mode, t.estimatedRows]);
    expect(planned).toEqual([
      ['stores', 'incremental', 3],
      ['items', 'incremental', 6],
      ['tags', 'full', 2],
    ]);
    expect(await targetTables(p, direction), 'the dry run writes nothing').toEqual([]);

    const run = await cli(p, direction, '--create-missing');
    expect(run.code, run.stderr).toBe(0);
    expect(announced(run.stdout)).toEqual(planned);
    expect(await rowCounts(p, direction, ['stores', 'items', 'tags'])).toEqual({ stores: 3, items: 6, tags: 2 });
  });

  it("the dry run's plan is the plan the run carries out (the library's plan() and the run's plan event)", async () => {
    const p = await shop(direction);
    const replicator = createReplicator({ sqlitePath: p.sqlitePath, pgUrl: p.db.url });
    const dry = await replicator.plan({ direction, createMissing: true });
    let ran: RunPlan | null = null;
    replicator.on('plan', (e) => (ran = e.plan));
    const summary = await replicator.syncAll({ direction, createMissing: true });
    expect(summary.status).toBe('done');
    expect(ran).not.toBeNull();
    expect(shape(dry)).toEqual(shape(ran ?? dry));
  });
});

describe('what --create-missing cannot load is refused before anything is created', () => {
  const KEYS = `
    CREATE TABLE same (id INTEGER PRIMARY KEY, updated_at DATETIME NOT NULL);
    CREATE TABLE comp (a INTEGER NOT NULL, b INTEGER NOT NULL, v TEXT, PRIMARY KEY (a, b));
    CREATE TABLE nocur (k TEXT PRIMARY KEY, v TEXT);
    CREATE TABLE nopk (x INTEGER, y TEXT);
    INSERT INTO same VALUES (1, '2025-01-01T10:00:00.000Z'), (2, '2025-01-01T11:00:00.000Z');
    INSERT INTO comp VALUES (1, 1, 'a'), (1, 2, 'b'), (2, 1, 'c');
    INSERT INTO nocur VALUES ('x', '1'), ('y', '2');
    INSERT INTO nopk VALUES (1, 'one'), (2, 'two'), (2, 'two');`;

  it('a source table without a primary key: the dry run and the run exit 2 naming it, and nothing is created', async () => {
    const p = await createReplicationPair('', KEYS);
    pairs.push(p);
    const dry = await cli(p, 'sqlite-to-pg', '--create-missing', '--dry-run');
    const run = await cli(p, 'sqlite-to-pg', '--create-missing');
    for (const r of [dry, run]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('nopk: no primary key in SQLite and none set in its mapping, so --create-missing would create a table this run cannot upsert into; nothing was created.');
      expect(r.stderr).toContain('set `key` in the mapping file');
      expect(r.stderr).toContain('or leave it out with --tables');
    }
    expect(await targetTables(p, 'sqlite-to-pg')).toEqual([]);

    // left out with --tables, the rest goes through, as its dry run says
    const tables = ['--tables', 'same,comp,nocur', '--create-missing'];
    const dryRest = await cli(p, 'sqlite-to-pg', ...tables, '--dry-run');
    expect(dryRest.code, dryRest.stderr).toBe(0);
    expect(dryRest.stdout).toMatch(/^Plan sqlite-to-pg: 3 tables/m);
    expect(dryRest.stdout).not.toContain('nopk');
    const rest = await cli(p, 'sqlite-to-pg', ...tables);
    expect(rest.code, rest.stderr).toBe(0);
    expect(await targetTables(p, 'sqlite-to-pg')).toEqual(['comp', 'nocur', 'same']);
    expect(await rowCounts(p, 'sqlite-to-pg', ['same', 'comp', 'nocur'])).toEqual({ same: 2, comp: 3, nocur: 2 });
  });

  it('a PostgreSQL table without a primary key, into SQLite: the same refusal', async () => {
    const p = await createReplicationPair('CREATE TABLE same (id bigint PRIMARY KEY); CREATE TABLE nopk (x int, y text); INSERT INTO nopk VALUES (1, \'one\');', EMPTY_SQLITE);
    pairs.push(p);
    for (const extra of [['--dry-run'], []]) {
      const r = await cli(p, 'pg-to-sqlite', '--create-missing', ...extra);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('nopk: no primary key in PostgreSQL and none set in its mapping, so --create-missing would create a table this run cannot upsert into; nothing was created.');
    }
    expect(await targetTables(p, 'pg-to-sqlite')).toEqual([]);
  });

  it.each(['sqlite-to-pg', 'pg-to-sqlite'] as const)(
    '%s --tables: only the tables named are created; one whose parent is missing and not named is refused',
    async (direction) => {
      const p = await shop(direction);
      const target = direction === 'sqlite-to-pg' ? 'PostgreSQL' : 'SQLite';
      for (const extra of [['--dry-run'], []]) {
        const r = await cli(p, direction, '--tables', 'items', '--create-missing', ...extra);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(
          `items: its foreign key (store_id) references stores, which is missing in ${target} and not in --tables, so --create-missing cannot create it with that key; nothing was created. Add stores to --tables (it is then created and its rows copied too), or create it in ${target} first`,
        );
      }
      expect(await targetTables(p, direction)).toEqual([]);

      const dry = await cli(p, direction, '--tables', 'items,stores', '--create-missing', '--dry-run');
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(/^Plan \S+: 2 tables/m);
      expect(dry.stdout).not.toContain('tags');
      const run = await cli(p, direction, '--tables', 'items,stores', '--create-missing');
      expect(run.code, run.stderr).toBe(0);
      expect(await targetTables(p, direction), 'tags is not in --tables: not created').toEqual(['items', 'stores']);
      expect(await rowCounts(p, direction, ['stores', 'items'])).toEqual({ stores: 3, items: 6 });
    },
  );
});
