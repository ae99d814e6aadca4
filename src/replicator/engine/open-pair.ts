/**
 * The two connections of a pair, opened together and closed together: the SQLite file,
 * the PostgreSQL session (its settings for the run's direction), and the sessions and
 * reader threads opened on first use. DESIGN.md "Data flow".
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { namedSqliteBusy, openSqlite } from '../../connect/sqlite-connection.js';
import { postgresDatabaseId, sqliteDatabaseId } from '../state/database-ids.js';
import { discardPostgresSession, endSession, openPostgresSession, sessionSettings } from '../../connect/postgres-session.js';
import type { FilterParams } from '../plan/row-filter.js';
import type { PostgresReadThread } from '../io/postgres-read-thread.js';
import { openSqliteReadThread, type SqliteReadThread } from '../io/sqlite-read-thread.js';
import type { Direction } from '../run-plan.js';
import type { Connections } from './direction-wiring.js';

export interface PairConfig {
  sqlitePath: string;
  pgUrl: string;
  /** PostgreSQL schema, 'public' by default */
  schema?: string;
  /** mapping files directory; missing or empty: the generated mappings */
  mappingsDir?: string;
  /** values of the :params in mappings' row filters (`filter: store_id = :store` -> { store: 7 }) */
  params?: FilterParams;
  /**
   * names in `params` that some mapping file's row filter must use (the values given for
   * this run): a run with one no filter uses is refused (unused-params.ts)
   */
  requiredParams?: readonly string[];
}

export interface OpenPair {
  conn: Connections;
  close(): Promise<void>;
}

/**
 * `direction`: the run's, when the pair is opened for one (its sessions get the run's
 * settings). `session`: the PostgreSQL session, when the caller started opening it
 * already (openPostgresSession with the same settings and schema); the pair owns it from here.
 */
export async function openPair(config: PairConfig, purpose: string, direction: Direction | null = null, session?: Promise<pg.Client>): Promise<OpenPair> {
  const settings = sessionSettings(direction);
  let sqlite: Database.Database;
  try {
    sqlite = openSqlite(config.sqlitePath);
  } catch (e) {
    if (session) discardPostgresSession(session);
    throw e;
  }
  let client: pg.Client;
  try {
    // the schema is checked in the settings' round trip: a missing one fails before any state is read or written
    client = await (session ?? openPostgresSession(config.pgUrl, `replicate ${purpose}`, settings, config.schema ?? 'public'));
  } catch (e) {
    sqlite.close();
    throw e;
  }
  let spare: Promise<pg.Client> | null = null;
  const openSpare = (): Promise<pg.Client> => {
    const opening: Promise<pg.Client> = openPostgresSession(config.pgUrl, `replicate ${purpose} (keys)`, settings).then(
      (c) => {
        // a dropped session is replaced on next use, as the main one is after a reconnect
        const forget = (): void => {
          if (spare === opening) spare = null;
        };
        c.on('end', forget);
        c.on('error', forget);
        return c;
      },
      (e: unknown) => {
        if (spare === opening) spare = null; // a later call tries again
        throw e;
      },
    );
    return opening;
  };
  let readThread: PostgresReadThread | null | undefined;
  // a sqlite-to-pg run never reads PostgreSQL on a thread: it does not load that module
  const pgThread = direction === 'sqlite-to-pg' ? null : await import('../io/postgres-read-thread.js');
  let sqliteReadThread: SqliteReadThread | null | undefined;
  const conn: Connections = {
    sqlite,
    pg: client,
    schema: config.schema ?? 'public',
    spare: () => (spare ??= openSpare()),
    readThread: () => (readThread === undefined ? (readThread = pgThread ? pgThread.openPostgresReadThread(config.pgUrl, `replicate ${purpose} (reader)`) : null) : readThread),
    sqliteReadThread: () => (sqliteReadThread === undefined ? (sqliteReadThread = openSqliteReadThread(sqlite.name)) : sqliteReadThread),
  };
  return {
    conn,
    async close() {
      await readThread?.close().catch(() => undefined);
      await sqliteReadThread?.close().catch(() => undefined);
      // every statement sent has been answered by now (callers close last): endSession says why it does not wait
      endSession(conn.pg);
      const spareClient = spare ? await spare.catch(() => null) : null;
      if (spareClient) endSession(spareClient);
      sqlite.close();
    },
  };
}

/** The ids of a pair's two databases (PairScope without the direction). */
export interface PairIds {
  sqliteId: string;
  postgresId: string;
}

/**
 * `fn` on the pair opened and its ids read, for the commands that are not runs (status,
 * reset); closed after. The app holding the file's write lock meanwhile is named, with the file.
 */
export async function withPair<T>(config: PairConfig, purpose: string, fn: (conn: Connections, ids: PairIds) => Promise<T>): Promise<T> {
  const pair = await openPair(config, purpose);
  const { conn } = pair;
  try {
    return await fn(conn, { sqliteId: sqliteDatabaseId(conn.sqlite), postgresId: await postgresDatabaseId(conn.pg, conn.schema) });
  } catch (error) {
    throw namedSqliteBusy(error, conn.sqlite, null);
  } finally {
    await pair.close();
  }
}
