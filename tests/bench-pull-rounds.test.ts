/**
 * The benchmark's pull rounds (d.pull) at a tiny scale: a terminal's file loaded from
 * PostgreSQL, then each round changes another 0.1% of orders and order lines in PostgreSQL
 * and one incremental pg-to-sqlite command lands exactly those rows in the file.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPosSqliteSchema, generatePos, posPostgresSchemaPath, type GeneratedPos } from '../bench/generate-pos.js';
import { pullRounds } from '../bench/pull-rounds.js';
import { runSqlFile } from '../bench/pg-admin.js';
import { spawnCli } from './harness/cli.js';
import { createTestDatabase, type TestDatabase } from './harness/pg.js';
import { tempDir, type TempDir } from './harness/sqlite.js';

let dir: TempDir;
let db: TestDatabase;
let pos: GeneratedPos;
let terminal: string;
beforeAll(async () => {
  dir = tempDir('replicate-bench-pull-');
  pos = generatePos(dir.file('pos.db'), { scale: 0.002 });
  db = await createTestDatabase('bpull');
  await runSqlFile(db.url, posPostgresSchemaPath());
  const up = await spawnCli(['run', '--direction', 'sqlite-to-pg', '--sqlite', pos.path, '--pg', db.url, '--json'], { cwd: dir.path });
  expect(up.code, up.stderr).toBe(0);
  terminal = dir.file('terminal.db');
  createPosSqliteSchema(terminal);
  const down = await spawnCli(['run', '--direction', 'pg-to-sqlite', '--sqlite', terminal, '--pg', db.url, '--json'], { cwd: dir.path });
  expect(down.code, down.stderr).toBe(0);
});
afterAll(async () => {
  await db.drop();
  dir.remove();
});

describe('case d the other way: pulls from PostgreSQL', () => {
  it("lands each round's rows changed in PostgreSQL, and only those, with its time, memory and CPU", async () => {
    const rounds = await pullRounds({ sqlitePath: terminal, url: db.url, rounds: 2, fraction: 0.01, before: async () => undefined, timeoutMs: 60_000 });
    expect(rounds).toHaveLength(2);
    for (const r of rounds) {
      expect(r.run.code).toBe(0);
      expect(r.changed).toBeGreaterThan(0);
      expect(r.run.written).toBe(r.changed);
      expect(r.run.ms).toBeGreaterThan(0);
      expect(r.run.peakRss).toBeGreaterThan(20e6);
    }
    const file = new Database(terminal, { readonly: true });
    try {
      const pulled = file.prepare("SELECT count(*) FROM orders WHERE notes = 'pulled by the terminal'").pluck().get() as number;
      const central = await db.query<{ n: string }>("SELECT count(*) AS n FROM orders WHERE notes = 'pulled by the terminal'");
      expect(pulled).toBe(Number(central[0]?.n));
      expect(pulled).toBeGreaterThan(0);
    } finally {
      file.close();
    }
  });
});
