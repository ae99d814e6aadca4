/**
 * Key translation lookups (seed 002's local_id/server_id): SQLite keeps its own local key
 * and stores PostgreSQL's key in server_id, so FK values differ per side. Translation is
 * one set-based query per batch against the SQLite file, whichever side it is on.
 */
import type Database from 'better-sqlite3';
import { quoteIdent } from '../../sql/quote.js';
import type { PgText, SqliteValue } from '../values/codec.js';
import type { KeyLookup } from './fk-guard.js';

type Native = PgText | SqliteValue;

/** JSON cannot hold BigInt; json_each hands back INTEGER for integral numbers and TEXT for strings. */
function jsonValue(v: Native): string | number | null {
  if (v === null) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Buffer.isBuffer(v)) return v.toString('hex');
  return v;
}

const asText = (v: Native): string => (v === null ? '' : Buffer.isBuffer(v) ? v.toString('hex') : String(v));

export function sqliteKeyLookup(db: Database.Database, table: string, from: string, to: string): KeyLookup {
  const stmt = db
    .prepare(`SELECT ${quoteIdent(from)}, ${quoteIdent(to)} FROM ${quoteIdent(table)} WHERE ${quoteIdent(from)} IN (SELECT value FROM json_each(?))`)
    .raw(true)
    .safeIntegers(true);
  return async (values) => {
    const out = new Map<string, Native>();
    if (values.length === 0) return out;
    for (const row of stmt.all(JSON.stringify(values.map(jsonValue))) as Native[][]) out.set(asText(row[0] ?? null), row[1] ?? null);
    return out;
  };
}
