/**
 * Setting a cycle's deferred FK columns on rows already in the target: the work of the
 * second pass on one batch. The first pass writes those columns NULL (so a live FK in the
 * target never refuses the row); once every table of the run is in, their values are
 * converted, their parents checked (a missing one -> the skip ledger, as in the first
 * pass) and only those columns updated. Used by the run's second pass (deferred-pass.ts)
 * and by the ledger retry of the first pass, for rows that land outside the window.
 */
import type { BatchWriter, SourceRow, TargetRow } from '../io/batch-io.js';
import type { ReplicationEvent } from '../events.js';
import type { RejectEntry, SkipEntry, StateStore } from '../state/state-store.js';
import type { PgText, SqliteValue } from '../values/codec.js';
import { guardBatch, type GuardedForeignKey } from './fk-guard.js';
import { encodeValues } from './position-codec.js';
import { createRowConverter, type AnyCodec, type RowConverter } from './row-converter.js';
import { PlanError } from '../../errors.js';
import { quoteIdent } from '../../sql/quote.js';
import type { PlannedColumn, TablePlan } from '../run-plan.js';

type Native = PgText | SqliteValue;
type Skip = Omit<SkipEntry, 'firstSeen' | 'lastTried' | 'attempts'>;
type Reject = Omit<RejectEntry, 'firstSeen' | 'attempts'>;

/** How one table's deferred columns are read, converted, checked and written (direction-wiring.ts builds it). */
export interface SecondPassWiring {
  /** the deferred columns, PostgreSQL names, as BatchWriter.updateColumns takes them */
  columns: string[];
  /**
   * the table's cursor (PostgreSQL name), projected after the deferred columns: a row whose
   * target copy holds a greater one is left alone (BatchWriter.updateColumns keepNewer); null: none
   */
  cursor: string | null;
  /** the same columns as the target names them (as reject entries name columns) */
  targetColumns: string[];
  /** positions in a source row of the table's key (TablePlan.key order), then of the deferred columns, then of the cursor */
  sourceIndexes: number[];
  /** converts a row projected through `sourceIndexes` for the target */
  converter: RowConverter;
  /** the deferred FKs, checked in this pass; indexes into the projected row */
  fks: GuardedForeignKey[];
}

export interface SecondPassOutcome {
  /** ledger keys of the rows whose columns now hold the source's values */
  landed: string[];
  /** rows whose deferred parent is missing: their columns keep what they had */
  held: Skip[];
  rejected: Reject[];
  /** rows changed in the target */
  updated: number;
}

/** Convert, check and update the deferred columns of `rows` (keys: their ledger keys) in the caller's transaction. */
export async function writeDeferredColumns(table: string, rows: readonly SourceRow[], rowKeys: readonly string[], sp: SecondPassWiring, writer: BatchWriter): Promise<SecondPassOutcome> {
  const width = sp.sourceIndexes.length;
  const converted: TargetRow[] = [];
  const keys: string[] = [];
  const rejected: Reject[] = [];
  for (let i = 0; i < rows.length; i++) {
    const source = rows[i] as SourceRow;
    const projected: SourceRow = new Array<Native>(width);
    for (let j = 0; j < width; j++) projected[j] = source[sp.sourceIndexes[j] as number] ?? null;
    const c = sp.converter.convert(projected);
    if ('row' in c) {
      converted.push(c.row);
      keys.push(rowKeys[i] as string);
    } else {
      rejected.push({ table, rowKey: rowKeys[i] as string, column: c.column, reason: c.reason, code: null });
    }
  }
  const guard = await guardBatch(converted, sp.fks, writer);
  const held: Skip[] = guard.held.map((h) => ({
    table,
    rowKey: keys[h.index] as string,
    fkColumns: h.fk.fkColumns,
    parentTable: h.fk.parentTable,
    parentKey: encodeValues(h.parentKey),
  }));
  const toWrite = guard.pass.map((i) => converted[i] as TargetRow);
  const writeKeys = guard.pass.map((i) => keys[i] as string);
  const outcome = toWrite.length > 0 ? await writer.updateColumns(sp.columns, toWrite, sp.cursor) : { written: 0, rejected: [] };
  const refused = new Set<number>();
  for (const r of outcome.rejected) {
    refused.add(r.index);
    // named after the deferred columns, so the ledger retry knows the row waits for this pass alone
    rejected.push({ table, rowKey: writeKeys[r.index] as string, column: r.column ?? sp.targetColumns.join(', '), reason: r.reason, code: r.code });
  }
  return { landed: writeKeys.filter((_, i) => !refused.has(i)), held, rejected, updated: outcome.written };
}

