/**
 * One table's replication: retry its ledgers first, then read keyset batches, convert,
 * guard FKs, write, and checkpoint, each batch in one target transaction so a crash at
 * any instant resumes with nothing lost and nothing duplicated. DESIGN.md "Replication
 * semantics": keyset cursor, atomic checkpoints, missing parents deferred, rejects.
 */
import type { BatchReader, BatchWriter, ConvertedBatch, KeysetPosition, RowRejection, SourceRow, TargetRow, TargetTransaction, WholeTableLoad } from '../io/batch-io.js';
import type { ReplicationEvent } from '../events.js';
import type { TablePlan } from '../run-plan.js';
import type { RejectEntry, SkipEntry, StateStore, TableRunStats } from '../state/state-store.js';
import type { PgText } from '../values/codec.js';
import { checkpointText, pendingSecondPass, type SecondPassStart } from './deferred-checkpoint.js';
import { settleSecondPass, splitLedger, writeDeferredColumns, type SecondPassWiring } from './deferred-columns.js';
import { guardBatch, trustsTarget, type GuardedForeignKey, type HeldBack } from './fk-guard.js';
import { fullScanText, pendingFullScan, type FullScanState } from './full-scan-checkpoint.js';
import { decodePosition, decodeValues, encodeValues, rowKeyOf } from './position-codec.js';
import type { RowConverter } from './row-converter.js';
import { SerialWrites } from './serial-writes.js';
import type { KnownParents } from './known-parents.js';
import { decodeCopyBatch, type CopyBatchReader, type CopyBatchShape } from './copy-batch.js';

/** A table's encoded first-load batches and how to decode them (copy-batch.ts). */
export interface EncodedBatches extends CopyBatchReader {
  shape: CopyBatchShape;
  /** columns in a target row */
  width: number;
}

export interface TableSyncDeps {
  plan: TablePlan;
  reader: BatchReader;
  /** the same table read by key alone: a first copy of a table with a cursor */
  keyReader: BatchReader;
  writer: BatchWriter;
  /** COPY straight in: used for a first load (no checkpoint) into an empty target table; null: none */
  firstLoadWriter: () => Promise<BatchWriter | null>;
  /**
   * a first load COPY-ed straight in, read, converted and encoded as COPY lines where it is
   * read (copy-batch.ts): `byKey` for a first copy of a table with a cursor (keyReader's
   * order); null (or absent): not for this table
   */
  encodedReader?: ((byKey: boolean) => Promise<EncodedBatches | null>) | null;
  /** the same first load in one target transaction, indexes built after (io/sqlite-table-load.ts); absent or null: none */
  wholeTableLoad?: WholeTableLoad | null;
  tx: TargetTransaction;
  state: StateStore;
  converter: RowConverter;
  fks: GuardedForeignKey[];
  /** positions in a source row of the row's source key (ledger keys, readByKeys) */
  sourceKeyIndexes: number[];
  /** position of the cursor in a source row; null: the table is copied in full */
  cursorIndex: number | null;
  /** a cycle's deferred FK columns (written NULL here, set by the second pass); null when none */
  secondPass: SecondPassWiring | null;
  batchSize: number;
  /**
   * rows per batch of a first load COPY-ed straight into an empty table (fewer round trips
   * and parent lookups per row); one such batch waits instead of PIPELINE_DEPTH, so memory
   * stays where smaller batches keep it
   */
  firstLoadBatchSize: number;
  /** late-commit cap on a PostgreSQL source (rows at or after it wait for the next run) */
  cursorBelow: PgText | null;
  /** --full: start from the beginning whatever the checkpoint says */
  ignoreCheckpoint: boolean;
  emit: (e: ReplicationEvent) => void;
  stopRequested: () => boolean;
  /** parent keys this run wrote into tables it created (known-parents.ts): present without asking; null: none */
  knownParents: KnownParents | null;
  /** runs a unit of work again after transient failures (serialization, deadlock) */
  retry: <T>(what: string, fn: () => Promise<T>) => Promise<T>;
}

interface BatchCounts {
  written: number;
  skipped: number;
  rejected: number;
  /** the target rows written, when this table's keys are remembered (known-parents.ts) */
  landed?: TargetRow[];
}

