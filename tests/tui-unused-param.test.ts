/**
 * A terminal keeps only its own store's rows (a row filter with :p). The user opens the
 * terminal UI with the param mistyped, `replicate tui --param q=2` or `replicate run --tui
 * --param q=2`: as `replicate run --param q=2` is, it is refused with exit 2 and the same
 * message, before the UI opens or anything is copied, instead of a UI whose runs copy every
 * store's rows.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';
import { spawnTerminal } from './harness/terminal.js';

const PG = `
  CREATE TABLE parent (id bigint PRIMARY KEY, name text NOT NULL);
  CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint NOT NULL REFERENCES parent(id), note text);
  INSERT INTO parent VALUES (1, 'one'), (2, 'two');
  INSERT INTO child SELECT g, 1 + g % 2, 'note ' || g FROM generate_series(1, 6) g;`;
const SQLITE = `
  CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id), note TEXT);`;

let pair: ReplicationPair;
const MESSAGE = "param q was given a value, but no mapping's row filter uses :q (the filters use :p); nothing was copied: check the name and the mappings directory";

beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  const map = await runCli(['map', ...pair.flags], { cwd: pair.dir.path });
  expect(map.code, map.stderr).toBe(0);
  const file = join(pair.dir.path, 'mappings', 'child.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^filter: null/m, 'filter: "parent_id = :p"'));
});
afterAll(() => pair.cleanup());

describe('a --param no row filter uses, given to the terminal UI', () => {
  it('is refused as `run` refuses it', async () => {
    const run = await runCli(['run', '--direction', 'pg-to-sqlite', '--param', 'q=2', ...pair.flags], { cwd: pair.dir.path });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(MESSAGE);
  });

  it.each(['tui --param q=2', 'run --direction pg-to-sqlite --tui --param q=2'])('`replicate %s` exits 2 with the same message before the UI opens, and copies nothing', async (command) => {
    const t = spawnTerminal(process.execPath, [BIN, ...command.split(' '), ...pair.flags], { cols: 200, rows: 30, cwd: pair.dir.path });
    try {
      const status = await t.waitForExit(20_000);
      expect(status.exitCode, t.output()).toBe(2);
      expect(t.output().replace(/\r?\n/g, ' ')).toContain(MESSAGE);
      expect(t.output()).not.toContain('\u001b[?1049h');
    } finally {
      t.kill();
    }
    expect(pair.sqlite().prepare('SELECT count(*) FROM child').pluck().get()).toBe(0n);
  });
});
