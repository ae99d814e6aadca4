/**
 * One batch into the target, inside the caller's transaction: rows converted (rejects kept
 * with their reason), parents checked by the FK guard (parentless rows to the skip ledger),
 * the rest written, and the ledgers updated to match. DESIGN.md "Replication semantics".
 */
import type { BatchWriter, ConvertedBatch, RowRejection, SourceRow, TargetRow, TargetTransaction } from '../io/batch-io.js';
import type { RejectEntry, SkipEntry } from '../state/state-store.js';
import { guardBatch, trustsTarget, type GuardedForeignKey, type HeldBack } from './fk-guard.js';
import { encodeValues, rowKeyOf } from './position-codec.js';
import type { TableSyncDeps } from './table-sync-deps.js';
import { resolveColumns } from '../io/text-slices.js';

export interface BatchCounts {
  written: number;
  skipped: number;
  rejected: number;
  /** of the rows written, those left as they were: the target's copy is newer (WriteOutcome.keptNewer) */
  keptNewer?: number;
  /** the target rows written, when this table's keys are remembered (known-parents.ts) */
  landed?: TargetRow[];
}

/** Rows that landed, as read and by ledger key (collected only when asked for). */
export interface Landed {
  rows: SourceRow[];
  keys: string[];
}

/** A batch converted for the target (pure work: done while the previous batch is written). */
export interface PreparedRows {
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

export function prepareRows(rows: SourceRow[], deps: TableSyncDeps): PreparedRows {
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
export function preparedFrom(batch: ConvertedBatch, deps: TableSyncDeps, targets = batch.targets): PreparedRows {
  const keyOf = (i: number): string => rowKeyOf(batch.sourceRow(i), deps.sourceKeyIndexes);
  const converted: TargetRow[] = [];
  const convertedFrom: number[] = [];
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i];
    if (!t) continue;
    converted.push(t);
    convertedFrom.push(i);
  }
  const rejects = batch.rejected.map((r) => ({ table: deps.plan.table, rowKey: keyOf(r.index), column: r.column, reason: r.reason, code: null }));
  return { rows: null, read: batch.count, keyOf, converted, convertedFrom, rejects, again: () => preparedFrom(batch, deps, batch.again().targets) };
}

/** Guard and write a converted batch inside the caller's transaction; ledgers updated to match. */
export async function processRows(prepared: PreparedRows, deps: TableSyncDeps, writer: BatchWriter, ledgerKeys: Set<string>, landedOut?: Landed): Promise<BatchCounts> {
  const { plan, state } = deps;
  const { rows, converted, convertedFrom, rejects } = prepared;
  const convertedKey = (c: number): string => prepared.keyOf(convertedFrom[c] as number);
  // FKs the target enforces itself are looked up only when the target refuses the batch
  // (unless this writer switched the target's checks off: then every FK is looked up first)
  const trusted = writer.parentChecksOff ? [] : deps.fks.filter(trustsTarget);
  // a writer that locks the parents it checks asks about every one of them
  const known = deps.knownParents && !writer.parentChecksOff ? deps.knownParents : null;
  // TEXT values still slices of their batch (io/text-slices.ts): the FK columns the guard reads, decoded
  // when it reads them; those the target checks are read only for a batch it refuses
  const readable = (fks: readonly GuardedForeignKey[], rs: TargetRow[]): TargetRow[] => {
    if (writer.takesTextSlices) resolveColumns(rs, fks.flatMap((fk) => [...fk.indexes, ...(fk.selfKeyIndexes ?? [])]));
    return rs;
  };
  const untrusted = trusted.length === 0 ? deps.fks : deps.fks.filter((fk) => !trustsTarget(fk));
  const guard = await guardBatch(readable(untrusted, converted), untrusted, writer, known ? (t, c) => known.keysOf(t, c) : undefined);
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
    const check = await guardBatch(readable(trusted, pass.map((i) => converted[i] as TargetRow)), trusted, writer);
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
    const check = await guardBatch(readable(trusted, parentless.map((r) => toWrite[r.index] as TargetRow)), trusted, writer);
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
  const counts: BatchCounts = { written: outcome.written, skipped: skips.length, rejected: rejects.length, keptNewer: outcome.keptNewer ?? 0 };
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
