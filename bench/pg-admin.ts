/** The few PostgreSQL chores the benchmark does around its measurements. */
import { readFileSync } from 'node:fs';
import pg from 'pg';

export function databaseUrl(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

/** One connection for a piece of work, closed after it (one per poll would load the server under test). */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database named `name` (dropped first if a previous run left it). */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  await withClient(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${name}"`);
  });
  return databaseUrl(adminUrl, name);
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

export async function runSqlFile(url: string, path: string): Promise<void> {
  await withClient(url, (c) => c.query(readFileSync(path, 'utf8')));
}

/** Rows per table of `schema`, for every ordinary table there (what a load produced). */
export async function countTables(url: string, schema = 'public'): Promise<Map<string, number>> {
  return withClient(url, async (c) => {
    const tables = await c.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1`,
      [schema],
    );
    const counts = new Map<string, number>();
    for (const { name } of tables.rows) {
      const r = await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}"."${name.replace(/"/g, '""')}"`);
      counts.set(name, Number(r.rows[0]?.n ?? 0));
    }
    return counts;
  });
}

/** Runs a statement (used to touch rows for the incremental case, and to VACUUM ANALYZE). */
export async function execute(url: string, sql: string): Promise<void> {
  await withClient(url, (c) => c.query(sql));
}

export interface ServerDescription {
  version: string;
  settings: Record<string, string>;
}

export const REPORTED_SETTINGS = [
  'fsync', 'synchronous_commit', 'full_page_writes', 'wal_level', 'shared_buffers', 'work_mem',
  'maintenance_work_mem', 'max_wal_size', 'checkpoint_timeout',
] as const;

export async function describeServer(url: string): Promise<ServerDescription> {
  return withClient(url, async (c) => {
    const v = await c.query<{ server_version: string }>('SHOW server_version');
    const settings: Record<string, string> = {};
    for (const name of REPORTED_SETTINGS) {
      const r = await c.query<Record<string, string>>(`SHOW ${name}`);
      settings[name] = r.rows[0]?.[name] ?? '?';
    }
    return { version: `PostgreSQL ${v.rows[0]?.server_version ?? '?'}`, settings };
  });
}
