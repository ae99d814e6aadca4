/**
 * The primary keys of the tables `run --create-missing` creates in PostgreSQL. A key whose
 * values SQLite keeps apart is built after the data, in one go (the plan says so), and
 * ends in place: always for integer keys; for uuid and text keys while every key value
 * written is one that no other can equal once converted. Two SQLite rows can share a key
 * in PostgreSQL (a uuid in upper and in lower case, or dashed and in 32 digits; a BLOB
 * beside the same text; a varchar(3) value with a trailing space; texts of invalid UTF-8
 * that read alike are rejected as such before they are written): the key is then built before the batch holding such a value, over the
 * rows already in, so the second row of a pair is rejected with the reason instead of
 * ending up twice in the table or failing the key at the end. On the reader thread (the
 * CLI) and in-process (the library from its sources). A uuid key in another spelling
 * beside the canonical one is rejected as such before it is written, as in any table
 * (io/sqlite-source-checks.ts), so the same row lands on every run. A key only the
 * mapping file sets, which SQLite does not hold unique, is declared with the table.
 * `run --dry-run --create-missing` says which.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicator } from '../src/index.js';
import { runCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const SQLITE = `
  CREATE TABLE devices (id UUID NOT NULL PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE readings (id INTEGER PRIMARY KEY, device_id UUID NOT NULL REFERENCES devices(id), value INTEGER NOT NULL);
  CREATE TABLE tags (name TEXT NOT NULL PRIMARY KEY, n INTEGER NOT NULL);
  CREATE TABLE codes (code VARCHAR(3) NOT NULL PRIMARY KEY, n INTEGER NOT NULL);
  CREATE TABLE visits (id TEXT NOT NULL PRIMARY KEY, n INTEGER NOT NULL);`;

/** sensors: a dashed uuid in the first batch, the same uuid in 32 digits in the third (keyset order: '-' sorts before '0') */
const SENSORS_SQLITE = 'CREATE TABLE sensors (id UUID NOT NULL PRIMARY KEY, n INTEGER NOT NULL);';
const DASHED = 'a0000000-0000-4000-8000-000000000000';
const COMPACT = DASHED.replaceAll('-', '');
const SENSORS = 1000;

const UPPER = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11';
const READINGS = 3000;
const VISITS = 1200;

function seedSensors(pair: ReplicationPair): void {
  const s = pair.sqlite();
  s.transaction(() => {
    const sensor = s.prepare('INSERT INTO sensors VALUES (?, ?)');
    sensor.run(DASHED, 0);
    for (let i = 1; i <= SENSORS; i++) sensor.run(`a0000000-0000-4000-8000-${String(i).padStart(12, '0')}`, i);
    sensor.run(COMPACT, -1);
  })();
  s.close();
}

/** sensors landed, and the compact twin of the first one rejected as another spelling of it */
async function expectSensors(pair: ReplicationPair): Promise<void> {
  const rows = await pair.db.query<{ n: number; total: string }>('SELECT count(*)::int AS n, sum(n)::text AS total FROM sensors');
  expect(rows).toEqual([{ n: SENSORS + 1, total: String((SENSORS * (SENSORS + 1)) / 2) }]);
  const rejected = await pair.db.query<{ row_key: string; reason: string }>("SELECT row_key, reason FROM replicate.rejected_rows WHERE table_name = 'sensors'");
  expect(rejected).toHaveLength(1);
  expect(rejected[0]?.row_key).toContain(COMPACT);
  expect(rejected[0]?.reason).toBe(`uuid key '${COMPACT}' is another spelling of '${DASHED}', which another row of sensors holds: PostgreSQL stores both as uuid ${DASHED}, one row, so only the row keyed '${DASHED}' is written`);
  const key = await pair.db.query("SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'sensors'::regclass AND contype = 'p'");
  expect(key).toEqual([{ def: 'PRIMARY KEY (id)' }]);
}

