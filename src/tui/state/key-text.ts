/**
 * Ledger keys for people. The ledgers store key values with their storage class
 * ('[["i","17"]]', position-codec.ts); the TUI shows them as JSON with column names
 * ('{"id":17}'), the form the Problems panel, Data tab and a search for a key use.
 */
import { decodeValues } from '../../replicator/engine/position-codec.js';

const NUMBER = /^-?\d+(\.\d+)?$/;

function jsonValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (Buffer.isBuffer(v)) return JSON.stringify(`\\x${v.toString('hex')}`);
  const s = String(v);
  // a key read as text from PostgreSQL ('999') reads as the number it is
  return NUMBER.test(s) && s.length < 16 ? s : JSON.stringify(s);
}

/** '{"id":17}' with the column names when they fit the values, else '[17]'; undecodable text as is */
export function keyText(encoded: string, columns: readonly string[] | null): string {
  let values: unknown[];
  try {
    values = decodeValues(encoded);
  } catch {
    return encoded;
  }
  if (columns && columns.length === values.length) return `{${values.map((v, i) => `${JSON.stringify(columns[i])}:${jsonValue(v)}`).join(',')}}`;
  return `[${values.map(jsonValue).join(',')}]`;
}
