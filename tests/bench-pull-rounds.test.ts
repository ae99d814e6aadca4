/**
 * The benchmark's pull rounds (d.pull) at a tiny scale: a terminal's file loaded from
 * PostgreSQL, then each round changes another 0.1% of orders and order lines in PostgreSQL
 * and one incremental pg-to-sqlite command lands exactly those rows in the file.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPosSqliteSchema } from '../bench/generate-pos.js';
import { changePostgresFraction, incrementalRounds } from '../bench/incremental-rounds.js';
import { spawnCli } from './harness/cli.js';
import { loadedBenchPair, type BenchPair } from './harness/bench-pair.js';

let pair: BenchPair;
let terminal: string;
beforeAll(async () => {
  pair = await loadedBenchPair('pull');
  terminal = pair.dir.file('terminal.db');
  createPosSqliteSchema(terminal);
  const down = await spawnCli(['run', '--direction', 'pg-to-sqlite', '--sqlite', terminal, '--pg', pair.db.url, '--json'], { cwd: pair.dir.path });
  expect(down.code, down.stderr).toBe(0);
});
afterAll(async () => {
  await pair.db.drop();
  pair.dir.remove();
});

describe('case d the other way: pulls from PostgreSQL', () => {
  it("lands each round's rows changed in PostgreSQL, and only those, with its time, memory and CPU", async () => {
    const url = pair.db.url;
    const rounds = await incrementalRounds({ sqlitePath: terminal, url, direction: 'pg-to-sqlite', rounds: 2, change: (round) => changePostgresFraction(url, 0.01, round), before: async () => undefined, timeoutMs: 60_000 });
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
      const central = await pair.db.query<{ n: string }>("SELECT count(*) AS n FROM orders WHERE notes = 'pulled by the terminal'");
      expect(pulled).toBe(Number(central[0]?.n));
      expect(pulled).toBeGreaterThan(0);
    } finally {
      file.close();
    }
  });
});
