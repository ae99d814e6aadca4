/**
 * A replication run, end to end: connect, identify the pair, take the lock, plan, sync
 * each table in FK order, record history, release. Emits typed events and returns a
 * summary; never prints. DESIGN.md "Replication semantics" and "Data flow".
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { openPostgresSession, sessionSettings } from '../../connect/postgres-session.js';
import { namedSqliteBusy } from '../../connect/sqlite-connection.js';
import { openPair, type PairConfig } from './open-pair.js';
import { describePostgresUrl } from '../../connect/postgres-connection.js';
import { ConnectionLostError } from '../../errors.js';
import { PostgresIntrospector } from '../../introspect/postgres-introspector.js';
import { NameTranslator } from '../../mapping/name-translator.js';
import type { ReplicationEvent, RunSummary } from '../events.js';
import type { Direction, TablePlan } from '../run-plan.js';
import { postgresDatabaseId, sqliteDatabaseId } from '../state/database-ids.js';
import { acquireRunLock, runLockCommand, thisProcess } from '../state/run-lock.js';
import { generationClaim, sharedIdWhere } from '../state/file-generation.js';
import { ensurePostgresStateTables } from '../state/postgres-state-store.js';
import { sqliteHasCheckpoints } from '../state/sqlite-state-store.js';
import { PAIR_STATE_TABLES } from '../state/state-tables.js';
import { pruneMarksStatement } from '../state/push-marks.js';
import type { TableRunStats } from '../state/state-store.js';
import { wireDirection, type Connections } from './direction-wiring.js';
import { DEFAULT_RETRY, isConnectionLost, withRetry } from './retry.js';
import type { CreatedTables } from '../create-missing/create-missing-tables.js';
import { createdNote, keyFirstFor, keysBeforeWrites, owedConstraints } from '../create-missing/owed-constraints-apply.js';
import type { SchemaModel } from '../../model/schema.js';
import { syncTable } from './table-sync.js';
import { prefetchOwnedSequences } from '../io/postgres-sequences.js';
import { recordEnd, recordEndsLeftOver, RunHistory, TableHistory } from './run-history.js';
import { KnownParents } from './known-parents.js';
import { runDeferredPass } from './deferred-pass.js';
import { planOnPair, planWithMissingTables } from './plan-on-pair.js';

export type { PairConfig } from './open-pair.js';
export { planReplication } from './plan-replication.js';

export interface RunOptions {
  direction: Direction;
  full?: boolean;
  tables?: string[];
  batchSize?: number;
  /** create tables that exist only on the source (constraints after the data, primary keys too where safe: create-missing/key-values.ts) */
  createMissing?: boolean;
  /** stop between batches when this returns true (SIGINT): the current batch finishes and checkpoints */
  stopRequested?: () => boolean;
}

export const DEFAULT_BATCH_SIZE = 5000;

/** a first load into an empty table, unless --batch-size says otherwise (table-sync.ts) */
export const FIRST_LOAD_BATCH_SIZE = 10000;

/** how often a table is resumed on a new connection after the old one dropped */
const RECONNECT_ATTEMPTS = 5;

/** Replace a dropped PostgreSQL session with a new one (same settings); conn.pg is swapped in place. */
async function reconnectPostgres(conn: Connections, config: PairConfig, purpose: string, direction: Direction): Promise<void> {
  await conn.pg.end().catch(() => undefined);
  conn.pg = await openPostgresSession(config.pgUrl, `replicate ${purpose}`, sessionSettings(direction));
}

/** The run's PostgreSQL connection is gone for good; a typed error the CLI says as such (exit 1). */
function connectionLost(config: PairConfig, table: string | null, reconnects: number, cause: unknown): ConnectionLostError {
  return new ConnectionLostError(describePostgresUrl(config.pgUrl), table, reconnects, { cause });
}

/**
 * Tables this run created that planned FKs reference by their single-column key: their
 * keys are remembered as they commit, so their children's FK guard need not ask the
 * target about them (known-parents.ts).
 */