let pair: ReplicationPair;
const pairs: ReplicationPair[] = [];
beforeAll(async () => {
  pair = await createReplicationPair('', SQLITE);
  pairs.push(pair);
  const s = pair.sqlite();
  s.transaction(() => {
    s.prepare('INSERT INTO devices VALUES (?, ?)').run(UPPER, 'upper');
    s.prepare('INSERT INTO devices VALUES (?, ?)').run(UPPER.toLowerCase(), 'lower');
    s.prepare('INSERT INTO devices VALUES (?, ?)').run('b1ffcd88-8d1a-4ef8-bb6d-6bb9bd380a22', 'other');
    const reading = s.prepare('INSERT INTO readings VALUES (?, ?, ?)');
    for (let i = 1; i <= READINGS; i++) reading.run(i, 'b1ffcd88-8d1a-4ef8-bb6d-6bb9bd380a22', i * 3);
    // two texts SQLite holds apart that are read alike ('b' and U+FFFD), and a BLOB beside the same text
    s.exec("INSERT INTO tags VALUES ('a', 1), (CAST(X'62FF' AS TEXT), 2), (CAST(X'62FE' AS TEXT), 3), ('c', 4), (X'63', 5)");
    // PostgreSQL's varchar(3) cuts the trailing space off
    s.exec("INSERT INTO codes VALUES ('abc', 1), ('abc ', 2), ('xyz', 3)");
    const visit = s.prepare('INSERT INTO visits VALUES (?, ?)');
    for (let i = 1; i <= VISITS; i++) visit.run(`visit-${String(i).padStart(5, '0')}`, i);
  })();
  s.close();
});
afterAll(async () => {
  for (const p of pairs) await p.cleanup();
});

