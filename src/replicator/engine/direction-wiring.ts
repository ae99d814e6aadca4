/**
 * The one place that knows which database is the source and which the target for a
 * direction: it picks the reader, writer, codecs, state store and key lookups. The rest
 * of the engine works through the interfaces in io/batch-io.ts and state/state-store.ts.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { NameTranslator } from '../../mapping/name-translator.js';
import type { BatchReader, BatchWriter, TargetTransaction, WholeTableLoad } from '../io/batch-io.js';
import { postgresEnforcedForeignKeys, type EnforcedForeignKeys } from '../io/postgres-enforced-fks.js';
import { createPostgresReader } from '../io/postgres-reader.js';
import { threadOnDemand } from '../io/postgres-thread-on-demand.js';
import type { PostgresReadThread } from '../io/postgres-read-thread.js';
import { sequenceAdvancer } from '../io/postgres-sequences.js';
import { copyFormat, createPostgresWriter, type CopyFormat } from '../io/postgres-writer.js';
import type { SqliteReadThread } from '../io/sqlite-read-thread.js';
import { copyColumns, inProcessCopyBatches, type CopyBatchShape } from './copy-batch.js';
import type { KeyValueCheck } from '../create-missing/key-values.js';
import type { EncodedBatches } from './table-sync-deps.js';
import { lockedParentsRefusal } from '../io/postgres-locked-parents.js';
import { createSqliteReader } from '../io/sqlite-reader.js';
import { postgresTransaction, sqliteTransaction } from '../io/target-transaction.js';
import type { Direction, PlannedColumn, TablePlan } from '../run-plan.js';
import { PostgresStateStore } from '../state/postgres-state-store.js';
import { SqliteStateStore } from '../state/sqlite-state-store.js';
import type { PairScope, StateStore } from '../state/state-store.js';
import { Rejected, type PgText } from '../values/codec.js';
import { pgToSqliteCodec } from '../values/pg-to-sqlite.js';
import { sqliteToPgCodec } from '../values/sqlite-to-pg.js';
import { directCopyWriter } from '../values/sqlite-to-pg-bytes.js';
import { sqliteToPgBinaryFields } from '../values/sqlite-to-pg-binary.js';
import type { GuardedForeignKey, KeyLookup } from './fk-guard.js';
import { sqliteKeyLookup } from './key-lookup.js';
import { createRowConverter, type AnyCodec, type RowConverter } from './row-converter.js';
import { secondPassWiring, type SecondPassWiring } from './deferred-columns.js';
import { qualified, quoteIdent } from '../../sql/quote.js';
import { ConfigError } from '../../errors.js';
import { useSourcePageCache } from '../../connect/sqlite-connection.js';
import { compileRowFilter, type CompiledFilter, type FilterParams } from '../plan/row-filter.js';
import { withFilteredCheckpoints } from './filtered-checkpoints.js';
import { sqliteTickCap } from './sqlite-tick-cap.js';
import { lateCommitCap, TIMESTAMP_KINDS } from './late-commit-cap.js';
import { markStatement, type MarkScope } from '../state/push-marks.js';
import { pullMarks, type TablePushMarks } from './push-seen.js';
import { assignServerKeys } from './server-key-assignment.js';

export interface Connections {
  sqlite: Database.Database;
  pg: pg.Client;
  schema: string;
  /**
   * A second PostgreSQL session (same settings), opened on first use and closed with the
   * pair, for work that must stay out of the batch transaction open on `pg` (drawing keys
   * for rows made on a terminal: server-key-assignment.ts). Absent: `pg` is used.
   */
  spare?: () => Promise<pg.Client>;
  /**
   * Reads of a PostgreSQL source on a thread of their own, beside the SQLite writes
   * (io/postgres-read-thread.ts); absent or null: read on `pg`.
   */
  readThread?: () => PostgresReadThread | null;
  /**
   * A first load of a SQLite source read, converted and COPY-encoded on a thread of its
   * own (io/sqlite-read-thread.ts); absent or null: encoded on the main thread.
   */
  sqliteReadThread?: () => SqliteReadThread | null;
}

