/**
 * Which file a SQLite id's state in PostgreSQL belongs to. The id moves with the file
 * (database-ids.ts), so a moved file keeps its checkpoints; but a copy keeps it too (a
 * cloned device image, a backup restored onto a second till), and then two files would
 * share one set of sqlite-to-pg checkpoints and ledgers: the copy's new rows can sort below
 * a checkpoint the other file's push left, and are never sent.
 *
 * So each sqlite-to-pg run, under the pair's run lock and before it reads anything, claims
 * a new token ("generation"): written to PostgreSQL as pending (flushed), then into the
 * file, then made current. A file holding neither the current nor the pending token is
 * another file with this id that synced since: refused (SharedDatabaseIdError). A run cut
 * off between the steps leaves the file holding one of the two, so it is accepted.
 * The file keeps one token per PostgreSQL id, in `_replicate_meta`: a file may sync with
 * several servers or schemas, each claiming its own.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { describePostgresUrl } from '../../connect/postgres-connection.js';
import { SharedDatabaseIdError } from '../../errors.js';
import { quoteLiteral } from '../../sql/quote.js';
import { sqliteTableExists } from '../../introspect/sqlite-catalog.js';
import { ensurePostgresStateTables } from './postgres-state-store.js';
import { ensureSqliteStateTables } from './sqlite-state-store.js';
import type { PairScope } from './state-store.js';
import { stateTableName, stateTableRef } from './state-tables.js';

type Pair = Omit<PairScope, 'direction'>;

const GENERATIONS = stateTableRef('postgres', 'generations');
const SQLITE_META = stateTableRef('sqlite', 'meta');
/** `_replicate_meta` keys of the file's tokens start with this (database-ids.ts drops them all with the id) */
export const GENERATION_KEY_PREFIX = 'generation:';

const fileKey = (postgresId: string): string => `${GENERATION_KEY_PREFIX}${postgresId}`;

interface StoredGeneration {
  current: string | null;
  pending: string | null;
}

/** The server and schema a refused file's id synced with, as its error names them (no password). */
export function sharedIdWhere(pgUrl: string, schema: string): string {
  return `${describePostgresUrl(pgUrl)}, schema ${schema}`;
}

/** The token this file last claimed with that PostgreSQL database and schema, or null. */
export function fileGeneration(db: Database.Database, postgresId: string): string | null {
  if (!sqliteTableExists(db, stateTableName('sqlite', 'meta'))) return null;
  const row = db.prepare(`SELECT value FROM ${SQLITE_META} WHERE key = ?`).get(fileKey(postgresId)) as { value: string } | undefined;
  return row?.value ?? null;
}

