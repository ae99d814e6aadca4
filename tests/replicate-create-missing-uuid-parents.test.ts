/**
 * A first migration of an app keyed by uuid texts (`run --create-missing`): the parents the
 * run writes are remembered as 16 bytes each (uuid-key-set.ts) so that their children need
 * not ask PostgreSQL, and that must never change which child lands. A child whose parent
 * key differs from a landed parent's only in letter case, or is missing, waits in the skip
 * ledger with its parent key; children of upper-case, nil and non-uuid keys land.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnownParents } from '../src/replicator/engine/known-parents.js';
import { UuidKeySet } from '../src/replicator/engine/uuid-key-set.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const SQLITE = `
  CREATE TABLE customers (id TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE orders (id TEXT NOT NULL PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id), total DECIMAL(12,2) NOT NULL);`;

const CUSTOMERS = Array.from({ length: 300 }, () => randomUUID());
const UPPER = randomUUID().toUpperCase();
const NIL = '00000000-0000-0000-0000-000000000000';
const WALK_IN = 'walk-in';
const MISSING = randomUUID();
/** parent key of each order, and whether it must land */
const ORDERS: { parent: string; lands: boolean }[] = [
  ...CUSTOMERS.map((c) => ({ parent: c, lands: true })),
  { parent: UPPER, lands: true },
  { parent: NIL, lands: true },
  { parent: WALK_IN, lands: true },
  { parent: (CUSTOMERS[7] as string).toUpperCase(), lands: false },
  { parent: UPPER.toLowerCase(), lands: false },
  { parent: MISSING, lands: false },
];

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair('', SQLITE);
  const s = pair.sqlite();
  s.pragma('foreign_keys = OFF');
  s.transaction(() => {
    for (const id of [...CUSTOMERS, UPPER, NIL, WALK_IN]) s.prepare('INSERT INTO customers VALUES (?, ?)').run(id, `customer ${id}`);
    ORDERS.forEach((o, i) => s.prepare('INSERT INTO orders VALUES (?, ?, ?)').run(`order-${String(i).padStart(4, '0')}`, o.parent, `${i}.50`));
  })();
  s.close();
});
afterAll(() => pair.cleanup());

describe('run --create-missing with uuid-text keys', () => {
  it('lands the children of every landed parent and holds back the rest with their parent keys', async () => {
    const r = await pair.run('sqlite-to-pg', '--create-missing', '--batch-size', '40');
    expect(r.code, r.stderr).toBe(3); // done, rows waiting
    const held = ORDERS.filter((o) => !o.lands);
    expect(r.json.tables.find((t) => t.name === 'orders')).toMatchObject({ read: ORDERS.length, written: ORDERS.length - held.length, skipped: held.length });
    const skipped = await pair.db.query<{ parent_key: string }>("SELECT parent_key FROM replicate.skipped_rows WHERE table_name = 'orders'");
    expect(skipped).toHaveLength(held.length);
    for (const o of held) expect(skipped.filter((s) => s.parent_key.includes(JSON.stringify(o.parent))), o.parent).toHaveLength(1);
    // the foreign key added after the data holds: no child of an absent parent got in
    const fk = await pair.db.query<{ convalidated: boolean }>("SELECT convalidated FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype = 'f'");
    expect(fk).toEqual([{ convalidated: true }]);
  });

  it('keeps uuids as bytes with the same answers as their text, within its memory budget', () => {
    const set = new UuidKeySet();
    const added = Array.from({ length: 5000 }, () => randomUUID());
    for (const k of added) expect(set.add(k)).toBe(true);
    expect(set.add(NIL)).toBe(true);
    expect(set.size).toBe(5001);
    for (const k of added) expect(set.lookup(k)).toBe(1);
    expect(set.lookup(NIL)).toBe(1);
    expect(set.lookup(randomUUID())).toBe(0);
    // not canonical lowercase: never held as bytes, so the caller keeps them as text
    const first = added[0] as string;
    for (const k of [first.toUpperCase(), first.replace(/-/g, ''), `{${first}}`, `${first.slice(0, 35)}g`, `é${first.slice(1)}`, `${first.slice(0, 13)}x${first.slice(14)}`, WALK_IN]) {
      expect(set.add(k)).toBe(false);
      expect(set.lookup(k)).toBe(-1);
    }

    const known = new KnownParents(200_000);
    known.track('customers', 'id', 0);
    known.remember('customers', [[UPPER], [WALK_IN], ...CUSTOMERS.map((c) => [c])]);
    const keys = known.keysOf('customers', ['id']);
    expect(CUSTOMERS.every((c) => keys?.has(c))).toBe(true);
    expect([UPPER, WALK_IN].map((k) => keys?.has(k))).toEqual([true, true]);
    expect([UPPER.toLowerCase(), (CUSTOMERS[0] as string).toUpperCase(), MISSING].map((k) => keys?.has(k))).toEqual([false, false, false]);
    // past the budget nothing more is remembered, and the guard asks the target
    known.remember('customers', Array.from({ length: 20_000 }, () => [randomUUID()]));
    expect(known.tracks('customers')).toBe(false);
  });
});
