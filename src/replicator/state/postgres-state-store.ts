/**
 * Pair state in the target PostgreSQL database, schema `replicate`. Every statement runs
 * on the caller's session and inside whatever transaction it has open, so a batch, its
 * ledger entries and its checkpoint commit together. Values are read back through SQL
 * casts (timestamps formatted as ISO text, counts as text), so the result does not depend
 * on the session's type parsers: the engine overrides them to return raw text.
 */
import type pg from 'pg';
import { errorCode } from '../../errors.js';
import type { Checkpoint, PairScope, RejectEntry, RunProgress, RunRecord, SkipEntry, StateStore, StateSummary, TableRunStats } from './state-store.js';
import { PAIR_STATE_TABLES, STATE_SCHEMA, stateTableDdl, stateTableName, stateTableRef, type StateTableName } from './state-tables.js';
import { listOwed, owedFromJson, owedListSql, type OwedConstraint } from './owed-constraints.js';
import { checkpointOf, ledgerCountOf, rejectEntryOf, runRecordOf, skipEntryOf, tableStatsOf, type CheckpointRow, type CountRow, type RejectRow, type RunRow, type RunTableRow, type SkipRow } from './state-rows.js';

const T = {
  checkpoints: stateTableRef('postgres', 'checkpoints'),
  skipped: stateTableRef('postgres', 'skipped_rows'),
  rejected: stateTableRef('postgres', 'rejected_rows'),
  runs: stateTableRef('postgres', 'runs'),
  runTables: stateTableRef('postgres', 'run_tables'),
};

/** timestamptz -> '2026-11-22T03:00:00.123Z' whatever the session's TimeZone and DateStyle */
export function pgIso(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** $1..$3 in every statement below */
const SCOPE_WHERE = 'sqlite_id = $1 AND postgres_id = $2 AND direction = $3';

/**
 * The upsert of a run's history row for a table; its parameters from $`at`: run id, table,
 * read, written, skipped, rejected, ms, error (runTableParams). A row keeps the place (seq)
 * it was first written in: a table's progress rows and its final row are one row.
 */
function runTableUpsert(at: number): string {
  const p = (i: number): string => `$${at + i}`;
  return `INSERT INTO ${T.runTables} AS rt (sqlite_id, postgres_id, direction, run_id, table_name, seq, rows_read, rows_written, rows_skipped, rows_rejected, ms, error)
       SELECT $1::text, $2::text, $3::text, ${p(0)}::text, ${p(1)}::text, coalesce(max(seq), 0) + 1, ${p(2)}::bigint, ${p(3)}::bigint, ${p(4)}::bigint, ${p(5)}::bigint, ${p(6)}::bigint, ${p(7)}::text
         FROM ${T.runTables} WHERE ${SCOPE_WHERE} AND run_id = ${p(0)}
       ON CONFLICT (sqlite_id, postgres_id, direction, run_id, table_name) DO UPDATE
         SET rows_read = EXCLUDED.rows_read, rows_written = EXCLUDED.rows_written, rows_skipped = EXCLUDED.rows_skipped,
             rows_rejected = EXCLUDED.rows_rejected, ms = EXCLUDED.ms, error = EXCLUDED.error`;
}

const runTableParams = (runId: string, stats: TableRunStats): unknown[] => [runId, stats.table, stats.read, stats.written, stats.skipped, stats.rejected, Math.round(stats.ms), stats.error];

/** Errors that only mean a concurrent CREATE ... IF NOT EXISTS got there first. */
const CONCURRENT_CREATE = new Set(['23505', '42P07', '42P06', '42710']);

/**
 * Create the schema and the given state tables where missing, in autocommit. Checking
 * first means an existing setup needs no CREATE privilege and takes no DDL locks.
 */
export async function ensurePostgresStateTables(client: pg.Client, names: readonly StateTableName[]): Promise<void> {
  // a run asks for its tables at several steps (ids, lock, state): one look per session
  const known = knownTables.get(client) ?? new Set<StateTableName>();
  knownTables.set(client, known);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length === 0) return;
  const r = await client.query<{ name: string }>(
    `SELECT n AS name FROM unnest($1::text[]) AS n WHERE to_regclass(quote_ident($2) || '.' || quote_ident(n)) IS NULL`,
    [unknown.map((n) => stateTableName('postgres', n)), STATE_SCHEMA],
  );
  const missingNames = new Set(r.rows.map((row) => row.name));
  const missing = unknown.filter((n) => missingNames.has(stateTableName('postgres', n)));
  for (const n of unknown) if (!missing.includes(n)) known.add(n);
  if (missing.length === 0) return;
  const schema = await client.query<{ ok: string }>(`SELECT 1::text AS ok FROM pg_namespace WHERE nspname = $1`, [STATE_SCHEMA]);
  const statements = [...(schema.rowCount ? [] : [`CREATE SCHEMA IF NOT EXISTS "${STATE_SCHEMA}"`]), ...stateTableDdl('postgres', missing)];
  try {
    // one round trip and one commit (one WAL flush) for all of them; a concurrent creator's
    // error undoes the lot, and they go one by one, each in its own commit, as before
    await client.query(statements.join(';\n'));
  } catch (error) {
    if (!CONCURRENT_CREATE.has(errorCode(error) ?? '')) throw error;
    for (const sql of statements) {
      try {
        await client.query(sql);
      } catch (e) {
        if (!CONCURRENT_CREATE.has(errorCode(e) ?? '')) throw e;
      }
    }
  }
  for (const n of missing) known.add(n);
}

