/**
 * A replication pair for stories: a fresh PostgreSQL database and SQLite file from SQL,
 * the CLI to run, and content comparison that goes through PostgreSQL's own types
 * (rows from both sides are loaded into PostgreSQL and compared with EXCEPT ALL, so
 * '12.5' vs '12.50' or two spellings of one instant compare equal, and nothing else does).
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { quoteIdent } from '../../src/sql/quote.js';
import { encodeCopyRow } from '../../src/replicator/values/copy-text.js';
import { sqliteToPgCodec } from '../../src/replicator/values/sqlite-to-pg.js';
import { Rejected, type PgText, type SqliteValue } from '../../src/replicator/values/codec.js';
import type { PlannedColumn } from '../../src/replicator/run-plan.js';
import { parsePostgresType } from '../../src/mapping/types/postgres-types.js';
import { parseSqliteType } from '../../src/mapping/types/sqlite-types.js';
import { createTestDatabase, type TestDatabase } from './pg.js';
import { createSqliteFile, tempDir, type TempDir } from './sqlite.js';
import { runCli, type CliResult } from './cli.js';

export interface ReplicationPair {
  db: TestDatabase;
  dir: TempDir;
  sqlitePath: string;
  flags: string[];
  run(direction: 'sqlite-to-pg' | 'pg-to-sqlite', ...extra: string[]): Promise<CliResult & { json: RunJson }>;
  sqlite(): Database.Database;
  cleanup(): Promise<void>;
}

export interface RunJson {
  direction: string;
  status: string;
  tables: { name: string; read: number; written: number; skipped: number; rejected: number; ms: number }[];
  waiting: { skipped: number; rejected: number };
  ms: number;
}

export async function createReplicationPair(pgSql: string, sqliteSql: string, opts: { database?: string } = {}): Promise<ReplicationPair> {
  const db = await createTestDatabase('repl', opts.database ? { name: opts.database } : {});
  await db.exec(pgSql);
  const dir = tempDir();
  const sqlitePath = dir.file('terminal.db');
  createSqliteFile(sqlitePath, sqliteSql);
  const flags = ['--sqlite', sqlitePath, '--pg', db.url];
  const open: Database.Database[] = [];
  return {
    db,
    dir,
    sqlitePath,
    flags,
    async run(direction, ...extra) {
      const r = await runCli(['run', '--direction', direction, ...flags, '--json', ...extra], { cwd: dir.path });
      let json: RunJson;
      try {
        json = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as RunJson;
      } catch {
        throw new Error(`run ${direction} printed no JSON summary (exit ${r.code})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      }
      return { ...r, json };
    },
    sqlite() {
      const s = new Database(sqlitePath);
      s.defaultSafeIntegers(true);
      open.push(s);
      return s;
    },
    async cleanup() {
      for (const s of open) if (s.open) s.close();
      await db.drop();
      dir.remove();
    },
  };
}

export interface CompareColumn {
  pg: string;
  sqlite: string;
  /** SQL over the SQLite table to read instead of the column (e.g. a key translated through its parent) */
  sqliteExpr?: string;
}

/**
 * Rows of the SQLite table, converted the way the replicator converts them, loaded into a
 * temp PostgreSQL table shaped like the PostgreSQL table, compared with EXCEPT ALL both ways.
 * Returns the differing rows (empty when equal).
 */