export interface TableSyncResult {
  stats: TableRunStats;
  interrupted: boolean;
  /**
   * the keyset window this run read (`from` exclusive, `to` inclusive; null `from`: the
   * start of the table, null `to`: nothing read at all). `from` reaches back to where an
   * earlier run's unfinished second pass started, if any: the second pass re-reads this.
   */
  window: { from: KeysetPosition | null; to: KeysetPosition | null };
}

/**
 * Batches read and converted ahead of the one being written. Two keep the target busy
 * while the next batches are read (one is not enough: it is ready long before the write
 * ahead of it ends, and then the source side idles), and bound what is held in memory.
 */
const PIPELINE_DEPTH = 2;

/** Lets the writer's replies in between synchronous reading and converting, so the target never waits on them. */
const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function positionOf(row: SourceRow, deps: TableSyncDeps): KeysetPosition {
  return {
    cursor: deps.cursorIndex === null ? null : (row[deps.cursorIndex] ?? null),
    key: deps.sourceKeyIndexes.map((i) => row[i] ?? null),
  };
}

/** Rows that landed, as read and by ledger key (collected only when asked for). */
interface Landed {
  rows: SourceRow[];
  keys: string[];
}

/** A batch converted for the target (pure work: done while the previous batch is written). */
interface PreparedRows {
  /** the rows read, when read on this thread (a retry converts them again); null: converted and encoded where they were read (copy-batch.ts) */
  rows: SourceRow[] | null;
  /** how many rows were read */
  read: number;
  /** the ledger key of the i-th row read */
  keyOf: (i: number) => string;
  converted: TargetRow[];
  /** index among the rows read of each converted row */
  convertedFrom: number[];
  rejects: Omit<RejectEntry, 'firstSeen' | 'attempts'>[];
  /** rows converted where they were read and kept only so: the same batch afresh for a retried write (the FK guard rewrites rows in place) */
  again?: () => PreparedRows;
}

function prepareRows(rows: SourceRow[], deps: TableSyncDeps): PreparedRows {
  const { plan } = deps;
  // ledger keys (text) are built only for rows that need one: most batches need none
  const keyOf = (row: SourceRow): string => rowKeyOf(row, deps.sourceKeyIndexes);
  const rejects: Omit<RejectEntry, 'firstSeen' | 'attempts'>[] = [];
  const converted: TargetRow[] = [];
  const convertedFrom: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const c = deps.converter.convert(rows[i] as SourceRow);
    if ('row' in c) {
      converted.push(c.row);
      convertedFrom.push(i);
    } else {
      rejects.push({ table: plan.table, rowKey: keyOf(rows[i] as SourceRow), column: c.column, reason: c.reason, code: null });
    }
  }
  return { rows, read: rows.length, keyOf: (i) => keyOf(rows[i] as SourceRow), converted, convertedFrom, rejects };
}

/**
 * A batch the reader converted (BatchReader.readConverted), as prepareRows would have it.
 * Its source rows hold only key and cursor values, so a retry takes the conversion afresh.
 */
function preparedFrom(batch: ConvertedBatch, deps: TableSyncDeps, targets = batch.targets): PreparedRows {
  const { rows } = batch;
  const keyOf = (i: number): string => rowKeyOf(rows[i] as SourceRow, deps.sourceKeyIndexes);
  const converted: TargetRow[] = [];
  const convertedFrom: number[] = [];
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i];
    if (!t) continue;
    converted.push(t);
    convertedFrom.push(i);
  }
  const rejects = batch.rejected.map((r) => ({ table: deps.plan.table, rowKey: keyOf(r.index), column: r.column, reason: r.reason, code: null }));
  return { rows: null, read: rows.length, keyOf, converted, convertedFrom, rejects, again: () => preparedFrom(batch, deps, batch.again().targets) };
}

