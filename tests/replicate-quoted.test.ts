/** A table and columns with quotes, spaces and non-ASCII letters replicate both ways like any other. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `
  CREATE TABLE "Branch Notes" (id integer PRIMARY KEY, "note's text" text NOT NULL, "café ""menu""" text, "更新" timestamptz NOT NULL);
  CREATE TABLE "ünïcode_表" ("ключ" integer PRIMARY KEY, "note id" integer REFERENCES "Branch Notes"(id), "wert" numeric(10,2));`;
const SQLITE = `
  CREATE TABLE "Branch Notes" (id INTEGER PRIMARY KEY, "note's text" TEXT NOT NULL, "café ""menu""" TEXT, "更新" DATETIME NOT NULL);
  CREATE TABLE "ünïcode_表" ("ключ" INTEGER PRIMARY KEY, "note id" INTEGER REFERENCES "Branch Notes"(id), "wert" DECIMAL(10,2));
  INSERT INTO "Branch Notes" VALUES (1, 'it''s "fine"', 'crème', '2025-11-05T10:00:00.000Z'), (2, 'tab	and
newline', NULL, '2025-11-05T10:00:01.000Z');
  INSERT INTO "ünïcode_表" VALUES (7, 1, '3.50'), (8, 2, NULL);`;

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
});
afterAll(() => pair.cleanup());

describe('quoted and unicode names', () => {
  it('replicate to PostgreSQL and back', async () => {
    const there = await pair.run('sqlite-to-pg');
    expect(there.code, there.stderr).toBe(0);
    expect(there.json.tables.map((t) => [t.name, t.written])).toEqual([
      ['Branch Notes', 2],
      ['ünïcode_表', 2],
    ]);
    const rows = await pair.db.query(`SELECT id, "note's text" AS t, "café ""menu""" AS c FROM "Branch Notes" ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, t: 'it\'s "fine"', c: 'crème' },
      { id: 2, t: 'tab\tand\nnewline', c: null },
    ]);
    await pair.db.exec(`UPDATE "ünïcode_表" SET "wert" = 9.99 WHERE "ключ" = 8; UPDATE "Branch Notes" SET "更新" = now() WHERE id = 2`);
    const back = await pair.run('pg-to-sqlite', '--full');
    expect(back.code, back.stderr).toBe(0);
    const s = pair.sqlite();
    expect(s.prepare(`SELECT "wert" AS w FROM "ünïcode_表" WHERE "ключ" = 8`).get()).toEqual({ w: 9.99 });
  });
});
