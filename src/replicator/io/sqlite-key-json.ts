/**
 * Key tuples handed to SQLite as one JSON parameter (read with json_each), so a lookup of
 * any number of keys is one prepared statement and one query. The encoding keeps each
 * value's storage class: a BigInt is written as a bare JSON integer (SQLite parses it as an
 * exact 64-bit INTEGER, never through a double), text as a JSON string, a REAL as a JSON
 * number and a BLOB as {"x": hex}, which the SQL side turns back into a BLOB with unhex().
 */
import { quoteIdent } from '../../sql/quote.js';
import type { PgText, SqliteValue } from '../values/codec.js';

type Native = PgText | SqliteValue;

function jsonValue(v: Native): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : v > 0 ? '9e999' : '-9e999';
  if (typeof v === 'string') return JSON.stringify(v);
  return `{"x":"${v.toString('hex')}"}`;
}

/** [[k1, k2], ...] as JSON text. */
export function encodeKeyTuples(keys: readonly (readonly Native[])[]): string {
  const parts: string[] = new Array<string>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as readonly Native[];
    let s = '[';
    for (let j = 0; j < k.length; j++) s += (j > 0 ? ',' : '') + jsonValue(k[j] ?? null);
    parts[i] = s + ']';
  }
  return `[${parts.join(',')}]`;
}

/** SQL for the i-th value of the json_each row aliased `alias`, in its original storage class. */
export function keyValueSql(alias: string, i: number): string {
  const v = `${alias}.value`;
  return `CASE json_type(${v}, '$[${i}]') WHEN 'object' THEN unhex(json_extract(${v}, '$[${i}].x')) ELSE json_extract(${v}, '$[${i}]') END`;
}

/** `(k1, k2) IN (SELECT <decoded values> FROM json_each(?) AS alias)` for quoted key columns of `owner`. */
export function keyInJsonSql(keyColumns: readonly string[], owner: string | null): string {
  const alias = '_replicate_keys';
  const left = keyColumns.map((c) => (owner ? `${owner}.${quoteIdent(c)}` : quoteIdent(c)));
  const right = keyColumns.map((_, i) => keyValueSql(alias, i));
  return `(${left.join(', ')}) IN (SELECT ${right.join(', ')} FROM json_each(?) AS ${alias})`;
}
