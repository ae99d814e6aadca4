/**
 * One run at a time per source/target pair (DESIGN.md "Replication semantics"): a
 * PostgreSQL session advisory lock, which dies with the session (and so with a killed
 * process), plus a row in the SQLite file's `_replicate_lock` taken under BEGIN
 * IMMEDIATE, for the same pair reached through another PostgreSQL server (a restored
 * copy or a promoted replica carries the same database id). Both record who holds the
 * pair, so a second run can name it.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { errorCode, ReplicateError } from '../../errors.js';
import { ensurePostgresStateTables } from './postgres-state-store.js';
import { ensureSqliteStateTables } from './sqlite-state-store.js';
import type { PairScope } from './state-store.js';
import { stateTableName, stateTableRef } from './state-tables.js';
import { sqliteTableExists } from '../../introspect/sqlite-catalog.js';
import type { Direction } from '../run-plan.js';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

type Pair = Omit<PairScope, 'direction'>;

export class RunLockedError extends ReplicateError {
  readonly code = 'locked' as const;
  constructor(readonly holder: LockHolder | null) {
    super(
      holder
        ? `another replicate run holds this pair: pid ${holder.pid} on host ${holder.host} since ${holder.startedAt} (${holder.command})`
        : 'another replicate run holds this pair (it has not recorded who it is yet)',
    );
  }
}

const PG_LOCKS = stateTableRef('postgres', 'locks');
const SQLITE_LOCK = stateTableRef('sqlite', 'locks');

/** Holder timestamps to the second: '2026-11-22T03:00:00Z'. */
function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** A 64-bit advisory lock key for the pair; namespaced so it does not meet other applications' keys by chance. */
function advisoryKey(pair: Pair): bigint {
  return createHash('sha256').update(`replicate run lock\0${pair.sqliteId}\0${pair.postgresId}`).digest().readBigInt64BE(0);
}

/** How pg_locks shows a bigint advisory key: high half in classid, low half in objid. */
function keyHalves(key: bigint): [string, string] {
  const unsigned = BigInt.asUintN(64, key);
  return [(unsigned >> 32n).toString(), (unsigned & 0xffffffffn).toString()];
}

/**
 * Whether a session holds the pair's advisory lock now, and its recorded holder (null
 * while it has not written its row yet: a dead session's row is never named).
 */
async function advisoryHolder(client: pg.Client, pair: Pair, key: bigint): Promise<{ held: boolean; holder: LockHolder | null }> {
  const [hi, lo] = keyHalves(key);
  const r = await client.query<{ pid: string | null; host: string | null; started_at: string | null; command: string | null }>(
    `SELECT l.pid::text AS pid, l.host, to_char(l.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS started_at, l.command
       FROM pg_locks AS k
       LEFT JOIN ${PG_LOCKS} AS l ON l.sqlite_id = $1 AND l.postgres_id = $2 AND l.backend_pid = k.pid
      WHERE k.locktype = 'advisory' AND k.granted AND k.objsubid = 1
        AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND k.classid = $3::oid AND k.objid = $4::oid`,
    [pair.sqliteId, pair.postgresId, hi, lo],
  );
  const row = r.rows[0];
  if (!row) return { held: false, holder: null };
  const holder = row.pid === null || row.host === null || row.started_at === null || row.command === null ? null : { pid: Number(row.pid), host: row.host, startedAt: row.started_at, command: row.command };
  return { held: true, holder };
}