export async function diffContent(
  db: TestDatabase,
  sqlitePath: string,
  table: { pg: string; sqlite: string },
  columns: CompareColumn[],
): Promise<{ onlyInSqlite: unknown[]; onlyInPostgres: unknown[] }> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const s = new Database(sqlitePath, { readonly: true });
  s.defaultSafeIntegers(true);
  try {
    await client.query("SET TimeZone = 'UTC'");
    const types = await client.query<{ column_name: string; t: string }>(
      `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS t FROM pg_attribute a
        WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
      [quoteIdent(table.pg)],
    );
    const typeOf = new Map(types.rows.map((r) => [r.column_name, r.t]));
    const sqliteTypes = new Map((s.prepare(`SELECT name, type FROM pragma_table_info(?)`).all(table.sqlite) as { name: string; type: string }[]).map((r) => [r.name, r.type]));
    const planned: PlannedColumn[] = columns.map((c) => {
      const formatted = typeOf.get(c.pg) ?? 'text';
      const array = formatted.endsWith('[]');
      return {
        pg: c.pg,
        sqlite: c.sqlite,
        pgType: parsePostgresType(array ? { formatted, elementFormatted: formatted.slice(0, -2) } : { formatted }),
        sqliteType: parseSqliteType(sqliteTypes.get(c.sqlite) ?? ''),
        transform: array ? 'array-json' : 'none',
        sqliteFormat: null,
      };
    });
    const codecs = planned.map((c) => sqliteToPgCodec(c));
    const cols = columns.map((c) => c.sqliteExpr ?? quoteIdent(c.sqlite)).join(', ');
    const rows = s.prepare(`SELECT ${cols} FROM ${quoteIdent(table.sqlite)}`).raw(true).all() as SqliteValue[][];
    const lines = rows.map((r) => {
      const values: PgText[] = r.map((v, i) => {
        const out = (codecs[i] as (x: SqliteValue) => PgText | Rejected)(v);
        if (out instanceof Rejected) throw new Error(`${table.sqlite}.${columns[i]?.sqlite}: ${out.reason}`);
        return out;
      });
      return encodeCopyRow(values);
    });
    const defs = columns.map((c) => `${quoteIdent(c.pg)} ${typeOf.get(c.pg) ?? 'text'}`).join(', ');
    await client.query(`CREATE TEMP TABLE from_sqlite (${defs})`);
    const pgCols = columns.map((c) => quoteIdent(c.pg)).join(', ');
    await pipeline(Readable.from(lines), client.query(copyFrom(`COPY from_sqlite (${pgCols}) FROM STDIN`)));
    // json has no equality operator: compare through jsonb
    const expr = columns.map((c) => (typeOf.get(c.pg) === 'json' ? `${quoteIdent(c.pg)}::jsonb` : quoteIdent(c.pg))).join(', ');
    const onlyInSqlite = await client.query(`SELECT ${expr} FROM from_sqlite EXCEPT ALL SELECT ${expr} FROM ${quoteIdent(table.pg)}`);
    const onlyInPostgres = await client.query(`SELECT ${expr} FROM ${quoteIdent(table.pg)} EXCEPT ALL SELECT ${expr} FROM from_sqlite`);
    return { onlyInSqlite: onlyInSqlite.rows, onlyInPostgres: onlyInPostgres.rows };
  } finally {
    s.close();
    await client.end();
  }
}

export interface PlanJson {
  direction: string;
  tables: {
    table: string;
    sqliteTable: string;
    columns: { pg: string; sqlite: string }[];
    keyTranslation: { sqliteKey: string[]; serverId: string } | null;
    foreignKeys: { columns: string[]; refTable: string; refColumns: string[] }[];
  }[];
}

/** The columns to compare for each planned table, FK values to key-translated parents read through the parent. */
export function comparisonFor(plan: PlanJson): { table: { pg: string; sqlite: string }; columns: CompareColumn[] }[] {
  const translated = new Map(plan.tables.filter((t) => t.keyTranslation).map((t) => [t.table, t]));
  return plan.tables.map((t) => ({
    table: { pg: t.table, sqlite: t.sqliteTable },
    columns: t.columns.map((c) => {
      const fk = t.foreignKeys.find((f) => f.columns.length === 1 && f.columns[0] === c.pg && translated.has(f.refTable));
      const parent = fk ? translated.get(fk.refTable) : undefined;
      if (!parent?.keyTranslation) return { pg: c.pg, sqlite: c.sqlite };
      const local = parent.keyTranslation.sqliteKey[0] ?? '';
      return {
        pg: c.pg,
        sqlite: c.sqlite,
        sqliteExpr: `(SELECT p.${quoteIdent(parent.keyTranslation.serverId)} FROM ${quoteIdent(parent.sqliteTable)} AS p WHERE p.${quoteIdent(local)} = ${quoteIdent(t.sqliteTable)}.${quoteIdent(c.sqlite)})`,
      };
    }),
  }));
}