/** Guard and write a converted batch inside the caller's transaction; ledgers updated to match. */
async function processRows(prepared: PreparedRows, deps: TableSyncDeps, writer: BatchWriter, ledgerKeys: Set<string>, landedOut?: Landed): Promise<BatchCounts> {
  const { plan, state } = deps;
  const { rows, converted, convertedFrom, rejects } = prepared;
  const convertedKey = (c: number): string => prepared.keyOf(convertedFrom[c] as number);
  // FKs the target enforces itself are looked up only when the target refuses the batch
  // (unless this writer switched the target's checks off: then every FK is looked up first)
  const trusted = writer.parentChecksOff ? [] : deps.fks.filter(trustsTarget);
  // a writer that locks the parents it checks asks about every one of them
  const known = deps.knownParents && !writer.parentChecksOff ? deps.knownParents : null;
  const guard = await guardBatch(converted, trusted.length === 0 ? deps.fks : deps.fks.filter((fk) => !trustsTarget(fk)), writer, known ? (t, c) => known.keysOf(t, c) : undefined);
  const skip = (rowKey: string, h: HeldBack): Omit<SkipEntry, 'firstSeen' | 'lastTried' | 'attempts'> => ({
    table: plan.table,
    rowKey,
    fkColumns: h.fk.fkColumns,
    parentTable: h.fk.parentTable,
    parentKey: encodeValues(h.parentKey),
  });
  const skips = guard.held.map((h) => skip(convertedKey(h.index), h));
  let pass = guard.pass;
  let outcome = trusted.length === 0 ? null : await writer.tryWrite(pass.map((i) => converted[i] as TargetRow));
  if (outcome === 'missing-parent') {
    // nothing was written: look the trusted FKs' parents up, hold back the parentless, write the rest
    const check = await guardBatch(pass.map((i) => converted[i] as TargetRow), trusted, writer);
    for (const h of check.held) skips.push(skip(convertedKey(pass[h.index] as number), h));
    pass = check.pass.map((j) => pass[j] as number);
    outcome = null;
  }
  const toWrite = pass.map((i) => converted[i] as TargetRow);
  const writeKey = (j: number): string => convertedKey(pass[j] as number);
  outcome ??= toWrite.length > 0 ? await writer.write(toWrite) : { written: 0, rejected: [] };
  const refused = new Set<number>();
  let rejected = outcome.rejected;
  const parentless = trusted.length === 0 ? [] : rejected.filter((r) => writer.isMissingParent(r.code));
  if (parentless.length > 0) {
    // refused for a missing parent while other rows were isolated: the ledger of waiting rows, not of rejects
    const check = await guardBatch(parentless.map((r) => toWrite[r.index] as TargetRow), trusted, writer);
    for (const h of check.held) {
      const j = (parentless[h.index] as RowRejection).index;
      refused.add(j);
      skips.push(skip(writeKey(j), h));
    }
    rejected = rejected.filter((r) => !refused.has(r.index));
  }
  for (const r of rejected) {
    refused.add(r.index);
    rejects.push({ table: plan.table, rowKey: writeKey(r.index), column: r.column, reason: r.reason, code: r.code });
  }
  if (landedOut) {
    // the second pass's rows: only ever read on this thread (copy-batch.ts is for first loads without one)
    if (rows === null) throw new Error(`${plan.table}: rows encoded on the reader thread cannot feed a second pass`);
    pass.forEach((c, i) => {
      if (refused.has(i)) return;
      landedOut.rows.push(rows[convertedFrom[c] as number] as SourceRow);
      landedOut.keys.push(writeKey(i));
    });
  }
  if (rejects.length > 0) await state.recordRejected(rejects);
  if (skips.length > 0) await state.recordSkipped(skips);
  for (const s of skips) deps.emit({ type: 'skip', table: plan.table, rowKey: s.rowKey, fkColumns: s.fkColumns, parentTable: s.parentTable, parentKey: s.parentKey });
  for (const r of rejects) deps.emit({ type: 'reject', table: plan.table, rowKey: r.rowKey, column: r.column, reason: r.reason, code: r.code });
  if (ledgerKeys.size > 0) {
    // a row that landed leaves both ledgers; a row that failed again moves to the ledger of its new reason
    const landed: string[] = [];
    for (let j = 0; j < toWrite.length; j++) {
      if (refused.has(j)) continue;
      const k = writeKey(j);
      if (ledgerKeys.has(k)) landed.push(k);
    }
    const nowRejected = rejects.map((r) => r.rowKey).filter((k) => ledgerKeys.has(k));
    const nowSkipped = skips.map((s) => s.rowKey).filter((k) => ledgerKeys.has(k));
    if (landed.length + nowRejected.length > 0) await state.clearSkipped(plan.table, [...landed, ...nowRejected]);
    if (landed.length + nowSkipped.length > 0) await state.clearRejected(plan.table, [...landed, ...nowSkipped]);
    for (const k of landed) ledgerKeys.delete(k);
  }
  const counts: BatchCounts = { written: outcome.written, skipped: skips.length, rejected: rejects.length };
  if (deps.knownParents?.tracks(plan.table)) counts.landed = toWrite.filter((_, j) => !refused.has(j));
  return counts;
}