/**
 * State tables seen to exist, per session. Nothing in replicate drops them; a user who
 * drops one mid-run gets the error of the statement that needs it.
 */
const knownTables = new WeakMap<pg.Client, Set<StateTableName>>();

/** Last entry wins per key: one multi-row upsert may not touch a row twice. */
function lastByKey<E>(entries: readonly E[], key: (e: E) => string): E[] {
  return [...new Map(entries.map((e) => [key(e), e])).values()];
}

/** A table's state as prefetched at the start of a run. */
interface Prefetched {
  checkpoint: Checkpoint | null;
  skipped: number;
  rejected: number;
}

export class PostgresStateStore implements StateStore {
  private readonly scope: [string, string, string];

  constructor(
    private readonly client: pg.Client,
    private readonly pair: PairScope,
  ) {
    this.scope = [pair.sqliteId, pair.postgresId, pair.direction];
  }

  /**
   * Each planned table's checkpoint and ledger sizes, read in one query at the start of a
   * run (prefetch), instead of three queries per table. A table's entry is dropped by the
   * first write to its state, so reads after that go to the database. Safe because a run
   * holds the pair's lock: no other run writes this pair's state meanwhile.
   */
  private prefetched = new Map<string, Prefetched>();
  /** what --create-missing still owes, as the prefetch read it; handed out once (listOwed) */
  private prefetchedOwed: OwedConstraint[] | null = null;

  private query<R extends pg.QueryResultRow>(sql: string, params: readonly unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.client.query<R>(sql, [...this.scope, ...params]);
  }

  private forget(table?: string): void {
    if (table === undefined) this.prefetched.clear();
    else this.prefetched.delete(table);
  }

  async prefetch(tables: readonly string[]): Promise<void> {
    // the owed list is the same on every row: evaluated once, small (usually '[]')
    const r = await this.query<{ name: string; position: string | null; updated_at: string | null; skipped: string; rejected: string; owed: string }>(
      `SELECT t.name, c.position, ${pgIso('c.updated_at')} AS updated_at,
              (SELECT count(*) FROM ${T.skipped} AS s WHERE s.sqlite_id = $1 AND s.postgres_id = $2 AND s.direction = $3 AND s.table_name = t.name)::text AS skipped,
              (SELECT count(*) FROM ${T.rejected} AS j WHERE j.sqlite_id = $1 AND j.postgres_id = $2 AND j.direction = $3 AND j.table_name = t.name)::text AS rejected,
              ${owedListSql('$2', '$3')} AS owed
         FROM unnest($4::text[]) AS t(name)
         LEFT JOIN ${T.checkpoints} AS c ON c.sqlite_id = $1 AND c.postgres_id = $2 AND c.direction = $3 AND c.table_name = t.name`,
      [[...tables]],
    );
    for (const row of r.rows) {
      const checkpoint = row.position === null ? null : { table: row.name, position: row.position, updatedAt: row.updated_at ?? '' };
      this.prefetched.set(row.name, { checkpoint, skipped: Number(row.skipped), rejected: Number(row.rejected) });
    }
    const first = r.rows[0];
    if (first) this.prefetchedOwed = owedFromJson(first.owed);
  }

  async ensure(): Promise<void> {
    await ensurePostgresStateTables(this.client, [...PAIR_STATE_TABLES, 'owed_constraints']);
  }

  async listOwed(): Promise<OwedConstraint[]> {
    const known = this.prefetchedOwed;
    this.prefetchedOwed = null;
    return known ?? listOwed(this.client, this.pair);
  }

  async getCheckpoint(table: string): Promise<Checkpoint | null> {
    const known = this.prefetched.get(table);
    if (known) return known.checkpoint;
    const r = await this.query<{ position: string; updated_at: string }>(
      `SELECT position, ${pgIso('updated_at')} AS updated_at FROM ${T.checkpoints} WHERE ${SCOPE_WHERE} AND table_name = $4`,
      [table],
    );
    const row = r.rows[0];
    return row ? { table, position: row.position, updatedAt: row.updated_at } : null;
  }

