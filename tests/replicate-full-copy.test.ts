/**
 * A first migration in each direction: every table of the point-of-sale pair arrives,
 * row for row and value for value (compared by content, not counts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { posFixturePaths } from '../src/demo/pos-fixture.js';
import { runCli } from './harness/cli.js';
import { comparisonFor, createReplicationPair, diffContent, type PlanJson, type ReplicationPair } from './harness/replication.js';

const fx = posFixturePaths();
const read = (p: string): string => readFileSync(p, 'utf8');
let pair: ReplicationPair | undefined;
afterEach(async () => {
  await pair?.cleanup();
  pair = undefined;
});

async function alignSqlite(p: ReplicationPair): Promise<void> {
  const r = await runCli(['fix-script', ...p.flags, '--apply'], { cwd: p.dir.path });
  expect(r.code, r.stderr).toBe(0);
}

async function expectSameContent(p: ReplicationPair, direction: string): Promise<number> {
  const dry = await runCli(['run', '--direction', direction, ...p.flags, '--dry-run', '--json'], { cwd: p.dir.path });
  expect(dry.code, dry.stderr).toBe(0);
  const plan = JSON.parse(dry.stdout) as PlanJson;
  let compared = 0;
  for (const { table, columns } of comparisonFor(plan)) {
    const diff = await diffContent(p.db, p.sqlitePath, table, columns);
    expect(diff, table.pg).toEqual({ onlyInSqlite: [], onlyInPostgres: [] });
    compared++;
  }
  return compared;
}

describe('a full copy equals its source', () => {
  it('sqlite-to-pg into an empty PostgreSQL schema', async () => {
    pair = await createReplicationPair(read(fx.postgresSchema), read(fx.sqliteSchema) + read(fx.sqliteData));
    await alignSqlite(pair);
    // the one value the terminal never had: every order's store is its terminal's
    const s = new Database(pair.sqlitePath);
    s.exec('UPDATE orders SET store_id = (SELECT store_id FROM terminals WHERE local_id = orders.terminal_id)');
    s.close();

    const r = await pair.run('sqlite-to-pg');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json.waiting).toEqual({ skipped: 0, rejected: 0 });
    const orders = r.json.tables.find((t) => t.name === 'orders');
    expect(orders).toMatchObject({ read: 51, written: 51, skipped: 0, rejected: 0 });
    expect(await expectSameContent(pair, 'sqlite-to-pg')).toBeGreaterThanOrEqual(11);
    // identity sequences continue past the copied ids
    const seq = await pair.db.query<{ next: string; max: string }>(
      "SELECT nextval(pg_get_serial_sequence('order_items', 'id'))::text AS next, (SELECT max(id) FROM order_items)::text AS max",
    );
    expect(BigInt(seq[0]?.next ?? '0')).toBeGreaterThan(BigInt(seq[0]?.max ?? '0'));
  });

  it('pg-to-sqlite into an empty SQLite schema', async () => {
    pair = await createReplicationPair(read(fx.postgresSchema) + read(fx.postgresData), read(fx.sqliteSchema));
    await alignSqlite(pair);
    const r = await pair.run('pg-to-sqlite');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json.tables.find((t) => t.name === 'orders')).toMatchObject({ read: 48, written: 48 });
    expect(await expectSameContent(pair, 'pg-to-sqlite')).toBeGreaterThanOrEqual(14);
  });
});
