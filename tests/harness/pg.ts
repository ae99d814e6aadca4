/**
 * Per-test PostgreSQL databases on the harness server: a fresh database per test,
 * dropped afterwards, so tests never see each other's tables.
 */
import pg from 'pg';
import { inject } from 'vitest';
import { randomBytes } from 'node:crypto';

export function adminUrl(): string {
  return inject('pgAdminUrl');
}

export function urlForDatabase(database: string): string {
  const u = new URL(adminUrl());
  u.pathname = '/' + encodeURIComponent(database);
  return u.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  /** run SQL (one or many statements) in the test database */
  exec(sql: string): Promise<void>;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

/** `fn` on a session of its own to the admin database, ended when `fn` is done. */
export async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A fresh database `<prefix>_<random>`, or exactly `opts.name` (dropped first if a crashed run left it). */
export async function createTestDatabase(prefix = 't', opts: { name?: string } = {}): Promise<TestDatabase> {
  const name = opts.name ?? `${prefix}_${randomBytes(6).toString('hex')}`;
  if (opts.name) await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = urlForDatabase(name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    name,
    url,
    async exec(sql) {
      await client.query(sql);
    },
    async query(sql, params) {
      const r = await client.query(sql, params as unknown[] | undefined);
      return r.rows;
    },
    async drop() {
      await client.end();
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