describe('primary keys of the tables run --create-missing creates', () => {
  it('--dry-run says per table when its key would be built, and creates nothing', async () => {
    const r = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--create-missing', '--dry-run'], { cwd: pair.dir.path });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('  - readings: --create-missing creates it (foreign keys and indexes after the data; primary key (id) after the data too, built from the rows in one go)');
    for (const [t, k] of [['devices', 'id'], ['tags', 'name'], ['codes', 'code'], ['visits', 'id']]) {
      expect(r.stdout).toContain(`  - ${t}: --create-missing creates it (foreign keys and indexes after the data; primary key (${k}) after the data too, unless a batch holds a key value that could equal another once converted`);
    }
    expect(r.stdout).not.toContain('missing in PostgreSQL');
    expect(await pair.db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).toEqual([]);
  });

  it('integer, uuid and text keys follow the data, and the plan says so', async () => {
    const r = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--create-missing', '--batch-size', '500'], { cwd: pair.dir.path });
    expect(r.code, r.stderr).toBe(3); // rows wait in the reject ledger
    const note = /created on the target: [a-z, ]+ \(constraints and indexes follow the data; so do the primary keys of (.*)\)\n/.exec(r.stdout);
    expect(note?.[1]).toContain('readings, each built from the rows in one go');
    for (const t of ['codes', 'devices', 'tags', 'visits']) expect(note?.[1]).toMatch(new RegExp(`and those of [a-z, ]*\\b${t}\\b[a-z, ]*, the same way unless a batch holds a key value that could equal another once converted`));
    const keys = await pair.db.query(
      `SELECT conrelid::regclass::text AS rel, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'p' AND connamespace = 'public'::regnamespace ORDER BY 1`,
    );
    expect(keys).toEqual(['codes', 'devices', 'readings', 'tags', 'visits'].map((rel) => ({ rel, def: rel === 'tags' ? 'PRIMARY KEY (name)' : rel === 'codes' ? 'PRIMARY KEY (code)' : 'PRIMARY KEY (id)' })));
    const sums = await pair.db.query<{ n: number; total: string }>('SELECT count(*)::int AS n, sum(value)::text AS total FROM readings');
    expect(sums).toEqual([{ n: READINGS, total: String((3 * READINGS * (READINGS + 1)) / 2) }]);
    const visits = await pair.db.query<{ n: number; total: string }>('SELECT count(*)::int AS n, sum(n)::text AS total FROM visits');
    expect(visits).toEqual([{ n: VISITS, total: String((VISITS * (VISITS + 1)) / 2) }]);
  });

  it('a uuid key written in two cases lands once, as the lowercase row; the upper-case one is rejected with the reason', async () => {
    const devices = await pair.db.query<{ id: string; name: string }>('SELECT id::text, name FROM devices ORDER BY name');
    expect(devices).toEqual([
      { id: UPPER.toLowerCase(), name: 'lower' },
      { id: 'b1ffcd88-8d1a-4ef8-bb6d-6bb9bd380a22', name: 'other' },
    ]);
    const rejected = await pair.db.query<{ row_key: string; reason: string }>("SELECT row_key, reason FROM replicate.rejected_rows WHERE table_name = 'devices'");
    expect(rejected).toEqual([{ row_key: `[["s","${UPPER}"]]`, reason: expect.stringContaining(`uuid key '${UPPER}' is another spelling of '${UPPER.toLowerCase()}'`) }]);
  });

  it('text keys that become one in PostgreSQL land once; the others are rejected with the reason', async () => {
    const tags = await pair.db.query<{ name: string; n: number }>('SELECT name, n FROM tags ORDER BY n');
    // the texts of invalid UTF-8 are rejected as such before the key sees them (io/sqlite-source-checks.ts)
    expect(tags.map((t) => t.name)).toEqual(['a', 'c']);
    const codes = await pair.db.query<{ code: string; n: number }>('SELECT code, n::int AS n FROM codes ORDER BY n');
    expect(codes).toEqual([
      { code: 'abc', n: 1 },
      { code: 'xyz', n: 3 },
    ]);
    const rejected = await pair.db.query<{ table_name: string; row_key: string; reason: string }>(
      "SELECT table_name, row_key, reason FROM replicate.rejected_rows WHERE table_name IN ('tags', 'codes') ORDER BY 1, 3",
    );
    // both texts of invalid UTF-8 read as one key, so the ledger holds one entry for them
    expect(rejected.map((r) => r.table_name)).toEqual(['codes', 'tags', 'tags']);
    const notUtf8 = rejected.filter((r) => r.reason.startsWith('key text is not valid UTF-8'));
    expect(notUtf8).toEqual([expect.objectContaining({ table_name: 'tags', row_key: '[["s","b\uFFFD"]]' })]);
    for (const r of rejected.filter((x) => !notUtf8.includes(x))) expect(r.reason).toMatch(new RegExp(`duplicate key value violates unique constraint "${r.table_name}_pkey"`));
  });

  it('a uuid in 32 digits two batches after its dashed twin: the key is built before its batch (reader thread)', async () => {
    const sensors = await createReplicationPair('', SENSORS_SQLITE);
    pairs.push(sensors);
    seedSensors(sensors);
    const r = await sensors.run('sqlite-to-pg', '--create-missing', '--batch-size', '500');
    expect(r.code, r.stderr).toBe(3);
    await expectSensors(sensors);
  });

  it('the same in-process (the library run from its sources)', async () => {
    const sensors = await createReplicationPair('', SENSORS_SQLITE);
    pairs.push(sensors);
    seedSensors(sensors);
    const summary = await createReplicator({ sqlitePath: sensors.sqlitePath, pgUrl: sensors.db.url }).syncAll({ direction: 'sqlite-to-pg', createMissing: true, batchSize: 500 });
    expect(summary.status).toBe('waiting');
    expect(summary.tables).toEqual([expect.objectContaining({ table: 'sensors', read: SENSORS + 2, written: SENSORS + 1, rejected: 1 })]);
    await expectSensors(sensors);
  });

  it('a key set in the mapping file that SQLite does not hold unique is declared with the table', async () => {
    const loose = await createReplicationPair('', "CREATE TABLE tallies (id INTEGER NOT NULL, n INTEGER NOT NULL); INSERT INTO tallies VALUES (1, 10), (2, 20), (1, 30);");
    pairs.push(loose);
    const map = await runCli(['map', ...loose.flags], { cwd: loose.dir.path });
    expect(map.code, map.stderr).toBe(0);
    const file = join(loose.dir.path, 'mappings', 'tallies.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('key: { postgres: [], sqlite: [], server_id: null }', 'key: { postgres: [id], sqlite: [id], server_id: null }'));
    const dry = await runCli(['run', '--direction', 'sqlite-to-pg', ...loose.flags, '--create-missing', '--dry-run'], { cwd: loose.dir.path });
    expect(dry.stdout).toContain('tallies: --create-missing creates it (foreign keys and indexes after the data; primary key (id) with the table (SQLite does not hold its values unique, or two of them could become one key in PostgreSQL))');
    const r = await runCli(['run', '--direction', 'sqlite-to-pg', ...loose.flags, '--create-missing'], { cwd: loose.dir.path });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toContain('created on the target: tallies (constraints and indexes follow the data)\n');
    expect(await loose.db.query<{ id: string; n: string }>('SELECT id::text, n::text FROM tallies ORDER BY n')).toEqual([
      { id: '1', n: '10' },
      { id: '2', n: '20' },
    ]);
    const rejected = await loose.db.query<{ reason: string }>('SELECT reason FROM replicate.rejected_rows');
    expect(rejected.map((x) => x.reason)).toEqual([expect.stringMatching(/duplicate key value violates unique constraint "tallies_pkey"/)]);
  });
});
