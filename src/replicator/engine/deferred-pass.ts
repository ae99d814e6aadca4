/**
 * The second pass that closes FK cycles across tables. The plan breaks a cycle by deferring
 * one nullable FK (TablePlan.deferredColumns); the first pass writes those columns NULL, so
 * a live FK in the target never refuses a row. Once every table of the run is in, this
 * pass re-reads from the source exactly the window the first pass read (for a table copied
 * in full, the whole table), checks the deferred FK's parents (a missing one -> the skip
 * ledger) and UPDATEs only those columns, batch by batch, each batch in one target
 * transaction. Rows that waited for this pass alone in the ledgers are retried first.
 * Issue 3, "Plan"; DESIGN.md "Replication semantics".
 */
import type { NameTranslator } from '../../mapping/name-translator.js';
import type { KeysetPosition, SourceRow } from '../io/batch-io.js';
import type { EventOf, ReplicationEvent } from '../events.js';
import type { TablePlan } from '../run-plan.js';
import { pendingSecondPass } from './deferred-checkpoint.js';
import { settleSecondPass, splitLedger, writeDeferredColumns, type LedgerSplit, type SecondPassOutcome } from './deferred-columns.js';
import type { DirectionWiring, TableWiring } from './direction-wiring.js';
import { decodePosition, decodeValues, encodePosition, encodeValues, rowKeyOf } from './position-codec.js';
import { inTransaction } from './guarded-batch.js';
import { pushSeenOf, withPushSeen } from './push-seen.js';

export interface DeferredPassInput {
  wiring: DirectionWiring;
  /** the run's tables in load order; those with deferred columns get the pass */
  tables: readonly TablePlan[];
  names: NameTranslator;
  planned: ReadonlySet<string>;
  runId: string;
  batchSize: number;
  emit: (e: ReplicationEvent) => void;
  stopRequested: () => boolean;
  retry: <T>(what: string, fn: () => Promise<T>) => Promise<T>;
}

export interface DeferredPassResult {
  /** stopped between batches (SIGINT): what is left is owed by the next run (its checkpoint says from where) */
  interrupted: boolean;
  /** what the pass did per table (those it reached), for the run's summary */
  tables: SecondPassStats[];
}

/** One table's second pass: rows re-read, updated, and held back (skip ledger) or rejected; what its event says. */
export type SecondPassStats = Omit<EventOf<'deferred-pass'>, 'type'>;

interface Tally {
  read: number;
  updated: number;
  skipped: number;
  rejected: number;
}

/**
 * Runs the second pass for every table of the run with deferred columns. Called once the
 * first pass has loaded every table. A failure is recorded on the run (failed) and thrown.
 */
export async function runDeferredPass(input: DeferredPassInput): Promise<DeferredPassResult> {
  const tables: SecondPassStats[] = [];
  // the emitted deferred-pass events are the stats: one source for the reporters and the summary
  const emit = (e: ReplicationEvent): void => {
    if (e.type === 'deferred-pass') tables.push({ table: e.table, columns: e.columns, read: e.read, updated: e.updated, skipped: e.skipped, rejected: e.rejected, ms: e.ms });
    input.emit(e);
  };
  for (const plan of input.tables) {
    if (plan.deferredColumns.length === 0) continue;
    try {
      if (!(await secondPassOfTable(plan, { ...input, emit }))) return { interrupted: true, tables };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      input.emit({ type: 'error', table: plan.table, message: `second pass of ${plan.deferredColumns.join(', ')}: ${message}` });
      await input.wiring.state.finishRun(input.runId, 'failed').catch(() => undefined);
      throw error;
    }
  }
  return { interrupted: false, tables };
}