/** The recorded holder, if its session still holds the advisory lock (a dead session's row is never named). */
async function postgresHolder(client: pg.Client, pair: Pair, key: bigint): Promise<LockHolder | null> {
  // the holder writes its row just after taking the lock: give it a moment
  for (let attempt = 0; attempt < 10; attempt++) {
    const { holder } = await advisoryHolder(client, pair, key);
    if (holder) return holder;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

async function releasePostgres(client: pg.Client, pair: Pair, key: bigint): Promise<void> {
  // one round trip: the CTE's DELETE completes before the statement ends, and the lock
  // is let go in the same statement, so the row never outlives the lock it describes
  await client.query(
    `WITH gone AS (DELETE FROM ${PG_LOCKS} WHERE sqlite_id = $1 AND postgres_id = $2 AND backend_pid = pg_backend_pid())
     SELECT pg_advisory_unlock($3::bigint)`,
    [pair.sqliteId, pair.postgresId, key.toString()],
  );
}

function pidAlive(pid: number): boolean {
  // kill(0 or negative) would signal a process group, not ask about one process
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user
    return errorCode(error) === 'EPERM';
  }
}

/** This process as a lock holder, running `command` (the lock adds when it was taken). */
export function thisProcess(command: string): Omit<LockHolder, 'startedAt'> {
  return { pid: process.pid, host: hostname(), command };
}

/** What a run records as its command in the lock (the direction tells `status` which run holds it). */
export function runLockCommand(direction: Direction): string {
  return `replicate run --direction ${direction}`;
}

/**
 * Who holds the pair's run lock now, asked without taking it (`status`): null when no
 * live process does, so a run the history still calls running was cut off. `holder` null:
 * held by a session that has not recorded itself yet. A SQLite row counts only for a
 * live process on this host (another host's run holds the PostgreSQL lock as well).
 */
export async function currentRunLock(client: pg.Client, db: Database.Database, pair: Pair): Promise<{ holder: LockHolder | null } | null> {
  await ensurePostgresStateTables(client, ['locks']);
  const pgLock = await advisoryHolder(client, pair, advisoryKey(pair));
  if (pgLock.held) return { holder: pgLock.holder };
  if (!sqliteTableExists(db, stateTableName('sqlite', 'locks'))) return null;
  const row = db.prepare(`SELECT pid, host, started_at, command FROM ${SQLITE_LOCK} WHERE sqlite_id = ? AND postgres_id = ?`).get(pair.sqliteId, pair.postgresId) as SqliteLockRow | undefined;
  if (!row || row.host !== hostname() || !pidAlive(Number(row.pid))) return null;
  return { holder: { pid: Number(row.pid), host: row.host, startedAt: row.started_at, command: row.command } };
}

interface SqliteLockRow {
  pid: number | bigint;
  host: string;
  started_at: string;
  command: string;
}

/**
 * Whether a recorded SQLite holder still runs. Only a live pid on this host counts: we
 * already hold the PostgreSQL lock, which covers runs on other hosts, and a row with our
 * own pid is a leftover of this process (a release that could not write), not a rival.
 */
function stillHeld(row: SqliteLockRow, me: LockHolder): boolean {
  const pid = Number(row.pid);
  return row.host === me.host && pid !== me.pid && pidAlive(pid);
}

function takeSqliteLock(db: Database.Database, pair: Pair, me: LockHolder, alongside?: () => void): void {
  ensureSqliteStateTables(db, ['locks']);
  const take = db.transaction(() => {
    const row = db
      .prepare(`SELECT pid, host, started_at, command FROM ${SQLITE_LOCK} WHERE sqlite_id = ? AND postgres_id = ?`)
      .get(pair.sqliteId, pair.postgresId) as SqliteLockRow | undefined;
    if (row && stillHeld(row, me)) {
      throw new RunLockedError({ pid: Number(row.pid), host: row.host, startedAt: row.started_at, command: row.command });
    }
    db.prepare(
      `INSERT INTO ${SQLITE_LOCK} (sqlite_id, postgres_id, pid, host, started_at, command) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (sqlite_id, postgres_id) DO UPDATE SET pid = excluded.pid, host = excluded.host, started_at = excluded.started_at, command = excluded.command`,
    ).run(pair.sqliteId, pair.postgresId, me.pid, me.host, me.startedAt, me.command);
    alongside?.();
  });
  // IMMEDIATE: two processes cannot both read "free" and both write
  take.immediate();
}

function releaseSqlite(db: Database.Database, pair: Pair, me: LockHolder): void {
  db.prepare(`DELETE FROM ${SQLITE_LOCK} WHERE sqlite_id = ? AND postgres_id = ? AND pid = ? AND host = ? AND started_at = ?`).run(
    pair.sqliteId,
    pair.postgresId,
    me.pid,
    me.host,
    me.startedAt,
  );
}

/**
 * Take the pair's run lock on the given PostgreSQL session and SQLite connection, or
 * throw RunLockedError naming the holder. release() is idempotent and never throws: when
 * a connection is gone, its lock went with it (PostgreSQL) or is stale and will be taken
 * over (SQLite: a dead pid, or this process's own pid).
 *
 * `whileSqliteLocks`: called once the PostgreSQL lock is held, just before the SQLite one
 * is taken. Taking it is a write transaction on the file, synced to disk (10-30 ms on a
 * slow disk) with the thread blocked: a caller can put a request on the PostgreSQL
 * session first, for the server to work on meanwhile.
 *
 * `withLock`: work that needs the lock and writes the file: `beforeSqlite` once the
 * PostgreSQL lock is held (its error releases it), `inSqliteLock` inside the SQLite lock's
 * transaction, so the file is synced once for both (file-generation.ts).
 */
export async function acquireRunLock(
  client: pg.Client,
  db: Database.Database,
  scope: Pair,
  me: Omit<LockHolder, 'startedAt'>,
  whileSqliteLocks?: () => void,
  withLock?: { beforeSqlite(): Promise<void>; inSqliteLock(): void },
): Promise<{ release(): Promise<void> }> {
  const pair: Pair = { sqliteId: scope.sqliteId, postgresId: scope.postgresId };
  const holder: LockHolder = { pid: me.pid, host: me.host, command: me.command, startedAt: isoSeconds(new Date()) };
  const key = advisoryKey(pair);
  await ensurePostgresStateTables(client, ['locks']);
  const got = await client.query<{ ok: string }>('SELECT pg_try_advisory_lock($1::bigint)::text AS ok', [key.toString()]);
  if (got.rows[0]?.ok !== 'true') throw new RunLockedError(await postgresHolder(client, pair, key));
  try {
    await client.query(
      `INSERT INTO ${PG_LOCKS} (sqlite_id, postgres_id, pid, host, started_at, command, backend_pid)
       VALUES ($1, $2, $3, $4, $5::timestamptz, $6, pg_backend_pid())
       ON CONFLICT (sqlite_id, postgres_id) DO UPDATE SET pid = EXCLUDED.pid, host = EXCLUDED.host, started_at = EXCLUDED.started_at,
         command = EXCLUDED.command, backend_pid = EXCLUDED.backend_pid`,
      [pair.sqliteId, pair.postgresId, holder.pid, holder.host, holder.startedAt, holder.command],
    );
    await withLock?.beforeSqlite();
    whileSqliteLocks?.();
    takeSqliteLock(db, pair, holder, withLock?.inSqliteLock);
  } catch (error) {
    await releasePostgres(client, pair, key).catch(() => undefined);
    throw error;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      // the server lets go of its lock while this thread waits on the file's sync (as above);
      // a run started meanwhile finds one lock or the other still held, as it would either way
      const postgres = releasePostgres(client, pair, key).catch(() => undefined);
      try {
        releaseSqlite(db, pair, holder);
      } catch {
        // stale row: taken over by the next run (our pid is then dead, or it is us)
      }
      await postgres;
    },
  };
}