export interface TableWiring {
  /** the database the rows are read from */
  source: 'postgres' | 'sqlite';
  reader: BatchReader;
  keyReader: BatchReader;
  writer: BatchWriter;
  /**
   * a COPY straight into the PostgreSQL target table while it is empty; null: not empty, or
   * not PostgreSQL. Asked only when a table's load starts from nothing (and by the plan)
   */
  firstLoadWriter: () => Promise<BatchWriter | null>;
  /** sqlite-to-pg first load COPY-ed straight in: batches encoded where they are read (copy-batch.ts); null: not for this table */
  encodedReader: ((byKey: boolean, keyNeeded: boolean) => Promise<EncodedBatches | null>) | null;
  /** pg-to-sqlite into an empty table: the whole table in one transaction, indexes after (io/sqlite-table-load.ts) */
  wholeTableLoad: WholeTableLoad | null;
  /** how a first load into the (empty) target table goes, for the plan; null: not empty, or no first-load shortcut */
  firstLoad: () => Promise<string | null>;
  converter: RowConverter;
  fks: GuardedForeignKey[];
  sourceKeyIndexes: number[];
  cursorIndex: number | null;
  /** a cycle's deferred FK columns of this table, set in the second pass; null when it has none */
  secondPass: SecondPassWiring | null;
  /** work after the table's last batch (sequences past copied ids) */
  finish(): Promise<void>;
  /** a pull's reads of the marks other terminals' pushes left (push-seen.ts); null: not a pull, or no cursor */
  pushMarks: TablePushMarks | null;
}

export interface DirectionWiring {
  tx: TargetTransaction;
  state: StateStore;
  table(plan: TablePlan, names: NameTranslator, planned: ReadonlySet<string>): Promise<TableWiring>;
  /** late-commit cap for incremental reads of a PostgreSQL source; null when not applicable */
  cursorBelow(plan: TablePlan): Promise<PgText | null>;
  /**
   * Set when the run adds no constraints (nothing owed): a PostgreSQL target's enforced
   * FKs are then read once for all tables instead of one query per FK.
   */
  fixedConstraints: boolean;
}

/** The SQLite local key rides along at the end of a read row so positions and ledgers can use it. */
const LOCAL_KEY = '\u0000local-key:';

/**
 * What the reader gets: a table with a cursor is always read in (cursor, key) order, even
 * under --full (which only ignores the checkpoint), so the run ends with a checkpoint.
 */
function readPlanFor(table: TablePlan, fromSqlite: boolean): TablePlan {
  const plan: TablePlan = { ...table, mode: table.cursor ? 'incremental' : 'full' };
  const kt = plan.keyTranslation;
  if (!fromSqlite || !kt) return plan;
  const extra: PlannedColumn[] = kt.sqliteKey.map((name) => ({
    pg: LOCAL_KEY + name,
    sqlite: name,
    pgType: { kind: 'text' },
    sqliteType: { kind: 'text' },
    transform: 'none',
    sqliteFormat: null,
  }));
  return { ...plan, columns: [...plan.columns, ...extra] };
}

/** Page cache of the SQLite connection while it is the target (per connection, never stored in the file). */
const SQLITE_TARGET_CACHE_KIB = 16384;