function trackCreatedParents(tables: readonly TablePlan[], created: readonly string[]): KnownParents | null {
  const known = new KnownParents();
  let any = false;
  for (const t of tables) {
    const key = t.key[0];
    if (!created.includes(t.table) || t.key.length !== 1 || key === undefined || t.keyTranslation) continue;
    const referenced = tables.some((c) => c.foreignKeys.some((fk) => !fk.deferred && fk.refTable === t.table && fk.refColumns.length === 1 && fk.refColumns[0] === key));
    const keyIndex = t.columns.findIndex((c) => c.pg === key);
    if (!referenced || keyIndex < 0) continue;
    known.track(t.table, key, keyIndex);
    any = true;
  }
  return any ? known : null;
}

/**
 * May `table`'s FKs and indexes be added while later tables load? Its parents are all in
 * (loaded earlier in this run, or not part of it), and no FK into or out of it waits for
 * the second pass of a cycle. Only later tables are written to from here on, and the
 * statements lock nothing else.
 */
function tableDone(table: TablePlan, tables: readonly TablePlan[], done: ReadonlySet<string>): boolean {
  if (table.deferredColumns.length > 0) return false;
  if (tables.some((t) => t.foreignKeys.some((fk) => fk.deferred && fk.refTable === table.table))) return false;
  const planned = new Set(tables.map((t) => t.table));
  return table.foreignKeys.every((fk) => !planned.has(fk.refTable) || done.has(fk.refTable) || fk.refTable === table.table);
}

/**
 * `session`: the run's PostgreSQL session when the caller started opening it already
 * (`openPostgresSession(url, 'replicate run --direction <d>', sessionSettings(d), schema)`: the CLI
 * does, so the connection is made while the engine's modules load); the run owns it.
 */
export async function runReplication(config: PairConfig, options: RunOptions, emit: (e: ReplicationEvent) => void, session?: Promise<pg.Client>): Promise<RunSummary> {
  const started = Date.now();
  const pair = await openPair(config, `run --direction ${options.direction}`, options.direction, session);
  const { conn } = pair;
  try {
    // the state tables this run reads and writes in PostgreSQL, looked up in one query
    // (the steps below then find them known: ensurePostgresStateTables)
    await ensurePostgresStateTables(conn.pg, options.direction === 'sqlite-to-pg' ? ['meta', 'locks', ...PAIR_STATE_TABLES, 'owed_constraints', 'push_marks', 'generations'] : ['meta', 'locks', 'push_marks']);
    const scope = {
      sqliteId: sqliteDatabaseId(conn.sqlite),
      postgresId: await postgresDatabaseId(conn.pg, conn.schema),
      direction: options.direction,
    };
    // A pg-to-sqlite run that loads tables whole reads them on the reader thread: it starts
    // now (its modules load) while this one plans. Other runs read a table's first batch on
    // this session and start it only for a second (postgres-thread-on-demand.ts).
    if (options.direction === 'pg-to-sqlite' && (options.full || options.createMissing || !sqliteHasCheckpoints(conn.sqlite, scope))) conn.readThread?.()?.warm();
    const holder = thisProcess(runLockCommand(options.direction));
    // The plan's catalog read goes to the server before the SQLite lock is taken, so the
    // server answers it while this thread waits on the file's sync (run-lock.ts). The plan
    // reads the schemas only, none of the pair's state, which the lock is there for.
    let catalog: Promise<SchemaModel> | undefined;
    // A push claims a new token for the file under the lock (a copy of the file that pushed since
    // is refused there, before any state is read): written with the SQLite lock (file-generation.ts)
    const claim = options.direction === 'sqlite-to-pg' ? generationClaim(conn.pg, conn.sqlite, scope, sharedIdWhere(config.pgUrl, conn.schema)) : null;
    let lock = await acquireRunLock(
      conn.pg,
      conn.sqlite,
      scope,
      holder,
      () => {
        catalog = new PostgresIntrospector(conn.pg, conn.schema).introspect();
        catalog.catch(() => undefined); // awaited by the plan; a failed lock discards it
      },
      claim ? { beforeSqlite: () => claim.claim(), inSqliteLock: () => claim.writeToFile() } : undefined,
    );
    // a dropped session loses its advisory lock with it: take it again on the new one
    const reconnect = async (): Promise<void> => {
      await lock.release().catch(() => undefined);
      await reconnectPostgres(conn, config, `run --direction ${options.direction}`, options.direction);
      lock = await acquireRunLock(conn.pg, conn.sqlite, scope, holder);
    };
    try {
      if (claim) {
        // one statement at a time on the session: the catalog's read goes first (its error is the plan's to throw)
        await catalog?.catch(() => undefined);
        await claim.complete();
      }
      return await runLocked(conn, config, options, scope, emit, started, reconnect, catalog);
    } catch (error) {
      // lost outside a table's copy (the second pass, the run's last steps): no reconnect there
      throw isConnectionLost(error) && !(error instanceof ConnectionLostError) ? connectionLost(config, null, 0, error) : error;
    } finally {
      await lock.release();
    }
  } catch (error) {
    // the app holding the file's write lock (while the run lock or the state tables were taken): named, with the file
    throw namedSqliteBusy(error, conn.sqlite, null);
  } finally {
    await pair.close();
  }
}