  async saveCheckpoint(table: string, position: string, progress?: RunProgress): Promise<void> {
    this.forget(table);
    // the history row rides along in the same statement: no round trip more per batch
    const withProgress = progress ? `WITH progress AS (${runTableUpsert(6)})\n       ` : '';
    await this.query(
      `${withProgress}INSERT INTO ${T.checkpoints} (sqlite_id, postgres_id, direction, table_name, position, updated_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (sqlite_id, postgres_id, direction, table_name) DO UPDATE SET position = EXCLUDED.position, updated_at = EXCLUDED.updated_at`,
      [table, position, ...(progress ? runTableParams(progress.runId, progress.stats) : [])],
    );
  }

  async resetCheckpoints(table?: string): Promise<number> {
    this.forget(table);
    const r = await this.query(`DELETE FROM ${T.checkpoints} WHERE ${SCOPE_WHERE} AND ($4::text IS NULL OR table_name = $4)`, [table ?? null]);
    return r.rowCount ?? 0;
  }

  async listSkipped(table: string): Promise<SkipEntry[]> {
    if (this.prefetched.get(table)?.skipped === 0) return [];
    const r = await this.query<SkipRow>(
      `SELECT table_name, row_key, fk_columns, parent_table, parent_key, ${pgIso('first_seen')} AS first_seen,
              ${pgIso('last_tried')} AS last_tried, attempts::text AS attempts
         FROM ${T.skipped} AS s WHERE ${SCOPE_WHERE} AND table_name = $4 ORDER BY s.first_seen, s.row_key, s.fk_columns`,
      [table],
    );
    return r.rows.map(skipEntryOf);
  }

  async recordSkipped(entries: Omit<SkipEntry, 'firstSeen' | 'lastTried' | 'attempts'>[]): Promise<void> {
    if (entries.length === 0) return;
    for (const e of entries) this.forget(e.table);
    const unique = lastByKey(entries, (e) => JSON.stringify([e.table, e.rowKey, e.fkColumns]));
    await this.query(
      `INSERT INTO ${T.skipped} AS s (sqlite_id, postgres_id, direction, table_name, row_key, fk_columns, parent_table, parent_key, first_seen, last_tried, attempts)
       SELECT $1::text, $2::text, $3::text, u.t, u.k, u.f, u.pt, u.pk, now(), now(), 1
         FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS u(t, k, f, pt, pk)
       ON CONFLICT (sqlite_id, postgres_id, direction, table_name, row_key, fk_columns) DO UPDATE
         SET attempts = s.attempts + 1, last_tried = EXCLUDED.last_tried, parent_table = EXCLUDED.parent_table, parent_key = EXCLUDED.parent_key`,
      [
        unique.map((e) => e.table),
        unique.map((e) => e.rowKey),
        unique.map((e) => JSON.stringify(e.fkColumns)),
        unique.map((e) => e.parentTable),
        unique.map((e) => e.parentKey),
      ],
    );
  }

  async clearSkipped(table: string, rowKeys: string[]): Promise<void> {
    if (rowKeys.length === 0) return;
    this.forget(table);
    await this.query(`DELETE FROM ${T.skipped} WHERE ${SCOPE_WHERE} AND table_name = $4 AND row_key = ANY($5::text[])`, [table, rowKeys]);
  }

  async listRejected(table: string): Promise<RejectEntry[]> {
    if (this.prefetched.get(table)?.rejected === 0) return [];
    const r = await this.query<RejectRow>(
      `SELECT table_name, row_key, column_name, reason, code, ${pgIso('first_seen')} AS first_seen, attempts::text AS attempts
         FROM ${T.rejected} AS r WHERE ${SCOPE_WHERE} AND table_name = $4 ORDER BY r.first_seen, r.row_key`,
      [table],
    );
    return r.rows.map(rejectEntryOf);
  }

  async recordRejected(entries: Omit<RejectEntry, 'firstSeen' | 'attempts'>[]): Promise<void> {
    if (entries.length === 0) return;
    for (const e of entries) this.forget(e.table);
    const unique = lastByKey(entries, (e) => JSON.stringify([e.table, e.rowKey]));
    await this.query(
      `INSERT INTO ${T.rejected} AS r (sqlite_id, postgres_id, direction, table_name, row_key, column_name, reason, code, first_seen, last_tried, attempts)
       SELECT $1::text, $2::text, $3::text, u.t, u.k, u.c, u.reason, u.code, now(), now(), 1
         FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS u(t, k, c, reason, code)
       ON CONFLICT (sqlite_id, postgres_id, direction, table_name, row_key) DO UPDATE
         SET attempts = r.attempts + 1, last_tried = EXCLUDED.last_tried, column_name = EXCLUDED.column_name,
             reason = EXCLUDED.reason, code = EXCLUDED.code`,
      [unique.map((e) => e.table), unique.map((e) => e.rowKey), unique.map((e) => e.column), unique.map((e) => e.reason), unique.map((e) => e.code)],
    );
  }

