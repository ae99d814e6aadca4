/**
 * One table's replication: retry its ledgers first, then read keyset batches, convert,
 * guard FKs, write, and checkpoint, each batch in one target transaction so a crash at
 * any instant resumes with nothing lost and nothing duplicated. DESIGN.md "Replication
 * semantics": keyset cursor, atomic checkpoints, missing parents deferred, rejects.
 */
import type { ConvertedBatch, KeysetPosition, SourceRow, WholeTableLoad } from '../io/batch-io.js';
import type { TableRunStats } from '../state/state-store.js';
import { checkpointText, pendingSecondPass, type SecondPassStart } from './deferred-checkpoint.js';
import { fullScanText, pendingFullScan, type FullScanState } from './full-scan-checkpoint.js';
import { inTransaction, prepareRows, preparedFrom, processRows, type PreparedRows } from './guarded-batch.js';
import { retryLedgers } from './ledger-retry.js';
import { decodePosition, displayKey, encodePosition, encodeValues } from './position-codec.js';
import { QueryError } from '../../errors.js';
import { SerialWrites } from './serial-writes.js';
import { decodeCopyBatch } from './copy-batch.js';
import { keysOneToOne } from '../create-missing/key-values.js';
import type { TableSyncDeps } from './table-sync-deps.js';
import { pushSeenOf, startAfterMarks, withPushSeen } from './push-seen.js';
import type { TableCounts } from './run-history.js';

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


export async function syncTable(deps: TableSyncDeps): Promise<TableSyncResult> {
  return retrySelfReferences(deps, await syncRows(deps));
}

async function syncRows(deps: TableSyncDeps): Promise<TableSyncResult> {
  const whole = deps.wholeTableLoad ?? null;
  if (!whole) return loadTable(deps, null);
  const began: WholeLoadState = { value: false, batches: [] };
  try {
    const result = await loadTable(deps, whole, began);
    if (began.value) {
      await deps.retry(`${deps.plan.table}: commit`, () => whole.commit());
      // its batches commit all at once: a run killed before has written none of them
      for (const b of began.batches) deps.history?.add(b);
    }
    return result;
  } catch (e) {
    if (began.value) await whole.rollback().catch(() => undefined);
    throw e;
  }
}

/**
 * A row read before its parent in the same table (a batch edge between them) waited in
 * the ledger; its parent is in now, so the ledger is retried once more at the table's
 * end, after a whole-table load has committed, and the row lands in this run.
 */
async function retrySelfReferences(deps: TableSyncDeps, result: TableSyncResult): Promise<TableSyncResult> {
  if (result.interrupted || result.stats.skipped === 0 || !deps.fks.some((fk) => fk.parentTable === deps.plan.table)) return result;
  await deps.buildKey?.(); // upserts need the key of a table this run created
  const counts = { read: 0, written: 0, skipped: 0, rejected: 0 };
  let landed = 0;
  let keptNewer = result.stats.keptNewer ?? 0;
  // again while rows land: a chain of such rows (a parent that waited for its own parent) goes in link by link
  for (;;) {
    const now = await retryLedgers(deps, counts);
    landed += now.landed;
    keptNewer += now.keptNewer;
    if (now.landed === 0 || now.keys.size === 0) break;
  }
  const stats = {
    ...result.stats,
    read: result.stats.read + counts.read,
    written: result.stats.written + counts.written,
    skipped: Math.max(0, result.stats.skipped - landed),
    ...(keptNewer > 0 ? { keptNewer } : {}),
  };
  return { ...result, stats };
}

/**
 * A batch that ends where it started: its rows sort after the position their own values
 * give (a SQLite text key stored as bytes that are not UTF-8 reads with U+FFFD, and its
 * stored bytes sort above that text), so the read would never get past them.
 */
function stalledRead(deps: TableSyncDeps, at: KeysetPosition): QueryError {
  const key = displayKey(encodeValues(at.key));
  return new QueryError(
    `table ${deps.plan.table}: the read does not get past the row with key ${key}: its key reads back as other bytes than the source holds (text stored as invalid UTF-8?), so it sorts after itself; fix that key at the source, or run with a larger --batch-size`,
    deps.source,
    deps.plan.table,
    null,
  );
}