export async function inTransaction<T>(tx: TargetTransaction, fn: () => Promise<T>): Promise<T> {
  await tx.begin();
  try {
    const out = await fn();
    await tx.commit();
    return out;
  } catch (e) {
    await tx.rollback().catch(() => undefined);
    throw e;
  }
}

/** Every run retries the ledgers first: rows leave them when their parent (or a fixed value) arrives. */
async function retryLedgers(deps: TableSyncDeps, totals: BatchCounts & { read: number }): Promise<Set<string>> {
  const { plan, state } = deps;
  const [skipped, rejected] = await Promise.all([state.listSkipped(plan.table), state.listRejected(plan.table)]);
  // rows that wait only for a deferred parent (or value) are the second pass's to retry
  const secondPassOnly = deps.secondPass ? splitLedger(skipped, rejected, deps.secondPass).secondPassOnly : new Set<string>();
  const keys = new Set([...skipped.map((s) => s.rowKey), ...rejected.map((r) => r.rowKey)].filter((k) => !secondPassOnly.has(k)));
  if (keys.size === 0) return keys;
  const all = [...keys];
  for (let i = 0; i < all.length; i += deps.batchSize) {
    const chunk = all.slice(i, i + deps.batchSize);
    const rows = await deps.retry(`${plan.table}: ledger read`, () => deps.reader.readByKeys(chunk.map(decodeValues)));
    const found = new Set(rows.map((r) => rowKeyOf(r, deps.sourceKeyIndexes)));
    const gone = chunk.filter((k) => !found.has(k));
    const counts = await deps.retry(`${plan.table}: ledger retry`, () =>
      inTransaction(deps.tx, async () => {
        if (gone.length > 0) {
          // deleted at the source since: nothing is waiting any more
          await state.clearSkipped(plan.table, gone);
          await state.clearRejected(plan.table, gone);
        }
        const sp = deps.secondPass;
        if (!sp) return processRows(prepareRows(rows, deps), deps, deps.writer, keys);
        const landed: Landed = { rows: [], keys: [] };
        const counts = await processRows(prepareRows(rows, deps), deps, deps.writer, keys, landed);
        // these rows lie outside the window the second pass re-reads: their deferred columns
        // are set now, or wait in the ledger for the second pass when their parent is not in yet
        if (landed.rows.length > 0) {
          const o = await writeDeferredColumns(plan.table, landed.rows, landed.keys, sp, deps.writer);
          await settleSecondPass(state, plan.table, o, deps.emit, null);
        }
        return counts;
      }),
    );
    for (const k of gone) keys.delete(k);
    totals.read += rows.length;
    totals.written += counts.written;
  }
  const stillWaiting = keys.size;
  deps.emit({ type: 'ledger-retry', table: plan.table, retried: all.length, landed: all.length - stillWaiting, stillWaiting });
  return keys;
}

export async function syncTable(deps: TableSyncDeps): Promise<TableSyncResult> {
  const whole = deps.wholeTableLoad ?? null;
  if (!whole) return loadTable(deps, null);
  const began = { value: false };
  try {
    const result = await loadTable(deps, whole, began);
    if (began.value) await deps.retry(`${deps.plan.table}: commit`, () => whole.commit());
    return result;
  } catch (e) {
    if (began.value) await whole.rollback().catch(() => undefined);
    throw e;
  }
}