function guardedForeignKeys(
  plan: TablePlan,
  direction: Direction,
  names: NameTranslator,
  planned: ReadonlySet<string>,
  sqlite: Database.Database,
  translatedParents: ReadonlyMap<string, { table: string; sqliteKey: string; serverId: string }>,
): GuardedForeignKey[] {
  const toSqlite = direction === 'pg-to-sqlite';
  const indexOf = (pgName: string): number => plan.columns.findIndex((c) => c.pg === pgName);
  return plan.foreignKeys
    .filter((fk) => !fk.deferred && planned.has(fk.refTable))
    .map((fk) => {
      const parent = translatedParents.get(fk.refTable);
      let translate: KeyLookup | null = null;
      if (parent && fk.columns.length === 1) {
        translate = toSqlite
          ? sqliteKeyLookup(sqlite, parent.table, parent.serverId, parent.sqliteKey) // PostgreSQL id -> the target's local key
          : sqliteKeyLookup(sqlite, parent.table, parent.sqliteKey, parent.serverId); // local key -> the PostgreSQL id it was given
      }
      const targetTable = toSqlite ? names.sqliteTable(fk.refTable) : fk.refTable;
      const targetColumns = toSqlite ? fk.refColumns.map((c) => names.sqliteRefColumn(fk.refTable, c)) : fk.refColumns;
      const self = fk.selfReference && !parent ? fk.refColumns.map(indexOf) : null;
      return {
        fkColumns: fk.columns,
        parentTable: fk.refTable,
        indexes: fk.columns.map(indexOf),
        targetTable,
        targetColumns,
        translate,
        translationProvesParent: toSqlite && translate !== null,
        selfKeyIndexes: self && self.every((i) => i >= 0) ? self : null,
        enforcedByTarget: false,
      };
    });
}

/** State lives in the target: PostgreSQL for sqlite-to-pg, the SQLite file for pg-to-sqlite. */
export function stateStoreFor(direction: Direction, conn: Connections, scope: PairScope): StateStore {
  return direction === 'pg-to-sqlite' ? new SqliteStateStore(conn.sqlite, scope) : new PostgresStateStore(conn.pg, scope);
}

/**
 * A broken filter fails before any row moves, with the table named: the source prepares it
 * once (SQLite) or runs it with LIMIT 0 (PostgreSQL, which also checks the params' types).
 */
async function probeFilter(plan: TablePlan, filter: CompiledFilter, conn: Connections, fromSqlite: boolean): Promise<void> {
  try {
    if (fromSqlite) {
      conn.sqlite.prepare(`SELECT 1 FROM ${quoteIdent(plan.sqliteTable)} WHERE ${filter.render(() => '?')} LIMIT 0`).all(...filter.values);
    } else {
      let n = 0;
      const text = `SELECT 1 FROM ${qualified(conn.schema, plan.table)} WHERE ${filter.render(() => `$${++n}`)} LIMIT 0`;
      await conn.pg.query(text, filter.values.map((v) => (v === null ? null : String(v))));
    }
  } catch (e) {
    const side = fromSqlite ? 'SQLite' : 'PostgreSQL';
    throw new ConfigError(`table ${quoteIdent(plan.table)}: row filter ${JSON.stringify(plan.filter)} does not work on the ${side} source: ${e instanceof Error ? e.message : String(e)}`, 'filter');
  }
}

/**
 * What only a pg-to-sqlite run writes with, loaded when one does: an incremental
 * sqlite-to-pg run is mostly startup, and does not load them.
 */
async function pgToSqliteModules() {
  const [writer, load] = await Promise.all([import('../io/sqlite-writer.js'), import('../io/sqlite-table-load.js')]);
  return { createPostgresReader, createSqliteWriter: writer.createSqliteWriter, sqliteWholeTableLoad: load.sqliteWholeTableLoad };
}

