/**
 * A PostgreSQL session as replicate uses it: connected, and set so that PostgreSQL's
 * text output is exact and zone-stable. In a module of its own, light to load, so the
 * CLI can open the session while the engine's modules are still loading.
 */
import type { Socket } from 'node:net';
import type pg from 'pg';
import type { Direction } from '../replicator/run-plan.js';
import { connectPostgres } from './postgres-connection.js';
import { checkSchemaAnswer, schemaCheckSql } from './postgres-schema.js';

/**
 * Session settings that make PostgreSQL's text output exact and zone-stable: every session
 * replicate reads or writes through runs them first (the main one, the spare one, the
 * reader thread's).
 */
export const SESSION_SETTINGS =
  "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3; SET bytea_output = 'hex'; SET IntervalStyle = 'postgres'; " +
  // a terminal that drops off the network mid-run leaves its server session (and the pair's
  // run lock, held by that session's backend) for the server's TCP keepalive to find: about
  // a minute with these, instead of the two hours of the usual system default (TCP only)
  'SET tcp_keepalives_idle = 30; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3';

/**
 * A sqlite-to-pg run's batches commit with their checkpoints, so waiting for each
 * commit's WAL flush buys nothing: if the server crashes, the last batches are lost
 * together with their checkpoints and the next run copies them again. Never a torn or
 * duplicated batch. Set with the other settings (one round trip), on every session the
 * run opens, reconnects included. The run's last commit (its history row) is made with
 * synchronous_commit on (run-replication.ts): its flush covers every earlier commit, so a
 * run that reports success has its rows on disk.
 */
const RUN_WRITES_POSTGRES_SETTINGS = `${SESSION_SETTINGS}; SET synchronous_commit = off`;

/** The settings for a session of a run in `direction` (null: not a run). */
export function sessionSettings(direction: Direction | null): string {
  return direction === 'sqlite-to-pg' ? RUN_WRITES_POSTGRES_SETTINGS : SESSION_SETTINGS;
}

/**
 * Connect (errors as connectPostgres reports them) and apply `settings`; a session whose settings fail is closed.
 * `schema`: the data schema the session is for, checked in the same round trip (SchemaMissingError when it is not there).
 */
export async function openPostgresSession(url: string, applicationName: string, settings: string, schema?: string): Promise<pg.Client> {
  const client = await connectPostgres(url, { applicationName });
  try {
    if (schema === undefined) await client.query(settings);
    else {
      // several statements answer with one result each: the check's is the last
      const results = (await client.query(`${settings}; ${schemaCheckSql(client, schema)}`)) as unknown as pg.QueryResult[];
      checkSchemaAnswer(results[results.length - 1], schema);
    }
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
  return client;
}

/** Close a session opened ahead of time that was not used after all (whatever became of it). */
export function discardPostgresSession(session: Promise<pg.Client>): void {
  session.then((c) => c.end()).catch(() => undefined);
}

/**
 * End a session whose work is over, without waiting for the server to finish with it.
 * pg's end() resolves only once the server has closed the connection, which it does
 * after cleaning the session up: dropping the temporary staging tables of the upserts
 * cost a quick incremental run 7-11 ms there (bench case d). Nothing is lost by not
 * waiting: callers end a session only after every statement they sent was answered, so
 * what was to commit (batches, checkpoints, history, the lock's release) has committed,
 * and what was left open the server rolls back when the session ends, waited for or not.
 * The Terminate message is handed to the socket at once; the socket then no longer keeps
 * the process alive, so a command exits while the server tidies up.
 */
export function endSession(client: pg.Client): void {
  client.end().catch(() => undefined);
  (client as unknown as { connection?: { stream?: Partial<Pick<Socket, 'unref'>> } }).connection?.stream?.unref?.();
}
