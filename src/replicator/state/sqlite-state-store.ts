/**
 * Pair state in the target SQLite file, tables `_replicate_*`. Statements run on the
 * caller's connection inside whatever transaction it has open, so a batch, its ledger
 * entries and its checkpoint commit together. Timestamps are ISO-8601 UTC text (SQLite
 * compares text, and this form sorts in time order). Numbers are read through Number()
 * so a connection with safeIntegers on gives the same results.
 */
import type Database from 'better-sqlite3';
import type { Checkpoint, PairScope, RejectEntry, RunProgress, RunRecord, SkipEntry, StateStore, StateSummary, TableRunStats } from './state-store.js';
import { PAIR_STATE_TABLES, stateTableDdl, stateTableName, stateTableRef, type StateTableName } from './state-tables.js';
import { checkpointOf, ledgerCountOf, rejectEntryOf, runRecordOf, skipEntryOf, tableStatsOf, type CountRow, type RejectRow, type RunRow, type RunTableRow, type SkipRow } from './state-rows.js';
import { sqliteTableExists } from '../../introspect/sqlite-catalog.js';

const T = {
  checkpoints: stateTableRef('sqlite', 'checkpoints'),
  skipped: stateTableRef('sqlite', 'skipped_rows'),
  rejected: stateTableRef('sqlite', 'rejected_rows'),
  runs: stateTableRef('sqlite', 'runs'),
  runTables: stateTableRef('sqlite', 'run_tables'),
};

const SCOPE_WHERE = 'sqlite_id = @sqliteId AND postgres_id = @postgresId AND direction = @direction';

/** SCOPE_WHERE's parameters for a pair */
const scopeParams = (pair: PairScope): { sqliteId: string; postgresId: string; direction: string } => ({ sqliteId: pair.sqliteId, postgresId: pair.postgresId, direction: pair.direction });

/** Create the given state tables where missing (IF NOT EXISTS: safe to run every time). */
export function ensureSqliteStateTables(db: Database.Database, names: readonly StateTableName[]): void {
  // Checking first, as the PostgreSQL side does: a file that has them takes no write
  // transaction (and the library, which asks knex for the DDL, does not load it).
  const present = new Set(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[]);
  const missing = names.filter((n) => !present.has(stateTableName('sqlite', n)));
  if (missing.length === 0) return;
  // in one transaction: one journal sync instead of one per statement (40-90 ms for a new file)
  const create = (): void => {
    for (const sql of stateTableDdl('sqlite', missing)) db.exec(sql);
  };
  if (db.inTransaction) create();
  else db.transaction(create)();
}

export function nowIso(): string {
  return new Date().toISOString();
}

/**
 * History rows of tables where nothing happened (nothing read, skipped, rejected or failed),
 * per file: each written on its own was a commit, with its syncs of the journal and the
 * file (a pg-to-sqlite run that finds nothing to do synced the bench's file 52 times, now
 * 16; milliseconds apiece on a terminal's flash storage). They are written with the next
 * row that says something, or with the run's end, in one transaction. A crash before then
 * loses only rows saying a table had nothing to do; a row of a table that did something is
 * written as it ends, as before. Kept by connection, not by store (a run that reconnects to
 * PostgreSQL wires a new store on the same file), each row with its own pair scope.
 * A busy table's progress rows (recordProgress) write them first, so the rows keep the
 * tables' order, but keep them waiting: that batch may yet roll back, so each batch writes
 * them again (upserts of a few rows, in its transaction) until the table's own row does.
 */
const quietHistory = new WeakMap<Database.Database, { scope: Record<string, string>; runId: string; stats: TableRunStats }[]>();

const nothingHappened = (s: TableRunStats): boolean => s.read === 0 && s.written === 0 && s.skipped === 0 && s.rejected === 0 && !s.error && !s.secondPass;

/** Last entry wins per key, so a key repeated in one call counts as one attempt. */
function lastByKey<E>(entries: readonly E[], key: (e: E) => string): E[] {
  return [...new Map(entries.map((e) => [key(e), e])).values()];
}

/**
 * Does the file hold a checkpoint of this pair and direction (any table)? False for a file
 * that never finished a batch with this pair this way, state tables or not: its run will
 * load its tables whole.
 */
export function sqliteHasCheckpoints(db: Database.Database, pair: PairScope): boolean {
  const name = stateTableName('sqlite', 'checkpoints');
  if (!sqliteTableExists(db, name)) return false;
  return db.prepare(`SELECT 1 FROM ${T.checkpoints} WHERE ${SCOPE_WHERE} LIMIT 1`).get(scopeParams(pair)) !== undefined;
}

export class SqliteStateStore implements StateStore {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly scope: { sqliteId: string; postgresId: string; direction: string };

  constructor(
    private readonly db: Database.Database,
    private readonly pair: PairScope,
  ) {
    this.scope = scopeParams(pair);
  }

  /** Prepared once per store (the tables must exist, so not before ensure()). */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private run(sql: string, params: Record<string, unknown> = {}): Database.RunResult {
    return this.stmt(sql).run({ ...this.scope, ...params });
  }