/** `whole`: the table's first load may run in one transaction (began.value tells whether it did). */
async function loadTable(deps: TableSyncDeps, whole: WholeTableLoad | null, began = { value: false }): Promise<TableSyncResult> {
  const { plan, state } = deps;
  const started = Date.now();
  const totals = { read: 0, written: 0, skipped: 0, rejected: 0 };
  const incremental = deps.cursorIndex !== null;
  const stored = incremental ? await state.getCheckpoint(plan.table) : null;
  const checkpoint = deps.ignoreCheckpoint ? null : stored;
  // an incremental run going on from its checkpoint reads only what changed: no count of the whole table
  const goesOn = incremental && checkpoint !== null && pendingFullScan(checkpoint.position) === null;
  const estimatedRows = goesOn ? null : await deps.reader.estimateRows();
  deps.emit({ type: 'table-start', table: plan.table, mode: incremental ? 'incremental' : 'full', estimatedRows, resumedFrom: checkpoint?.position ?? null });

  const ledgerKeys = await retryLedgers(deps, totals);
  const resumedScan = checkpoint ? pendingFullScan(checkpoint.position) : null;
  const start: KeysetPosition | null = checkpoint && !resumedScan ? decodePosition(checkpoint.position) : null;
  // a first copy (or --full) of a table with a cursor reads by key up to a high-water mark (full-scan-checkpoint.ts)
  const scan: FullScanState | null = !incremental
    ? null
    : (resumedScan ?? (start === null ? { after: null, highWater: await deps.retry(`${plan.table}: high-water mark`, () => deps.reader.lastPosition(deps.cursorBelow)) } : null));
  const reader = scan ? deps.keyReader : deps.reader;
  let position: KeysetPosition | null = scan ? (scan.after === null ? null : { cursor: null, key: scan.after }) : start;
  // Every checkpoint of a table with deferred columns says where their second pass starts,
  // until that pass is done (deferred-checkpoint.ts); an earlier run's unfinished one is
  // carried on, even by a run that does not defer (its FK's parent left out by --tables).
  const owed = stored ? pendingSecondPass(stored.position) : null;
  let secondPass: SecondPassStart | null = null;
  if (owed !== null || plan.deferredColumns.length > 0) secondPass = deps.ignoreCheckpoint ? { from: null } : (owed ?? { from: start });
  // COPY straight in only into a table still empty: rows the ledger retry just wrote would collide
  const firstLoad = position === null && totals.written === 0;
  began.value = firstLoad && whole !== null && (await whole.begin());
  const tx = began.value && whole ? whole.batches : deps.tx;
  const copyWriter = firstLoad && !began.value ? await deps.firstLoadWriter() : null;
  const writer = began.value && whole ? whole.writer : (copyWriter ?? deps.writer);
  // a COPY straight into an empty PostgreSQL table takes bigger batches, one read ahead
  const copyDirect = copyWriter !== null;
  // a COPY straight in from a source that can encode the rows where it reads them (copy-batch.ts)
  const encoded = copyDirect && deps.encodedReader ? await deps.encodedReader(scan !== null) : null;
  const batchSize = copyDirect ? deps.firstLoadBatchSize : deps.batchSize;
  const depth = copyDirect && deps.firstLoadBatchSize > deps.batchSize ? 1 : PIPELINE_DEPTH;
  const checkpointAt = (last: KeysetPosition): string => {
    if (!scan) return checkpointText(last, secondPass);
    const base = checkpointText(scan.highWater ?? { cursor: null, key: [] }, secondPass);
    return fullScanText(base, { after: last.key, highWater: scan.highWater });
  };
  // Reading the next batches overlaps writing the last: one batch writes while the next
  // are read and converted (DESIGN.md "Performance design"). Writes run one at a time, so
  // batches, and so checkpoints, stay in order; at most PIPELINE_DEPTH batches wait, so memory stays flat.
  const writes = new SerialWrites();
  const writeBatch = async (prepared: PreparedRows, last: KeysetPosition): Promise<void> => {
    const rows = prepared.rows;
    let attempts = 0;
    // the guard rewrites translated FK values in place; rows encoded on the reader thread have none (direction-wiring.ts)
    const counts = await deps.retry(`${plan.table}: write`, () =>
      inTransaction(tx, async () => {
        // the FK guard translates keys in place: a retry starts again from the source rows
        const c = await processRows(attempts++ === 0 ? prepared : (prepared.again?.() ?? (rows === null ? prepared : prepareRows(rows, deps))), deps, writer, ledgerKeys);
        // the checkpoint commits with the rows it covers (skipped rows are in the ledger, never forgotten)
        if (incremental) await state.saveCheckpoint(plan.table, checkpointAt(last));
        return c;
      }),
    );
    totals.written += counts.written;
    totals.skipped += counts.skipped;
    totals.rejected += counts.rejected;
    if (counts.landed) deps.knownParents?.remember(plan.table, counts.landed); // committed: there to stay
    const elapsedMs = Date.now() - started;
    deps.emit({
      type: 'batch',
      table: plan.table,
      read: prepared.read,
      written: counts.written,
      skipped: counts.skipped,
      rejected: counts.rejected,
      totalRead: totals.read,
      totalWritten: totals.written,
      rowsPerSecond: elapsedMs > 0 ? Math.round((totals.written * 1000) / elapsedMs) : totals.written,
      elapsedMs,
    });
  };
  let interrupted = false;
  for (;;) {
    if (deps.stopRequested()) {
      interrupted = true;
      break;
    }
    const window = { after: position, cursorBelow: scan ? null : deps.cursorBelow, limit: batchSize };
    let prepared: PreparedRows;
    let last: KeysetPosition;
    if (encoded) {
      // Read, converted and encoded on the reader thread (or in-process the same way). The
      // thread has the next batch ready, so it is asked for only when a write slot is free:
      // one decoded batch fewer waits on this thread (peak RSS), and one write stays queued.
      await writes.waitingBelow(depth);
      if (writes.failure !== null) break;
      const batch = decodeCopyBatch(await deps.retry(`${plan.table}: read`, () => encoded.readBatch(window)), encoded.shape, encoded.width, plan.table);
      if (writes.failure !== null) break;
      if (batch.read === 0 || batch.last === null) break;
      prepared = { rows: null, read: batch.read, keyOf: batch.keyOf, converted: batch.converted, convertedFrom: batch.convertedFrom, rejects: batch.rejects };
      last = batch.last;
    } else {
      // a reader that converts its rows (the PostgreSQL reader thread) does it beside the writes
      const read = await deps.retry<SourceRow[] | ConvertedBatch>(`${plan.table}: read`, () => (reader.readConverted ? reader.readConverted(window) : reader.readBatch(window)));
      if (writes.failure !== null) break;
      const rows = Array.isArray(read) ? read : read.rows;
      if (rows.length === 0) break;
      last = positionOf(rows[rows.length - 1] as SourceRow, deps);
      // converting is pure work: it overlaps the writes of the batches before
      await yieldToIo();
      prepared = Array.isArray(read) ? prepareRows(rows, deps) : preparedFrom(read, deps);
    }
    totals.read += prepared.read;
    position = last;
    await yieldToIo();
    await writes.waitingBelow(depth);
    if (writes.failure !== null) break;
    writes.add(() => writeBatch(prepared, last));
    if (prepared.read < batchSize) break;
  }
  await writes.idle();
  if (writes.failure !== null) throw writes.failure;
  if (scan && !interrupted) {
    // the scan is done: incremental reads continue from the high-water mark it started with
    const highWater = scan.highWater;
    await deps.retry(`${plan.table}: checkpoint`, () =>
      inTransaction(tx, async () => {
        if (highWater) await state.saveCheckpoint(plan.table, checkpointText(highWater, secondPass));
        else await state.resetCheckpoints(plan.table);
      }),
    );
    position = highWater;
  }
  const stats: TableRunStats = { table: plan.table, ...totals, ms: Date.now() - started, error: null };
  return { stats, interrupted, window: { from: secondPass ? secondPass.from : start, to: position } };
}

