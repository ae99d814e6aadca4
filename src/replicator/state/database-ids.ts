/**
 * Stable ids for the two ends of a pair, the keys of all pair state. A SQLite file's id
 * lives inside the file (table `_replicate_meta`), so moving or renaming the file keeps
 * its checkpoints, and each terminal's file has an id of its own.
 *
 * A COPIED file keeps the id too: a terminal set up from another terminal's file would
 * share that terminal's state (and run lock) in PostgreSQL. Its pushes are refused once the
 * other file has synced (file-generation.ts); resetSqliteDatabaseId(db) gives it an id of
 * its own, and its next push is then a full one.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { QueryError } from '../../errors.js';
import { ensurePostgresStateTables } from './postgres-state-store.js';
import { ensureSqliteStateTables } from './sqlite-state-store.js';
import { PAIR_STATE_TABLES, stateTableName, stateTableRef } from './state-tables.js';
import { GENERATION_KEY_PREFIX } from './file-generation.js';
import { sqliteTableExists } from '../../introspect/sqlite-catalog.js';

const SQLITE_META = stateTableRef('sqlite', 'meta');
const POSTGRES_META = stateTableRef('postgres', 'meta');
const SQLITE_ID_KEY = 'database_id';

/** The file's id, created (a random uuid) on first use. */
export function sqliteDatabaseId(db: Database.Database): string {
  ensureSqliteStateTables(db, ['meta']);
  const read = db.prepare(`SELECT value FROM ${SQLITE_META} WHERE key = ?`);
  // read first: every run after the first needs no write transaction (and no fsync) here
  const stored = read.get(SQLITE_ID_KEY) as { value: string } | undefined;
  if (stored) return stored.value;
  // INSERT OR IGNORE: a concurrent first use by another process keeps whichever id landed first
  db.prepare(`INSERT OR IGNORE INTO ${SQLITE_META} (key, value) VALUES (?, ?)`).run(SQLITE_ID_KEY, randomUUID());
  const row = read.get(SQLITE_ID_KEY) as { value: string } | undefined;
  if (!row) throw new QueryError('the SQLite database id was not stored', 'sqlite', '_replicate_meta', null);
  return row.value;
}

/**
 * Give the file a new id (for a copied terminal file); returns it. State in PostgreSQL under
 * the old id is left alone (it is the other file's); the state kept in the file (pulls'
 * checkpoints, ledgers and history) was this file's own and moves to the new id, so pulls go
 * on where they were. The file's generation tokens were the old id's, and go.
 */
export function resetSqliteDatabaseId(db: Database.Database): string {
  ensureSqliteStateTables(db, ['meta']);
  const id = randomUUID();
  db.transaction(() => {
    const old = db.prepare(`SELECT value FROM ${SQLITE_META} WHERE key = ?`).get(SQLITE_ID_KEY) as { value: string } | undefined;
    db.prepare(`INSERT INTO ${SQLITE_META} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(SQLITE_ID_KEY, id);
    db.prepare(`DELETE FROM ${SQLITE_META} WHERE substr(key, 1, ?) = ?`).run(GENERATION_KEY_PREFIX.length, GENERATION_KEY_PREFIX);
    if (!old) return;
    for (const name of PAIR_STATE_TABLES) {
      if (sqliteTableExists(db, stateTableName('sqlite', name))) db.prepare(`UPDATE ${stateTableRef('sqlite', name)} SET sqlite_id = ? WHERE sqlite_id = ?`).run(id, old.value);
    }
  }).immediate();
  return id;
}

/** The id of this PostgreSQL database and data schema, stored in replicate.meta (created if missing). */
export async function postgresDatabaseId(client: pg.Client, schema: string): Promise<string> {
  await ensurePostgresStateTables(client, ['meta']);
  const key = `database_id:${schema}`;
  const read = (): Promise<pg.QueryResult<{ value: string }>> => client.query<{ value: string }>(`SELECT value FROM ${POSTGRES_META} WHERE key = $1`, [key]);
  // read first: every run after the first needs one round trip here, not two
  const stored = (await read()).rows[0];
  if (stored) return stored.value;
  await client.query(`INSERT INTO ${POSTGRES_META} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [key, randomUUID()]);
  const row = (await read()).rows[0];
  if (!row) throw new QueryError(`the PostgreSQL database id for schema ${schema} was not stored`, 'postgres', 'replicate.meta', null);
  return row.value;
}

/** The ids as stored, without creating anything (--dry-run writes nothing); null: never used, so no state yet. */
export async function storedDatabaseIds(db: Database.Database, client: pg.Client, schema: string): Promise<{ sqliteId: string; postgresId: string } | null> {
  const hasMeta = sqliteTableExists(db, stateTableName('sqlite', 'meta'));
  const sqlite = hasMeta ? (db.prepare(`SELECT value FROM ${SQLITE_META} WHERE key = ?`).get(SQLITE_ID_KEY) as { value: string } | undefined) : undefined;
  if (!sqlite) return null;
  const exists = await client.query<{ ok: string }>(`SELECT (to_regclass($1) IS NOT NULL)::text AS ok`, [POSTGRES_META]);
  if (exists.rows[0]?.ok !== 'true') return null;
  const r = await client.query<{ value: string }>(`SELECT value FROM ${POSTGRES_META} WHERE key = $1`, [`database_id:${schema}`]);
  const postgres = r.rows[0]?.value;
  return postgres ? { sqliteId: sqlite.value, postgresId: postgres } : null;
}
