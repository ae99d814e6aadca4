/**
 * After copying rows with their ids into PostgreSQL, the serial/identity sequences of those
 * columns must hand out ids past the copied ones, or the application's next INSERT fails
 * with a duplicate key. A sequence only ever moves forward: one already past max(id) (ids
 * handed out elsewhere, rows deleted) is left where it is, and so is the sequence of an
 * empty table (it stays at its start value).
 */
import type pg from 'pg';
import { qualified, quoteIdent } from '../../sql/quote.js';
import type { TablePlan } from '../run-plan.js';

interface OwnedSequence {
  table: string;
  col: string;
  seq: string;
}

/** The column-owned sequences of every table in a schema. */
async function ownedSequences(client: pg.Client, schema: string): Promise<OwnedSequence[]> {
  // the dependency pg_get_serial_sequence follows: 'a' for a serial's sequence, 'i' for an identity column's
  const r = await client.query<OwnedSequence>(
    `SELECT c.relname::text AS table, a.attname::text AS col, quote_ident(sn.nspname) || '.' || quote_ident(s.relname) AS seq
       FROM pg_depend d
       JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
       JOIN pg_namespace sn ON sn.oid = s.relnamespace
       JOIN pg_class c ON c.oid = d.refobjid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid AND NOT a.attisdropped
      WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
        AND d.deptype IN ('a', 'i') AND n.nspname = $1`,
    [schema],
  );
  return r.rows;
}

export interface SequenceAdvancer {
  advance(table: TablePlan): Promise<void>;
}

/** Reads asked for ahead (prefetchOwnedSequences), per session and schema, until an advancer takes them. */
const asked = new WeakMap<pg.Client, Map<string, Promise<OwnedSequence[]>>>();

/**
 * Ask for the schema's owned sequences now, for the next advancer made on this session to
 * take instead of asking itself: the engine asks once its tables exist (after
 * --create-missing made its own) and it has work to do before the first table finishes,
 * so the server answers meanwhile instead of the first table waiting a round trip (bench
 * case d).
 */
export function prefetchOwnedSequences(client: pg.Client, schema: string): void {
  const p = ownedSequences(client, schema);
  p.catch(() => undefined); // a failure reaches the advancer that takes it, as its own read's would
  let bySchema = asked.get(client);
  if (!bySchema) asked.set(client, (bySchema = new Map()));
  bySchema.set(schema, p);
}

/** The read asked for ahead on this session, taken (an advancer made later asks afresh). */
function takeAsked(client: pg.Client, schema: string): Promise<OwnedSequence[]> | null {
  const p = asked.get(client)?.get(schema) ?? null;
  asked.get(client)?.delete(schema);
  return p;
}

/**
 * For one run: the schema's owned sequences are read once, at the first table a run
 * finishes (one query, not one per table), unless they were asked for ahead. A run creates
 * its tables (--create-missing) before it loads the first one, so they are in it.
 */
export function sequenceAdvancer(client: pg.Client, schema: string): SequenceAdvancer {
  let owned: Promise<OwnedSequence[]> | null = null;
  let ahead = true;
  return {
    async advance(table) {
      const early = ahead ? takeAsked(client, schema) : null;
      ahead = false;
      owned ??= (early ?? ownedSequences(client, schema)).catch((e: unknown) => {
        owned = null; // not remembered: the next table asks again
        throw e;
      });
      const columns = new Set(table.columns.map((c) => c.pg));
      const mine = (await owned).filter((o) => o.table === table.table && columns.has(o.col));
      await advanceOwned(client, qualified(schema, table.table), mine);
    },
  };
}

export async function advancePostgresSequences(client: pg.Client, schema: string, table: TablePlan): Promise<void> {
  await sequenceAdvancer(client, schema).advance(table);
}

async function advanceOwned(client: pg.Client, target: string, owned: readonly OwnedSequence[]): Promise<void> {
  for (const { col, seq } of owned) {
    // the next value the sequence would give is last_value (not yet called) or last_value + increment
    await client.query(
      `SELECT setval(q.seqrelid, mx.m, true)
         FROM pg_sequence q,
              (SELECT max(${quoteIdent(col)})::bigint AS m FROM ${target}) mx,
              (SELECT last_value, is_called FROM ${seq}) s
        WHERE q.seqrelid = $1::regclass AND q.seqincrement > 0 AND mx.m IS NOT NULL
          AND mx.m >= CASE WHEN s.is_called THEN s.last_value + q.seqincrement ELSE s.last_value END`,
      [seq],
    );
  }
}