/** One table's second pass; false when a stop was requested before it finished. */
async function secondPassOfTable(plan: TablePlan, input: DeferredPassInput): Promise<boolean> {
  const started = Date.now();
  const { wiring, retry } = input;
  const w = await wiring.table(plan, input.names, input.planned);
  const sp = w.secondPass;
  if (!sp) return true;
  const { state } = wiring;
  const tally: Tally = { read: 0, updated: 0, skipped: 0, rejected: 0 };
  const keyOf = (row: SourceRow): string => rowKeyOf(row, w.sourceKeyIndexes);

  const apply = async (rows: SourceRow[], keys: string[], replacing: { gone: string[] } | null): Promise<void> => {
    const o: SecondPassOutcome = await retry(`${plan.table}: second pass`, () =>
      inTransaction(wiring.tx, async () => {
        const out = await writeDeferredColumns(plan.table, rows, keys, sp, w.writer);
        await settleSecondPass(state, plan.table, out, input.emit, replacing);
        return out;
      }),
    );
    tally.updated += o.updated;
    tally.skipped += o.held.length;
    tally.rejected += o.rejected.length;
  };

  // rows that waited for this pass alone: their deferred parent may have arrived
  // one after the other: a PostgreSQL store has one session, and pg deprecates queuing a query behind another
  const skipped = await state.listSkipped(plan.table);
  const rejected = await state.listRejected(plan.table);
  const split: LedgerSplit = splitLedger(skipped, rejected, sp);
  const waiting = [...split.secondPassOnly];
  for (let i = 0; i < waiting.length; i += input.batchSize) {
    if (input.stopRequested()) return false;
    const chunk = waiting.slice(i, i + input.batchSize);
    const rows = await retry(`${plan.table}: second pass read`, () => w.reader.readByKeys(chunk.map(decodeValues)));
    const keys = rows.map(keyOf);
    const found = new Set(keys);
    tally.read += rows.length;
    // deleted at the source since: nothing is waiting any more
    await apply(rows, keys, { gone: chunk.filter((k) => !found.has(k)) });
  }

  if (!(await rereadWindow(plan, w, input, split, apply, tally))) return false;
  input.emit({ type: 'deferred-pass', table: plan.table, columns: [...plan.deferredColumns], ...tally, ms: Date.now() - started });
  return true;
}

/**
 * The window the first pass read, again: (second pass start, checkpoint] for a table read
 * by cursor, the whole table for one copied in full. Rows waiting in the ledgers are left
 * to their retries. Once through, the checkpoint forgets that a second pass was owed.
 */
async function rereadWindow(
  plan: TablePlan,
  w: TableWiring,
  input: DeferredPassInput,
  split: LedgerSplit,
  apply: (rows: SourceRow[], keys: string[], replacing: null) => Promise<void>,
  tally: Tally,
): Promise<boolean> {
  const { state, tx } = input.wiring;
  const incremental = w.cursorIndex !== null;
  const stored = incremental ? await state.getCheckpoint(plan.table) : null;
  const owed = stored ? pendingSecondPass(stored.position) : null;
  // read by cursor and nothing owed: the first pass read no rows, in this run or one before
  if (incremental && (!stored || !owed)) return true;
  const through = stored ? decodePosition(stored.position) : null;
  let after: KeysetPosition | null = owed ? owed.from : null;
  for (;;) {
    if (input.stopRequested()) return false;
    const from = after;
    const rows = await input.retry(`${plan.table}: second pass read`, () => w.reader.readBatch({ after: from, cursorBelow: null, through, limit: input.batchSize }));
    if (rows.length === 0) break;
    tally.read += rows.length;
    const last = rows[rows.length - 1] as SourceRow;
    after = { cursor: w.cursorIndex === null ? null : (last[w.cursorIndex] ?? null), key: w.sourceKeyIndexes.map((i) => last[i] ?? null) };
    const mine: SourceRow[] = [];
    const keys: string[] = [];
    for (const row of rows) {
      const k = encodeValues(w.sourceKeyIndexes.map((i) => row[i] ?? null));
      if (split.firstPass.has(k) || split.secondPassOnly.has(k)) continue;
      mine.push(row);
      keys.push(k);
    }
    if (mine.length > 0) await apply(mine, keys, null);
    if (rows.length < input.batchSize) break;
  }
  if (stored && through) {
    // the pull's push marks read so far stay with the checkpoint (push-seen.ts)
    const position = withPushSeen(encodePosition(through), pushSeenOf(stored.position));
    await input.retry(`${plan.table}: second pass done`, () => inTransaction(tx, () => state.saveCheckpoint(plan.table, position)));
  }
  return true;
}