  async clearRejected(table: string, rowKeys: string[]): Promise<void> {
    if (rowKeys.length === 0) return;
    this.forget(table);
    await this.query(`DELETE FROM ${T.rejected} WHERE ${SCOPE_WHERE} AND table_name = $4 AND row_key = ANY($5::text[])`, [table, rowKeys]);
  }

  /** Runs are made under the pair's run lock, so one still 'running' in this scope was cut off. */
  async startRun(runId: string): Promise<void> {
    // one statement: a data-modifying CTE runs to completion whether or not it is read
    await this.query(
      `WITH cut_off AS (UPDATE ${T.runs} SET status = 'cut-off' WHERE ${SCOPE_WHERE} AND status = 'running')
       INSERT INTO ${T.runs} (sqlite_id, postgres_id, direction, run_id, started_at, status) VALUES ($1, $2, $3, $4, now(), 'running')`,
      [runId],
    );
  }

  async recordTable(runId: string, stats: TableRunStats): Promise<void> {
    await this.query(runTableUpsert(4), runTableParams(runId, stats));
  }

  async recordProgress(progress: RunProgress): Promise<void> {
    await this.recordTable(progress.runId, progress.stats);
  }

  async finishRun(runId: string, status: RunRecord['status'], finishedAt?: string): Promise<void> {
    await this.query(`UPDATE ${T.runs} SET finished_at = coalesce($6::timestamptz, now()), status = $5 WHERE ${SCOPE_WHERE} AND run_id = $4`, [runId, status, finishedAt ?? null]);
  }

  async summary(limitRuns = 5): Promise<StateSummary> {
    // checkpoints and both ledgers' counts in one statement: one round trip, not three (every run ends with this)
    const r = await this.query<CheckpointRow & CountRow & { kind: string }>(
      `SELECT 'checkpoint' AS kind, table_name, position, ${pgIso('updated_at')} AS updated_at, NULL::text AS n, NULL::text AS oldest
         FROM ${T.checkpoints} WHERE ${SCOPE_WHERE}
       UNION ALL
       SELECT 'skipped', table_name, NULL, NULL, count(*)::text, ${pgIso('min(first_seen)')} FROM ${T.skipped} WHERE ${SCOPE_WHERE} GROUP BY table_name
       UNION ALL
       SELECT 'rejected', table_name, NULL, NULL, count(*)::text, ${pgIso('min(first_seen)')} FROM ${T.rejected} WHERE ${SCOPE_WHERE} GROUP BY table_name
       ORDER BY kind, table_name`,
    );
    const of = (kind: string) => r.rows.filter((row) => row.kind === kind);
    return {
      checkpoints: of('checkpoint').map(checkpointOf),
      skipped: of('skipped').map(ledgerCountOf),
      rejected: of('rejected').map(ledgerCountOf),
      lastRuns: limitRuns > 0 ? await this.lastRuns(limitRuns) : [],
    };
  }

  private async lastRuns(limit: number): Promise<RunRecord[]> {
    const runs = await this.query<RunRow>(
      `SELECT run_id, ${pgIso('started_at')} AS started_at, ${pgIso('finished_at')} AS finished_at, status
         FROM ${T.runs} AS r WHERE ${SCOPE_WHERE} ORDER BY r.started_at DESC, r.run_id DESC LIMIT $4`,
      [limit],
    );
    if (runs.rows.length === 0) return [];
    const tables = await this.query<RunTableRow & { run_id: string }>(
      `SELECT run_id, table_name, rows_read::text AS rows_read, rows_written::text AS rows_written, rows_skipped::text AS rows_skipped,
              rows_rejected::text AS rows_rejected, ms::text AS ms, error
         FROM ${T.runTables} WHERE ${SCOPE_WHERE} AND run_id = ANY($4::text[]) ORDER BY run_id, seq`,
      [runs.rows.map((r) => r.run_id)],
    );
    const byRun = new Map<string, TableRunStats[]>();
    for (const row of tables.rows) byRun.set(row.run_id, [...(byRun.get(row.run_id) ?? []), tableStatsOf(row)]);
    return runs.rows.map((r) => runRecordOf(r, this.pair.direction, byRun.get(r.run_id) ?? []));
  }
}
