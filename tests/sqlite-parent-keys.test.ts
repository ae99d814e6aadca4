/**
 * The parent keys a first load holds in memory answer exactly what SQLite's own lookup
 * answers, for every kind of value a column can hold: whatever they answer agrees with
 * `WHERE key IN (?)`, and what they cannot answer (upper-case uuids, blobs, text in an
 * INTEGER column, integers past 2^53) they leave to SQLite.
 */
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { readParentKeys } from '../src/replicator/io/sqlite-parent-keys.js';
import { tempDir } from './harness/sqlite.js';

const dir = tempDir();
const opened: Database.Database[] = [];
afterAll(() => {
  for (const db of opened) db.close();
  dir.remove();
});

const u = (n: number): string => `0b6f2a56-6f0e-4c55-9d0a-${n.toString(16).padStart(12, '0')}`;

function open(): Database.Database {
  const db = new Database(dir.file(`keys-${Math.random().toString(36).slice(2)}.db`));
  db.defaultSafeIntegers(true);
  opened.push(db);
  return db;
}

/** has(v) wherever it answers, against SQLite's lookup; returns how many it answered */
function agreesWithSqlite(db: Database.Database, table: string, column: string, affinity: string, probes: unknown[]): number {
  const keys = readParentKeys(db, table, column, affinity, 1_000_000);
  expect(keys).not.toBeNull();
  const lookup = db.prepare(`SELECT count(*) FROM "${table}" WHERE "${column}" IN (?)`).pluck();
  let answered = 0;
  for (const v of probes) {
    const held = keys?.has(v);
    if (held === -1) continue;
    answered++;
    expect([v, held]).toEqual([v, Number(lookup.get(v as string))]);
  }
  return answered;
}

describe('parent keys held in memory', () => {
  it('answer for canonical uuids in a TEXT key exactly as SQLite does, and leave every other value to it', () => {
    const db = open();
    db.exec(`CREATE TABLE customers (id TEXT NOT NULL PRIMARY KEY)`);
    const add = db.prepare('INSERT INTO customers VALUES (?)');
    // more than one read's worth of keys, with gaps
    db.transaction(() => {
      for (let n = 0; n < 20000; n += 2) add.run(u(n));
    })();
    add.run(u(7).toUpperCase());
    add.run('{' + u(9) + '}');
    add.run('not a uuid');
    add.run(Buffer.from(u(11)));
    add.run('ä'.repeat(36));
    const probes: unknown[] = [u(0), u(2), u(19998), u(1), u(19999), u(20000), u(7), u(7).toUpperCase(), u(9), '{' + u(9) + '}', u(11),
      Buffer.from(u(11)), 'not a uuid', '', 42, 42n, null, 'ä'.repeat(36)];
    const answered = agreesWithSqlite(db, 'customers', 'id', 'TEXT', probes);
    // the canonical ones, present or not
    expect(answered).toBe(9);
  });

  it('answer for safe integers in an INTEGER key exactly as SQLite does, rowid or not', () => {
    const db = open();
    db.exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY); CREATE TABLE lines (k INTEGER UNIQUE)`);
    const order = db.prepare('INSERT INTO orders VALUES (?)');
    db.transaction(() => {
      for (let n = -50; n < 20000; n += 3) order.run(BigInt(n));
    })();
    order.run(2n ** 62n);
    const line = db.prepare('INSERT INTO lines VALUES (?)');
    for (const v of [1n, 5n, 2.5, 'text', Buffer.from('x'), null, -(2n ** 60n), 9007199254740993n, 1e300]) line.run(v);
    const probes: unknown[] = [-50, -50n, -49, 1, 4n, 19999n, 19997, 20000, 2n ** 62n, 2.5, 5, 5n, 5.0, 1.5, 'text', '5', '4', Buffer.from('x'), -(2n ** 60n),
      9007199254740993n, 9007199254740991n, 1e300, null];
    expect(agreesWithSqlite(db, 'orders', 'id', 'INTEGER', probes)).toBe(12);
    expect(agreesWithSqlite(db, 'lines', 'k', 'INTEGER', probes)).toBe(12);
  });

  it('are not read for a parent larger than the budget', () => {
    const db = open();
    db.exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY); INSERT INTO orders VALUES (1), (2), (3)`);
    expect(readParentKeys(db, 'orders', 'id', 'INTEGER', 2)).toBeNull();
    expect(readParentKeys(db, 'orders', 'id', 'INTEGER', 3)?.has(3)).toBe(1);
  });
});