  private all<R>(sql: string, params: Record<string, unknown> = {}): R[] {
    return this.stmt(sql).all({ ...this.scope, ...params }) as R[];
  }

  async ensure(): Promise<void> {
    ensureSqliteStateTables(this.db, PAIR_STATE_TABLES);
  }

  async getCheckpoint(table: string): Promise<Checkpoint | null> {
    const row = this.all<{ position: string; updated_at: string }>(
      `SELECT position, updated_at FROM ${T.checkpoints} WHERE ${SCOPE_WHERE} AND table_name = @table`,
      { table },
    )[0];
    return row ? { table, position: row.position, updatedAt: row.updated_at } : null;
  }

  async saveCheckpoint(table: string, position: string, progress?: RunProgress): Promise<void> {
    if (progress) await this.recordProgress(progress);
    this.run(
      `INSERT INTO ${T.checkpoints} (sqlite_id, postgres_id, direction, table_name, position, updated_at)
       VALUES (@sqliteId, @postgresId, @direction, @table, @position, @now)
       ON CONFLICT (sqlite_id, postgres_id, direction, table_name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      { table, position, now: nowIso() },
    );
  }

  async resetCheckpoints(table?: string): Promise<number> {
    const r = this.run(`DELETE FROM ${T.checkpoints} WHERE ${SCOPE_WHERE} AND (@table IS NULL OR table_name = @table)`, { table: table ?? null });
    return r.changes;
  }

  async listSkipped(table: string): Promise<SkipEntry[]> {
    const rows = this.all<SkipRow>(
      `SELECT table_name, row_key, fk_columns, parent_table, parent_key, first_seen, last_tried, attempts
         FROM ${T.skipped} WHERE ${SCOPE_WHERE} AND table_name = @table ORDER BY first_seen, row_key, fk_columns`,
      { table },
    );
    return rows.map(skipEntryOf);
  }

  async recordSkipped(entries: Omit<SkipEntry, 'firstSeen' | 'lastTried' | 'attempts'>[]): Promise<void> {
    if (entries.length === 0) return;
    // one prepared statement in a loop: it runs inside the engine's batch transaction
    const insert = this.stmt(
      `INSERT INTO ${T.skipped} (sqlite_id, postgres_id, direction, table_name, row_key, fk_columns, parent_table, parent_key, first_seen, last_tried, attempts)
       VALUES (@sqliteId, @postgresId, @direction, @table, @rowKey, @fkColumns, @parentTable, @parentKey, @now, @now, 1)
       ON CONFLICT (sqlite_id, postgres_id, direction, table_name, row_key, fk_columns) DO UPDATE
         SET attempts = attempts + 1, last_tried = excluded.last_tried, parent_table = excluded.parent_table, parent_key = excluded.parent_key`,
    );
    const now = nowIso();
    const params = { ...this.scope, now, table: '', rowKey: '', fkColumns: '', parentTable: '', parentKey: '' };
    for (const e of lastByKey(entries, (x) => JSON.stringify([x.table, x.rowKey, x.fkColumns]))) {
      params.table = e.table;
      params.rowKey = e.rowKey;
      params.fkColumns = JSON.stringify(e.fkColumns);
      params.parentTable = e.parentTable;
      params.parentKey = e.parentKey;
      insert.run(params);
    }
  }

  async clearSkipped(table: string, rowKeys: string[]): Promise<void> {
    this.deleteKeys(T.skipped, table, rowKeys);
  }

  async listRejected(table: string): Promise<RejectEntry[]> {
    const rows = this.all<RejectRow>(
      `SELECT table_name, row_key, column_name, reason, code, first_seen, attempts
         FROM ${T.rejected} WHERE ${SCOPE_WHERE} AND table_name = @table ORDER BY first_seen, row_key`,
      { table },
    );
    return rows.map(rejectEntryOf);
  }

  async recordRejected(entries: Omit<RejectEntry, 'firstSeen' | 'attempts'>[]): Promise<void> {
    if (entries.length === 0) return;
    const insert = this.stmt(
      `INSERT INTO ${T.rejected} (sqlite_id, postgres_id, direction, table_name, row_key, column_name, reason, code, first_seen, last_tried, attempts)
       VALUES (@sqliteId, @postgresId, @direction, @table, @rowKey, @column, @reason, @code, @now, @now, 1)
       ON CONFLICT (sqlite_id, postgres_id, direction, table_name, row_key) DO UPDATE
         SET attempts = attempts + 1, last_tried = excluded.last_tried, column_name = excluded.column_name,
             reason = excluded.reason, code = excluded.code`,
    );
    const params: Record<string, string | null> = { ...this.scope, now: nowIso() };
    for (const e of lastByKey(entries, (x) => JSON.stringify([x.table, x.rowKey]))) {
      params.table = e.table;
      params.rowKey = e.rowKey;
      params.column = e.column;
      params.reason = e.reason;
      params.code = e.code;
      insert.run(params);
    }
  }

  async clearRejected(table: string, rowKeys: string[]): Promise<void> {
    this.deleteKeys(T.rejected, table, rowKeys);
  }

  private deleteKeys(ref: string, table: string, rowKeys: string[]): void {
    if (rowKeys.length === 0) return;
    const del = this.stmt(`DELETE FROM ${ref} WHERE ${SCOPE_WHERE} AND table_name = @table AND row_key = @rowKey`);
    const params = { ...this.scope, table, rowKey: '' };
    for (const rowKey of rowKeys) {
      params.rowKey = rowKey;
      del.run(params);
    }
  }

  /** Runs are made under the pair's run lock, so one still 'running' in this scope was cut off. One commit for both. */
  async startRun(runId: string): Promise<void> {
    this.db.transaction(() => {
      this.run(`UPDATE ${T.runs} SET status = 'cut-off' WHERE ${SCOPE_WHERE} AND status = 'running'`);
      this.run(
        `INSERT INTO ${T.runs} (sqlite_id, postgres_id, direction, run_id, started_at, status) VALUES (@sqliteId, @postgresId, @direction, @runId, @now, 'running')`,
        { runId, now: nowIso() },
      );
    })();
  }

  async recordTable(runId: string, stats: TableRunStats): Promise<void> {
    let pending = quietHistory.get(this.db);
    if (!pending) quietHistory.set(this.db, (pending = []));
    pending.push({ scope: this.scope, runId, stats });
    if (!nothingHappened(stats)) this.writeHistory();
  }

  async recordProgress(progress: RunProgress): Promise<void> {
    for (const r of quietHistory.get(this.db) ?? []) this.writeTableRow(r.scope, r.runId, r.stats);
    this.writeTableRow(this.scope, progress.runId, progress.stats);
  }

  /** The history rows waiting (quietHistory), in the order their tables ended, in one transaction. */
  private writeHistory(): void {
    const rows = quietHistory.get(this.db)?.splice(0) ?? [];
    if (rows.length > 0) this.db.transaction(() => rows.forEach((r) => this.writeTableRow(r.scope, r.runId, r.stats)))();
  }

  private writeTableRow(scope: Record<string, string>, runId: string, stats: TableRunStats): void {
    this.stmt(
      `INSERT INTO ${T.runTables} (sqlite_id, postgres_id, direction, run_id, table_name, seq, rows_read, rows_written, rows_skipped, rows_rejected, ms, error)
       SELECT @sqliteId, @postgresId, @direction, @runId, @table, coalesce(max(seq), 0) + 1, @read, @written, @skipped, @rejected, @ms, @error
         FROM ${T.runTables} WHERE ${SCOPE_WHERE} AND run_id = @runId
       ON CONFLICT (sqlite_id, postgres_id, direction, run_id, table_name) DO UPDATE
         SET rows_read = excluded.rows_read, rows_written = excluded.rows_written, rows_skipped = excluded.rows_skipped,
             rows_rejected = excluded.rows_rejected, ms = excluded.ms, error = excluded.error`,
    ).run({
      ...scope,
      runId,
      table: stats.table,
      read: stats.read,
      written: stats.written,
      skipped: stats.skipped,
      rejected: stats.rejected,
      ms: Math.round(stats.ms),
      error: stats.error,
    });
  }

  async finishRun(runId: string, status: RunRecord['status'], finishedAt?: string): Promise<void> {
    this.db.transaction(() => {
      this.writeHistory();
      this.run(`UPDATE ${T.runs} SET finished_at = @now, status = @status WHERE ${SCOPE_WHERE} AND run_id = @runId`, { runId, status, now: finishedAt ?? nowIso() });
    })();
  }

  async summary(limitRuns = 5): Promise<StateSummary> {
    const checkpoints = this.all<{ table_name: string; position: string; updated_at: string }>(
      `SELECT table_name, position, updated_at FROM ${T.checkpoints} WHERE ${SCOPE_WHERE} ORDER BY table_name`,
    );
    const counts = (ref: string) =>
      this.all<CountRow>(`SELECT table_name, count(*) AS n, min(first_seen) AS oldest FROM ${ref} WHERE ${SCOPE_WHERE} GROUP BY table_name ORDER BY table_name`).map(
        ledgerCountOf,
      );
    return {
      checkpoints: checkpoints.map(checkpointOf),
      skipped: counts(T.skipped),
      rejected: counts(T.rejected),
      lastRuns: limitRuns > 0 ? this.lastRuns(limitRuns) : [],
    };
  }

  private lastRuns(limit: number): RunRecord[] {
    // rowid breaks ties between runs started within one millisecond
    const runs = this.all<RunRow>(
      `SELECT run_id, started_at, finished_at, status FROM ${T.runs} WHERE ${SCOPE_WHERE} ORDER BY started_at DESC, rowid DESC LIMIT @limit`,
      { limit },
    );
    return runs.map((r) =>
      runRecordOf(
        r,
        this.pair.direction,
        this.all<RunTableRow>(
          `SELECT table_name, rows_read, rows_written, rows_skipped, rows_rejected, ms, error FROM ${T.runTables} WHERE ${SCOPE_WHERE} AND run_id = @runId ORDER BY seq`,
          { runId: r.run_id },
        ).map(tableStatsOf),
      ),
    );
  }
}