/**
 * Records an outcome in the ledgers (in the caller's transaction) and emits its skips and
 * rejects. `replacing`: these rows came from the ledgers as the second pass's alone, so
 * their old entries go (with `gone`, keys no longer at the source); a held row keeps its
 * entry (attempts counted, first seen kept).
 */
export async function settleSecondPass(state: StateStore, table: string, o: SecondPassOutcome, emit: (e: ReplicationEvent) => void, replacing: { gone: string[] } | null): Promise<void> {
  if (replacing) {
    const clearSkips = [...o.landed, ...o.rejected.map((r) => r.rowKey), ...replacing.gone];
    const clearRejects = [...o.landed, ...o.held.map((h) => h.rowKey), ...replacing.gone];
    if (clearSkips.length > 0) await state.clearSkipped(table, clearSkips);
    if (clearRejects.length > 0) await state.clearRejected(table, clearRejects);
  }
  if (o.held.length > 0) await state.recordSkipped(o.held);
  if (o.rejected.length > 0) await state.recordRejected(o.rejected);
  for (const s of o.held) emit({ type: 'skip', table, rowKey: s.rowKey, fkColumns: s.fkColumns, parentTable: s.parentTable, parentKey: s.parentKey });
  for (const r of o.rejected) emit({ type: 'reject', table, rowKey: r.rowKey, column: r.column, reason: r.reason, code: r.code });
}

export interface LedgerSplit {
  /** rows that wait for the second pass alone: a deferred parent, a deferred value refused */
  secondPassOnly: Set<string>;
  /** rows that wait for anything else: the first pass retries them, the second leaves them be */
  firstPass: Set<string>;
}

/** Whose business each waiting row of a table is. */
export function splitLedger(skipped: readonly SkipEntry[], rejected: readonly RejectEntry[], sp: SecondPassWiring): LedgerSplit {
  const deferredFks = new Set(sp.fks.map((f) => JSON.stringify(f.fkColumns)));
  const deferredColumns = new Set([...sp.targetColumns, sp.targetColumns.join(', ')]);
  const firstPass = new Set<string>();
  const all = new Set<string>();
  for (const s of skipped) {
    all.add(s.rowKey);
    if (!deferredFks.has(JSON.stringify(s.fkColumns))) firstPass.add(s.rowKey);
  }
  for (const r of rejected) {
    all.add(r.rowKey);
    if (r.column === null || !deferredColumns.has(r.column)) firstPass.add(r.rowKey);
  }
  return { secondPassOnly: new Set([...all].filter((k) => !firstPass.has(k))), firstPass };
}

/**
 * The second pass of a table in an FK cycle: its key and deferred columns, projected out
 * of a source row, converted with the first pass's codecs, and the deferred FKs guarded
 * (parents are in by then).
 */
export function secondPassWiring(
  plan: TablePlan,
  readPlan: TablePlan,
  codecFor: (col: PlannedColumn) => AnyCodec,
  targetName: (col: PlannedColumn) => string,
  guard: (projected: TablePlan) => GuardedForeignKey[],
): SecondPassWiring | null {
  if (plan.deferredColumns.length === 0) return null;
  // the cursor last: a row the target holds newer keeps its columns, as in the first pass
  const cursor = plan.cursor !== null && !plan.key.includes(plan.cursor) && !plan.deferredColumns.includes(plan.cursor) ? plan.cursor : null;
  const names = [...plan.key, ...plan.deferredColumns, ...(cursor === null ? [] : [cursor])];
  const columns = names.map((name) => {
    const col = plan.columns.find((c) => c.pg === name);
    if (!col) throw new PlanError([plan.table], `column ${quoteIdent(name)} is not among the replicated columns`);
    return col;
  });
  // the deferred FKs, checked like any other here; the rest were checked in the first pass
  const foreignKeys = plan.foreignKeys.filter((fk) => fk.deferred).map((fk) => ({ ...fk, deferred: false }));
  const projected: TablePlan = { ...plan, columns, foreignKeys, deferredColumns: [] };
  return {
    columns: [...plan.deferredColumns],
    cursor,
    targetColumns: columns.slice(plan.key.length, plan.key.length + plan.deferredColumns.length).map(targetName),
    sourceIndexes: names.map((name) => readPlan.columns.findIndex((c) => c.pg === name)),
    converter: createRowConverter(projected, codecFor, targetName),
    fks: guard(projected),
  };
}