export function wireDirection(direction: Direction, conn: Connections, scope: PairScope, allTables: readonly TablePlan[], params: FilterParams = {}): DirectionWiring {
  const toSqlite = direction === 'pg-to-sqlite';
  // each table's row filter, compiled for the source side (unset :params fail here, naming the table)
  const filters = new Map(allTables.flatMap((t) => {
    const f = compileRowFilter(t, toSqlite ? 'postgres' : 'sqlite', params);
    return f ? [[t.table, f] as const] : [];
  }));
  const translatedParents = new Map(
    allTables
      .filter((t) => t.keyTranslation && t.keyTranslation.sqliteKey.length === 1)
      .map((t) => [t.table, { table: t.sqliteTable, sqliteKey: t.keyTranslation?.sqliteKey[0] ?? '', serverId: t.keyTranslation?.serverId ?? '' }]),
  );
  const state = withFilteredCheckpoints(stateStoreFor(direction, conn, scope), new Map([...filters].map(([t, f]) => [t, f.describe])));
  // A bigger page cache for the run than SQLite's 2 MB default: index pages of a large
  // table then stay in memory between rows instead of spilling to the file mid-transaction.
  if (toSqlite) conn.sqlite.pragma(`cache_size = -${SQLITE_TARGET_CACHE_KIB}`);
  // as a source it is only read: a small cache (sqlite-connection.ts) keeps peak RSS down
  else useSourcePageCache(conn.sqlite);
  const tx = toSqlite ? sqliteTransaction(conn.sqlite) : postgresTransaction(conn.pg);
  // a push leaves a mark per batch, so other terminals' pulls read rows stamped below their checkpoints (state/push-marks.ts)
  const marks: MarkScope = { postgresId: scope.postgresId, sqliteId: scope.sqliteId };
  const sequences = toSqlite ? null : sequenceAdvancer(conn.pg, conn.schema);

  let enforcedFks: Promise<EnforcedForeignKeys> | null = null;
  const wiring: DirectionWiring = {
    tx,
    state,
    fixedConstraints: false,
    async cursorBelow(plan) {
      if (!plan.cursor) return null;
      const cursor = plan.columns.find((c) => c.pg === plan.cursor);
      if (!cursor || !TIMESTAMP_KINDS.has(cursor.pgType.kind)) return null;
      return toSqlite ? lateCommitCap(conn.pg, cursor.pgType.kind === 'timestamptz') : sqliteTickCap(conn.sqlite, cursor.sqliteFormat);
    },
    async table(plan, names, planned) {
      const side = toSqlite ? await pgToSqliteModules() : null;
      const readPlan = readPlanFor(plan, !toSqlite);
      const filter = filters.get(plan.table) ?? null;
      if (filter) await probeFilter(plan, filter, conn, !toSqlite);
      // sqlite-to-pg: a row made on the terminal gets its PostgreSQL key before it is read out (server-key-assignment.ts)
      const localKeyIndexes = (plan.keyTranslation?.sqliteKey ?? []).map((k) => readPlan.columns.findIndex((c) => c.pg === LOCAL_KEY + k));
      const keySource = { session: conn.spare ?? (async () => conn.pg), schema: conn.schema };
      const thread = toSqlite ? (conn.readThread?.() ?? null) : null;
      // the thread also converts the rows (with pgToSqliteCodec, as codecFor below does for
      // pg-to-sqlite), unless the first pass writes some columns NULL (a cycle's deferred FKs)
      const convertOnThread = plan.deferredColumns.length === 0;
      const readerFor = (p: TablePlan): BatchReader => {
        if (!side) return assignServerKeys(createSqliteReader(conn.sqlite, p, { filter }), conn.sqlite, plan, p, localKeyIndexes, keySource);
        const here = side.createPostgresReader(conn.pg, conn.schema, p, filter);
        return thread ? threadOnDemand(here, thread, () => thread.reader(conn.schema, p, params, convertOnThread)) : here;
      };
      const reader = readerFor(readPlan);
      const keyReader = readPlan.mode === 'full' ? reader : readerFor({ ...readPlan, mode: 'full' });
      // a cycle's deferred FK columns: NULL on insert, kept on update, set by the second pass
      const insertOnlyColumns = plan.deferredColumns;
      const mark = plan.cursor === null ? null : (cursors: string | null): string => markStatement(marks, plan.table, cursors);
      // latest-wins by the cursor, both ways: a stale copy never replaces a newer row (DESIGN.md "Conflicts")
      const keepNewer = plan.cursor;
      const writer = side
        ? side.createSqliteWriter(conn.sqlite, plan, { insertOnlyColumns, keepNewer })
        : createPostgresWriter(conn.pg, conn.schema, plan, { mode: 'upsert', insertOnlyColumns, mark, keepNewer });
      const serverId = plan.keyTranslation?.serverId;
      // FK values that point at a key-translated parent are translated by the FK guard
      // (local key -> server id), so they cross as they are read
      const translatedFkColumns = new Set(
        toSqlite ? [] : plan.foreignKeys.filter((fk) => fk.columns.length === 1 && translatedParents.has(fk.refTable)).flatMap((fk) => fk.columns),
      );
      const codecFor = (col: PlannedColumn): AnyCodec => {
        if (translatedFkColumns.has(col.pg)) return (v) => v;
        const codec = (toSqlite ? pgToSqliteCodec(col) : sqliteToPgCodec(col)) as AnyCodec;
        if (toSqlite || col.sqlite !== serverId) return codec;
        // a row made on the terminal got its PostgreSQL key as it was read, unless PostgreSQL has no way to make one
        return (v) =>
          v === null ? new Rejected(`${quoteIdent(col.sqlite)} is empty and PostgreSQL's ${quoteIdent(col.pg)} has no sequence or default to assign a key to a row made in SQLite`) : codec(v);
      };
      const targetName = (c: PlannedColumn): string => (toSqlite ? c.sqlite : c.pg);
      const converter = createRowConverter(plan, codecFor, targetName, new Set(plan.deferredColumns));
      const keyNames = toSqlite ? plan.key : (plan.keyTranslation?.sqliteKey.map((k) => LOCAL_KEY + k) ?? plan.key);
      const sourceKeyIndexes = keyNames.map((k) => readPlan.columns.findIndex((c) => c.pg === k));
      const cursorIndex = plan.cursor ? readPlan.columns.findIndex((c) => c.pg === plan.cursor) : -1;
      const fks = guardedForeignKeys(plan, direction, names, planned, conn.sqlite, translatedParents);
      for (const fk of fks) {
        if (fk.translate || fk.selfKeyIndexes) continue;
        const columns = toSqlite ? fk.indexes.map((i) => plan.columns[i]?.sqlite ?? '') : fk.fkColumns;
        if (!toSqlite && wiring.fixedConstraints) {
          const enforced = await (enforcedFks ??= postgresEnforcedForeignKeys(conn.pg, conn.schema));
          fk.enforcedByTarget = enforced(plan.table, columns, fk.targetTable, fk.targetColumns);
        } else {
          fk.enforcedByTarget = await writer.enforcesForeignKey(columns, fk.targetTable, fk.targetColumns);
        }
      }
      // A first load from SQLite is read, converted and COPY-encoded in one go, on the reader
      // thread when there is one. Not for tables whose FK values or keys are translated
      // (the guard rewrites them) or that have deferred columns (the second pass re-reads rows).
      const encodable = !toSqlite && !plan.keyTranslation && plan.deferredColumns.length === 0 && translatedFkColumns.size === 0 && fks.every((fk) => !fk.translate);
      const onThread = encodable && (conn.sqliteReadThread?.() ?? null) !== null;
      // Looked up once, and only when asked: an incremental run going on from its checkpoint
      // spends no round trip on whether the target table is empty.
      let copyDirect: Promise<{ writer: BatchWriter; note: string } | null> | null = null;
      // the written columns of encoded batches and their COPY format, looked up once (plan note and reader)
      let format: Promise<CopyFormat> | null = null;
      const formatOf = (): Promise<CopyFormat> => (format ??= copyFormat(conn.pg, conn.schema, plan));
      const emptyTarget = (): Promise<{ writer: BatchWriter; note: string } | null> =>
        (copyDirect ??= (async () => {
          if (toSqlite) return null;
          const empty = await conn.pg.query(`SELECT NOT EXISTS (SELECT 1 FROM ${qualified(conn.schema, plan.table)}) AS empty`);
          if (!(empty.rows[0] as { empty: boolean } | undefined)?.empty) return null;
          // an empty table: COPY straight in; with the FK triggers off where the guard can lock the parents instead
          const guarded = fks.map((fk) => ({ columns: fk.fkColumns, parentTable: fk.targetTable, parentColumns: fk.targetColumns, selfReference: fk.parentTable === plan.table }));
          const refusal = fks.length === 0 ? 'no foreign keys' : await lockedParentsRefusal(conn.pg, conn.schema, plan.table, guarded, plan.deferredColumns);
          const note =
            refusal === null
              ? 'empty on the target: COPY straight in, parents checked and locked (FOR KEY SHARE) per batch instead of per-row FK triggers'
              : fks.length === 0 || refusal === 'no foreign keys on the target'
                ? 'empty on the target: COPY straight in'
                : `empty on the target: COPY straight in, per-row FK triggers kept (${refusal})`;
          const read = onThread ? '; rows read, converted and COPY-encoded on a reader thread' : '';
          const how = encodable ? await formatOf() : null;
          const copyFormatNote = how === null ? '' : how.textBecause === null ? '; binary COPY' : `; text COPY (${how.textBecause})`;
          return { writer: createPostgresWriter(conn.pg, conn.schema, plan, { mode: 'copy-direct', lockParents: refusal === null, mark }), note: note + read + copyFormatNote };
        })());
      const wholeTableLoad = side ? side.sqliteWholeTableLoad(conn.sqlite, plan) : null;
      const encodedReader = !encodable
        ? null
        : async (byKey: boolean, keyNeeded: boolean, keyChecks?: KeyValueCheck[] | null): Promise<EncodedBatches | null> => {
            const keyIndex = (name: string): number => plan.columns.findIndex((c) => c.pg === name);
            // the values the main thread reads in a target row: FK columns (the guard), and the
            // key where known parents remember it or a self-referencing FK finds parents in the batch
            const key = keyNeeded || fks.some((fk) => fk.selfKeyIndexes !== null) ? plan.key.map(keyIndex) : [];
            const needed = [...new Set([...fks.flatMap((fk) => fk.indexes), ...key])].filter((i) => i >= 0).sort((a, b) => a - b);
            const { pick, textBecause } = await formatOf();
            const shape: CopyBatchShape = { sourceKeyIndexes, cursorIndex: cursorIndex >= 0 ? cursorIndex : null, needed, pick, binary: textBecause === null, ...(keyChecks?.length ? { keyChecks } : {}) };
            const thread = conn.sqliteReadThread?.() ?? null;
            const p = byKey ? { ...readPlan, mode: 'full' as const } : readPlan;
            const batches = thread ? thread.reader({ readPlan: p, plan, params, shape }) : inProcessCopyBatches((w) => (byKey ? keyReader : reader).readBatch(w), copyColumns(plan, codecFor, directCopyWriter, sqliteToPgBinaryFields), shape);
            return { ...batches, shape, width: plan.columns.length };
          };
      return {
        source: toSqlite ? 'postgres' : 'sqlite',
        reader,
        keyReader,
        writer,
        firstLoadWriter: async () => (await emptyTarget())?.writer ?? null,
        wholeTableLoad,
        encodedReader,
        firstLoad: async () => wholeTableLoad?.note ?? (await emptyTarget())?.note ?? null,
        converter,
        fks,
        sourceKeyIndexes,
        cursorIndex: cursorIndex >= 0 ? cursorIndex : null,
        secondPass: secondPassWiring(plan, readPlan, codecFor, targetName, (projected) =>
          guardedForeignKeys(projected, direction, names, planned, conn.sqlite, translatedParents),
        ),
        finish: async () => {
          await sequences?.advance(plan);
        },
        pushMarks: toSqlite ? pullMarks(conn.pg, conn.schema, marks, plan) : null,
      };
    },
  };
  return wiring;
}