async function runLocked(
  conn: Connections,
  config: PairConfig,
  options: RunOptions,
  scope: { sqliteId: string; postgresId: string; direction: Direction },
  emit: (e: ReplicationEvent) => void,
  started: number,
  reconnect: () => Promise<void>,
  catalog?: Promise<SchemaModel>,
): Promise<RunSummary> {
  let prepared = await planOnPair(conn, config, options, false, catalog);
  let created: CreatedTables | null = null;
  /** what the dry run says of each table created (planMissingTables) */
  let createdNotes: string[] = [];
  if (options.createMissing) {
    // decided, refused where they could not be loaded, and planned before anything is created (plan-on-pair.ts)
    const { missing } = await planWithMissingTables(conn, config, options, prepared);
    createdNotes = missing.notes;
    const { createMissingTables } = await import('../create-missing/create-missing-tables.js');
    created = await createMissingTables(conn, scope, missing);
    // tables just created are loaded from empty, read on the reader thread: it starts while the run plans again
    if (created.tables.length > 0 && options.direction === 'sqlite-to-pg') conn.sqliteReadThread?.()?.warm();
    if (created.tables.length > 0) prepared = await planOnPair(conn, config, options);
  }
  const { plan, mappings } = prepared;
  let wiring = wireDirection(options.direction, conn, scope, plan.tables, config.params);
  await wiring.state.ensure();
  // every table's checkpoint and ledger sizes, and what is owed, in one query, not three per table
  await wiring.state.prefetch?.(plan.tables.map((t) => t.table));
  // the target's sequences, read while the run starts its first tables (postgres-sequences.ts); its tables exist by now
  if (options.direction === 'sqlite-to-pg') prefetchOwnedSequences(conn.pg, conn.schema);
  // FKs and indexes owed to created tables, this run's or a cut-off run's (owed-constraints-apply.ts)
  const owed = owedConstraints(conn, scope, (await wiring.state.listOwed?.()) ?? []);
  // nothing owed: this run adds no FK, so the target's FKs can be read once for every table
  wiring.fixedConstraints = owed.tables.size === 0;
  owed.describeIn(plan, created?.tables ?? []);
  if (created && created.tables.length > 0) {
    // a PostgreSQL table's constraints follow its data (owed); a SQLite table has them in its CREATE TABLE, as the dry run says
    if (options.direction === 'sqlite-to-pg') plan.notes.unshift(createdNote(created.tables, plan.tables, owed));
    else plan.notes.unshift(...createdNotes);
  }
  emit({ type: 'plan', plan });
  const runId = randomUUID();
  // a run before this one in this process that could not record its end (run-history.ts)
  await recordEndsLeftOver(wiring.state, scope);
  await wiring.state.startRun(runId);
  const results: TableRunStats[] = [];
  // a table's figures, once: an attempt that failed after they were kept (its history row's round trip) keeps them again
  const keep = (stats: TableRunStats): void => {
    const at = results.findIndex((r) => r.table === stats.table);
    if (at >= 0) results[at] = stats;
    else results.push(stats);
  };
  const endFailed = (): Promise<void> => recordEnd(wiring.state, scope, { runId, status: 'failed', finishedAt: new Date().toISOString(), tables: results });
  const failed = async (error: unknown): Promise<never> => {
    emit({ type: 'error', table: null, message: error instanceof Error ? error.message : String(error) });
    await endFailed();
    throw error;
  };
  // a primary key owed to a table this run may upsert into comes first (ON CONFLICT needs it)
  await owed.keysNow(await keysBeforeWrites(owed, wiring.state, created?.tables ?? [])).catch(failed);
  const names = new NameTranslator(mappings.map((m) => m.mapping));
  const planned = new Set(plan.tables.map((t) => t.table));
  const stopRequested = options.stopRequested ?? (() => false);
  // the table whose batches are being written, for a busy SQLite file's error
  let inProgress: string | null = null;
  const retry = withRetry(
    (attempt, delayMs, reason) => emit({ type: 'retry', table: null, attempt, delayMs, reason }),
    DEFAULT_RETRY,
    (error, waitedMs) => namedSqliteBusy(error, conn.sqlite, inProgress, waitedMs),
  );
  const history = new RunHistory(runId);
  let status: RunSummary['status'] = 'done';
  // PostgreSQL targets only: their keys arrive as text, the same text a child's FK value is converted to
  const doneTables = new Set<string>();
  const knownParents = created && created.tables.length > 0 && options.direction === 'sqlite-to-pg' ? trackCreatedParents(plan.tables, created.tables) : null;
  for (const table of plan.tables) {
    if (stopRequested()) {
      status = 'interrupted';
      break;
    }
    inProgress = table.table;
    const tableHistory = new TableHistory(runId, table.table);
    // why the last reconnect failed: the next attempt reports it rather than the dead session's "not queryable"
    let notReconnected: unknown = null;
    for (let attempt = 1; ; attempt++) {
      // what earlier attempts committed: the rows before a reconnect stay written and counted
      const before = tableHistory.committed;
      try {
        if (notReconnected) throw notReconnected;
        // going on from a checkpoint after a reconnect upserts: the key first
        if (attempt > 1 && owed.keyOwed(table.table)) await owed.keysNow([table.table]);
        const w = await wiring.table(table, names, planned);
        const result = await syncTable({
          plan: table,
          ...w,
          tx: wiring.tx,
          state: wiring.state,
          batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
          firstLoadBatchSize: options.batchSize ?? FIRST_LOAD_BATCH_SIZE,
          cursorBelow: await wiring.cursorBelow(table),
          ignoreCheckpoint: !!options.full,
          emit,
          stopRequested,
          knownParents,
          retry,
          keyFirst: keyFirstFor(table, w.sourceKeyIndexes, owed),
          buildKey: owed.keyOwed(table.table) ? () => owed.keysNow([table.table]) : null,
          history: tableHistory,
        });
        await w.finish();
        // the table before's history row, sent as it ended (run-history.ts): before anything here happens once only
        await history.confirm();
        if (!result.interrupted) owed.dataIn(table.table);
        if (owed.tables.has(table.table) && !result.interrupted && tableDone(table, plan.tables, doneTables)) owed.tableLoaded(table.table);
        doneTables.add(table.table);
        const stats = tableHistory.after(before, result.stats);
        keep(stats);
        await history.send(wiring.state, stats);
        if (table === plan.tables[plan.tables.length - 1] || result.interrupted) await history.confirm();
        emit({ type: 'table-end', stats });
        if (result.interrupted) status = 'interrupted';
        break;
      } catch (caught) {
        let error = caught;
        if (isConnectionLost(error) && attempt < RECONNECT_ATTEMPTS) {
          // every committed batch is checkpointed: reconnect and go on from the checkpoint
          const delayMs = Math.min(10_000, 250 * 2 ** (attempt - 1));
          emit({ type: 'retry', table: table.table, attempt, delayMs, reason: `connection lost: ${error instanceof Error ? error.message : String(error)}` });
          await new Promise((r) => setTimeout(r, delayMs));
          notReconnected = null;
          try {
            await reconnect();
            wiring = wireDirection(options.direction, conn, scope, plan.tables, config.params);
            wiring.fixedConstraints = owed.tables.size === 0;
            history.resend(wiring.state);
            continue;
          } catch (again) {
            if (isConnectionLost(again)) {
              notReconnected = again;
              continue;
            }
            error = again;
          }
        }
        // out of attempts: said as what happened (the driver's text names no server and no way on)
        const failure = isConnectionLost(error) ? connectionLost(config, table.table, attempt - 1, error) : namedSqliteBusy(error, conn.sqlite, table.table);
        const message = failure instanceof Error ? failure.message : String(failure);
        // the batches that committed before the failure stay written: the table's row says so
        keep(tableHistory.stats(undefined, message));
        emit({ type: 'error', table: table.table, message });
        await endFailed();
        throw failure;
      }
    }
    if (status === 'interrupted') break;
  }
  inProgress = null;
  await history.confirm(); // stopped between tables: the last table's row
  // FK cycles: the deferred columns, now that every table's rows are in (deferred-pass.ts)
  if (status !== 'interrupted') {
    // the second pass updates by key
    await owed.keysNow(plan.tables.filter((t) => t.deferredColumns.length > 0).map((t) => t.table)).catch(failed);
    const second = await runDeferredPass({ wiring, tables: plan.tables, names, planned, runId, batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE, emit, stopRequested, retry }).catch(async (error: unknown) => {
      await endFailed();
      throw error;
    });
    if (second.interrupted) status = 'interrupted';
    // the second pass's rows held back or rejected belong to the table's figures (summary, --json, history)
    for (const sp of second.tables) {
      const i = results.findIndex((r) => r.table === sp.table);
      const first = results[i];
      if (!first) continue;
      const { table: _table, ...secondPass } = sp;
      const stats: TableRunStats = { ...first, skipped: first.skipped + sp.skipped, rejected: first.rejected + sp.rejected, ms: first.ms + sp.ms, secondPass };
      results[i] = stats;
      await wiring.state.recordTable(runId, stats);
    }
  }
  // every row is in and checkpointed; what fails stays owed for the next run
  await owed.afterLoad(status !== 'interrupted').catch(failed);
  const summary = await wiring.state.summary(0);
  const count = (xs: { table: string; count: number }[]): number => xs.filter((x) => planned.has(x.table)).reduce((n, x) => n + x.count, 0);
  const waiting = { skipped: count(summary.skipped), rejected: count(summary.rejected) };
  if (status === 'done' && waiting.skipped + waiting.rejected > 0) status = 'waiting';
  // The batches committed without waiting for their WAL to reach disk (synchronous_commit
  // off, postgres-session.ts); this last commit waits for its own flush, which takes every
  // earlier commit of the run with it, so what the run reports as landed is durable.
  // A push also drops the push marks older than a month (state/push-marks.ts), in the same round trip.
  if (options.direction === 'sqlite-to-pg') await conn.pg.query(`SET synchronous_commit = on; ${pruneMarksStatement(scope.postgresId)}`);
  await wiring.state.finishRun(runId, status);
  const runSummary: RunSummary = { runId, direction: options.direction, status, tables: results, ms: Date.now() - started, waiting };
  emit({ type: 'run-end', summary: runSummary });
  return runSummary;
}