/** Whether a table's first load runs in one transaction, and the counts of its batches written in it (not committed yet). */
interface WholeLoadState {
  value: boolean;
  batches: Partial<TableCounts>[];
}

/** `whole`: the table's first load may run in one transaction (began.value tells whether it did). */
async function loadTable(deps: TableSyncDeps, whole: WholeTableLoad | null, began: WholeLoadState = { value: false, batches: [] }): Promise<TableSyncResult> {
  const { plan, state } = deps;
  const started = Date.now();
  const totals = { read: 0, written: 0, skipped: 0, rejected: 0 };
  let keptNewer = 0;
  const incremental = deps.cursorIndex !== null;
  const stored = incremental ? await state.getCheckpoint(plan.table) : null;
  const checkpoint = deps.ignoreCheckpoint ? null : stored;
  // an incremental run going on from its checkpoint reads only what changed: no count of the whole table
  const resumedScan = checkpoint ? pendingFullScan(checkpoint.position) : null;
  const goesOn = incremental && checkpoint !== null && resumedScan === null;
  const estimatedRows = goesOn ? null : await deps.reader.estimateRows();
  let start: KeysetPosition | null = checkpoint && !resumedScan ? decodePosition(checkpoint.position) : null;
  // A pull starts lower where other terminals pushed rows stamped below its checkpoint
  // (push-seen.ts); `seen` says which push marks it has read, in every checkpoint it saves.
  const marks = incremental ? (deps.pushMarks ?? null) : null;
  const storedSeen = checkpoint ? pushSeenOf(checkpoint.position) : null;
  let seen: string | null = null;
  let keepSeen = false;
  let rewound: { to: string | null } | null = null;
  if (marks && resumedScan) seen = storedSeen; // the scan's own start still holds
  else if (marks) {
    const from = start;
    ({ start, seen, keep: keepSeen, rewound } = await deps.retry(`${plan.table}: push marks`, () => startAfterMarks(marks, storedSeen, from)));
  }
  // the plan's mode, as --dry-run shows it: under --full a table with a cursor is copied in full (read by key, checkpointed)
  deps.emit({ type: 'table-start', table: plan.table, mode: plan.mode, estimatedRows, resumedFrom: checkpoint?.position ?? null, ...(rewound ? { rewound } : {}) });

  const retried = await retryLedgers(deps, totals);
  const ledgerKeys = retried.keys;
  keptNewer += retried.keptNewer;
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
  // a created table's key not built yet: it waits while every key value written is one-to-one (create-missing/key-values.ts)
  let keyFirst = deps.keyFirst ?? null;
  if (keyFirst && !copyDirect) {
    await keyFirst.build(); // upserts need it
    keyFirst = null;
  }
  // a COPY straight in from a source that can encode the rows where it reads them (copy-batch.ts)
  const encoded = copyDirect && deps.encodedReader ? await deps.encodedReader(scan !== null, deps.knownParents?.tracks(plan.table) === true, keyFirst?.checks ?? null) : null;
  // TEXT values left as their bytes for a writer that binds them so (io/text-slices.ts); rows remembered as parents need their values
  const sliced = writer.takesTextSlices === true && deps.knownParents?.tracks(plan.table) !== true;
  const batchSize = copyDirect ? deps.firstLoadBatchSize : deps.batchSize;
  const depth = copyDirect && deps.firstLoadBatchSize > deps.batchSize ? 1 : PIPELINE_DEPTH;
  const checkpointAt = (last: KeysetPosition): string => {
    if (!scan) return withPushSeen(checkpointText(last, secondPass), seen);
    const base = checkpointText(scan.highWater ?? { cursor: null, key: [] }, secondPass);
    return withPushSeen(fullScanText(base, { after: last.key, highWater: scan.highWater }), seen);
  };
  let checkpointed = false;
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
        // the run's history row commits with the rows it counts (one whole-table load: once it commits, syncTable)
        const progress = began.value ? undefined : deps.history?.progress({ read: prepared.read, ...c });
        // the checkpoint commits with the rows it covers (skipped rows are in the ledger, never forgotten)
        if (incremental) await state.saveCheckpoint(plan.table, checkpointAt(last), progress);
        else if (progress) await state.recordProgress(progress);
        return c;
      }),
    );
    checkpointed = incremental;
    const batch = { read: prepared.read, written: counts.written, skipped: counts.skipped, rejected: counts.rejected };
    if (began.value) began.batches.push(batch);
    else deps.history?.add(batch);
    totals.written += counts.written;
    totals.skipped += counts.skipped;
    totals.rejected += counts.rejected;
    keptNewer += counts.keptNewer ?? 0;
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
  let stalled: QueryError | null = null;
  for (;;) {
    if (deps.stopRequested()) {
      interrupted = true;
      break;
    }
    const window = { after: position, cursorBelow: scan ? null : deps.cursorBelow, limit: batchSize };
    let prepared: PreparedRows;
    let last: KeysetPosition;
    /** the batch holds a key value that could equal another once converted */
    let keyUnsure = false;
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
      keyUnsure = batch.keyUnsure;
    } else {
      // a reader that converts its rows (the PostgreSQL reader thread) does it beside the writes
      const read = await deps.retry<SourceRow[] | ConvertedBatch>(`${plan.table}: read`, () => (reader.readConverted ? reader.readConverted(window) : reader.readBatch(window)));
      if (writes.failure !== null) break;
      const count = Array.isArray(read) ? read.length : read.count;
      if (count === 0) break;
      last = positionOf(Array.isArray(read) ? (read[count - 1] as SourceRow) : read.sourceRow(count - 1), deps);
      // converting is pure work: it overlaps the writes of the batches before
      await yieldToIo();
      prepared = Array.isArray(read) ? prepareRows(read, deps) : preparedFrom(read, deps, (sliced && read.sliced?.()) || read.targets);
      keyUnsure = keyFirst !== null && !(Array.isArray(read) && keysOneToOne(read, keyFirst.checks));
    }
    totals.read += prepared.read;
    if (position !== null && encodePosition(last) === encodePosition(position)) {
      stalled = stalledRead(deps, last); // thrown once the batches before it are written
      break;
    }
    position = last;
    await yieldToIo();
    await writes.waitingBelow(depth);
    if (writes.failure !== null) break;
    if (keyFirst && keyUnsure) {
      // the key goes in before such a row does, over the rows committed so far (so the writes before end first)
      await writes.idle();
      if (writes.failure !== null) break;
      await keyFirst.build();
      keyFirst = null;
    }
    writes.add(() => writeBatch(prepared, last));
    if (prepared.read < batchSize) break;
  }
  await writes.idle();
  if (writes.failure !== null) throw writes.failure;
  if (stalled !== null) throw stalled;
  if (scan && !interrupted) {
    // the scan is done: incremental reads continue from the high-water mark it started with
    const highWater = scan.highWater;
    await deps.retry(`${plan.table}: checkpoint`, () =>
      inTransaction(tx, async () => {
        if (highWater) await state.saveCheckpoint(plan.table, withPushSeen(checkpointText(highWater, secondPass), seen));
        else await state.resetCheckpoints(plan.table);
      }),
    );
    position = highWater;
  } else if (!checkpointed && !interrupted && checkpoint && seen !== null && keepSeen) {
    // nothing read: the checkpoint stays, now saying which marks were read (else they are read again every run)
    const kept = withPushSeen(checkpoint.position, seen);
    await deps.retry(`${plan.table}: checkpoint`, () => inTransaction(tx, () => state.saveCheckpoint(plan.table, kept)));
  }
  const stats: TableRunStats = { table: plan.table, ...totals, ...(keptNewer > 0 ? { keptNewer } : {}), ms: Date.now() - started, error: null };
  return { stats, interrupted, window: { from: secondPass ? secondPass.from : start, to: position } };
}