function writeFileGeneration(db: Database.Database, postgresId: string, token: string): void {
  ensureSqliteStateTables(db, ['meta']);
  db.prepare(`INSERT INTO ${SQLITE_META} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(fileKey(postgresId), token);
}

/** No current token yet (never claimed, or the first claim was cut off): any file may claim. */
function accepts(stored: StoredGeneration | null, held: string | null): boolean {
  return !stored || stored.current === null || (held !== null && (held === stored.current || held === stored.pending));
}

async function storedGeneration(client: pg.Client, pair: Pair): Promise<StoredGeneration | null> {
  const r = await client.query<{ current_token: string | null; pending_token: string | null }>(
    `SELECT current_token, pending_token FROM ${GENERATIONS} WHERE sqlite_id = $1 AND postgres_id = $2`,
    [pair.sqliteId, pair.postgresId],
  );
  const row = r.rows[0];
  return row ? { current: row.current_token, pending: row.pending_token } : null;
}

/** A run's claim of a new token, in the order its steps must happen (run-lock.ts calls the first two). */
export interface GenerationClaim {
  /** the check, and the new token written to PostgreSQL as pending; throws SharedDatabaseIdError (nothing changed then) */
  claim(): Promise<void>;
  /** the new token into the file: inside the run lock's SQLite transaction, so the file is synced once for both */
  writeToFile(): void;
  /** the new token made current, before the run reads any state */
  complete(): Promise<void>;
}

/**
 * The claim a sqlite-to-pg run makes holding the pair's run lock. `where`: the server and
 * schema, for the error.
 */
export function generationClaim(client: pg.Client, db: Database.Database, pair: Pair, where: string): GenerationClaim {
  const next = randomUUID();
  return {
    async claim() {
      await ensurePostgresStateTables(client, ['generations']);
      const held = fileGeneration(db, pair.postgresId);
      const [sqliteId, postgresId, heldToken, nextToken] = [pair.sqliteId, pair.postgresId, held, next].map((v) => (v === null ? 'NULL' : quoteLiteral(v)));
      // The check and the pending token in one statement; a pending token the file holds (a run
      // cut off before making it current) becomes current with it, so the file's token stays
      // one of the two whatever step is cut off next. Flushed before the file holds the token:
      // the session commits without waiting (postgres-session.ts), and a server crash that lost
      // the pending token would leave the file with a token PostgreSQL never saw, and refused.
      // One round trip: the values are quoted literals (SET LOCAL holds for this statement list only).
      const results = (await client.query(
        `SET LOCAL synchronous_commit = on;
         INSERT INTO ${GENERATIONS} AS g (sqlite_id, postgres_id, current_token, pending_token, updated_at)
           VALUES (${sqliteId}, ${postgresId}, NULL, ${nextToken}, now())
         ON CONFLICT (sqlite_id, postgres_id) DO UPDATE SET current_token = ${heldToken}, pending_token = EXCLUDED.pending_token, updated_at = now()
           WHERE g.current_token IS NULL OR g.current_token = ${heldToken} OR g.pending_token = ${heldToken}
         RETURNING 1`,
      )) as unknown as pg.QueryResult[];
      if (results[results.length - 1]?.rowCount !== 1) throw new SharedDatabaseIdError(db.name, pair.sqliteId, where);
    },
    writeToFile() {
      writeFileGeneration(db, pair.postgresId, next);
    },
    async complete() {
      // committed before the run's first write (their WAL follows this one): a copy holding the old token is refused from here on
      await client.query(`UPDATE ${GENERATIONS} SET current_token = pending_token, updated_at = now() WHERE sqlite_id = $1 AND postgres_id = $2 AND pending_token = $3`, [
        pair.sqliteId,
        pair.postgresId,
        next,
      ]);
    },
  };
}

/** Throw SharedDatabaseIdError where a run's claim would, writing nothing (`run --dry-run`). */
export async function checkFileGeneration(client: pg.Client, db: Database.Database, pair: Pair, where: string): Promise<void> {
  const exists = await client.query<{ ok: string }>(`SELECT (to_regclass($1) IS NOT NULL)::text AS ok`, [GENERATIONS]);
  if (exists.rows[0]?.ok !== 'true') return;
  if (!accepts(await storedGeneration(client, pair), fileGeneration(db, pair.postgresId))) throw new SharedDatabaseIdError(db.name, pair.sqliteId, where);
}

/**
 * `reset --adopt`: the file takes PostgreSQL's current token, so it goes on from the id's
 * checkpoints (a restored backup that replaces the original). 'nothing': PostgreSQL keeps
 * no token for the id; 'already': the file would be accepted as it is. Under the run lock.
 */
export async function adoptFileGeneration(client: pg.Client, db: Database.Database, pair: Pair): Promise<'adopted' | 'already' | 'nothing'> {
  await ensurePostgresStateTables(client, ['generations']);
  const stored = await storedGeneration(client, pair);
  if (!stored || stored.current === null) return 'nothing';
  if (accepts(stored, fileGeneration(db, pair.postgresId))) return 'already';
  writeFileGeneration(db, pair.postgresId, stored.current);
  return 'adopted';
}
