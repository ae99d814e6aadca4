/**
 * The Data tab's peek: the source rows behind ledger keys (rows waiting on a parent, rows
 * rejected), read by key, each value as display text. Read-only, a bounded number of keys
 * per table; values come as the source stores them (PostgreSQL's text output, SQLite's values).
 */
import type pg from 'pg';
import { openSqlite } from '../../connect/sqlite-connection.js';
import { connectPostgres } from '../../connect/postgres-connection.js';
import { decodeValues } from '../../replicator/engine/position-codec.js';
import type { TableMapping } from '../../mapping/table-mapping.js';
import type { Direction } from '../../replicator/run-plan.js';
import { quoteIdent } from '../../sql/quote.js';

/** rows peeked per table: the Data tab shows a window of them */
export const PEEK_ROWS_PER_TABLE = 50;
const MAX_VALUE_CHARS = 200;

export interface PeekRequest {
  mapping: TableMapping;
  /** ledger keys, as stored */
  keys: string[];
}

export type PeekedRows = Map<string, Record<string, string>>;

function display(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex').slice(0, MAX_VALUE_CHARS)}`;
  const s = String(v);
  return s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS - 1)}…` : s;
}

/** the source's key columns, in ledger-key order */
function sourceKey(m: TableMapping, direction: Direction): string[] {
  if (direction === 'pg-to-sqlite') return m.key.postgres;
  if (m.key.serverId) return m.key.sqlite;
  return m.key.postgres.map((c) => m.columns.find((p) => p.postgres === c)?.sqlite ?? c);
}

export async function peekRows(pair: { sqlitePath: string; pgUrl: string; schema: string }, direction: Direction, requests: PeekRequest[]): Promise<Map<string, PeekedRows>> {
  const out = new Map<string, PeekedRows>();
  const wanted = requests.filter((r) => r.keys.length > 0);
  if (wanted.length === 0) return out;
  if (direction === 'sqlite-to-pg') {
    const db = openSqlite(pair.sqlitePath, { readonly: true });
    try {
      db.defaultSafeIntegers(true);
      for (const r of wanted) {
        const cols = sourceKey(r.mapping, direction);
        const stmt = db.prepare(`SELECT * FROM ${quoteIdent(r.mapping.sqliteTable)} WHERE ${cols.map((c) => `${quoteIdent(c)} = ?`).join(' AND ')}`);
        const rows: PeekedRows = new Map();
        for (const key of r.keys.slice(0, PEEK_ROWS_PER_TABLE)) {
          const row = stmt.get(...(decodeValues(key) as (string | number | bigint | Buffer | null)[])) as Record<string, unknown> | undefined;
          if (row) rows.set(key, Object.fromEntries(Object.entries(row).map(([k, v]) => [k, display(v)])));
        }
        out.set(r.mapping.table, rows);
      }
    } finally {
      db.close();
    }
    return out;
  }
  const client: pg.Client = await connectPostgres(pair.pgUrl, { applicationName: 'replicate tui peek' });
  try {
    for (const r of wanted) {
      const cols = sourceKey(r.mapping, direction);
      const text = `SELECT * FROM ${quoteIdent(pair.schema)}.${quoteIdent(r.mapping.table)} WHERE ${cols.map((c, i) => `${quoteIdent(c)}::text = $${i + 1}`).join(' AND ')}`;
      const rows: PeekedRows = new Map();
      for (const key of r.keys.slice(0, PEEK_ROWS_PER_TABLE)) {
        const params = decodeValues(key).map((v) => (v === null ? null : Buffer.isBuffer(v) ? `\\x${v.toString('hex')}` : String(v)));
        // values as PostgreSQL's own text, not parsed into JS types
        const res = await client.query<Record<string, unknown>>({ text, values: params, types: { getTypeParser: () => (v: string) => v } });
        const row = res.rows[0];
        if (row) rows.set(key, Object.fromEntries(Object.entries(row).map(([k, v]) => [k, display(v)])));
      }
      out.set(r.mapping.table, rows);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return out;
}
