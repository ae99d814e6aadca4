/**
 * The ledgers retried at the start of each table's run, so a row waiting for its parent (or
 * for a fixed value) lands as soon as it can, whatever the checkpoint passed since.
 */
import { settleSecondPass, splitLedger, writeDeferredColumns } from './deferred-columns.js';
import { inTransaction, prepareRows, processRows, type BatchCounts, type Landed } from './guarded-batch.js';
import { decodeValues, rowKeyOf } from './position-codec.js';
import type { TableSyncDeps } from './table-sync-deps.js';
import type { SourceRow } from '../io/batch-io.js';

/**
 * Every run retries the ledgers first: rows leave them when their parent (or a fixed value)
 * arrives. `keys`: the rows still waiting; `landed`: written now; `keptNewer`: of those, the
 * rows left as the target has them, its copy being newer (counted in `written` too, as a batch's are).
 */
export async function retryLedgers(deps: TableSyncDeps, totals: BatchCounts & { read: number }): Promise<{ keys: Set<string>; landed: number; keptNewer: number }> {
  const { plan, state } = deps;
  // one after the other: a PostgreSQL store has one session, and pg deprecates queuing a query behind another
  const skipped = await state.listSkipped(plan.table);
  const rejected = await state.listRejected(plan.table);
  // rows that wait only for a deferred parent (or value) are the second pass's to retry
  const secondPassOnly = deps.secondPass ? splitLedger(skipped, rejected, deps.secondPass).secondPassOnly : new Set<string>();
  const keys = new Set([...skipped.map((s) => s.rowKey), ...rejected.map((r) => r.rowKey)].filter((k) => !secondPassOnly.has(k)));
  if (keys.size === 0) return { keys, landed: 0, keptNewer: 0 };
  const all = [...keys];
  const wasWaiting = new Set(skipped.map((s) => s.rowKey));
  const retried = { waiting: all.filter((k) => wasWaiting.has(k)).length, rejected: all.filter((k) => !wasWaiting.has(k)).length };
  const after = { gone: 0, waiting: 0, rejected: 0 };
  let keptNewer = 0;
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
        const c = await retryRows(deps, rows, keys);
        // the run's history row commits with the rows it counts (table-sync.ts)
        const progress = deps.history?.progress({ read: rows.length, written: c.written });
        if (progress) await state.recordProgress(progress);
        return c;
      }),
    );
    deps.history?.add({ read: rows.length, written: counts.written });
    for (const k of gone) keys.delete(k);
    totals.read += rows.length;
    totals.written += counts.written;
    keptNewer += counts.keptNewer ?? 0;
    after.gone += gone.length;
    after.waiting += counts.skipped;
    after.rejected += counts.rejected;
  }
  // processRows took the rows that landed out of `keys`, and the gone ones were taken out above
  const landed = all.length - after.gone - keys.size;
  deps.emit({ type: 'ledger-retry', table: plan.table, retried, landed, ...after });
  return { keys, landed, keptNewer };
}

/** The ledgers' rows found at the source, written again inside the caller's transaction. */
async function retryRows(deps: TableSyncDeps, rows: SourceRow[], keys: Set<string>): Promise<BatchCounts> {
  const sp = deps.secondPass;
  if (!sp) return processRows(prepareRows(rows, deps), deps, deps.writer, keys);
  const landed: Landed = { rows: [], keys: [] };
  const counts = await processRows(prepareRows(rows, deps), deps, deps.writer, keys, landed);
  // these rows lie outside the window the second pass re-reads: their deferred columns
  // are set now, or wait in the ledger for the second pass when their parent is not in yet
  if (landed.rows.length > 0) {
    const o = await writeDeferredColumns(deps.plan.table, landed.rows, landed.keys, sp, deps.writer);
    await settleSecondPass(deps.state, deps.plan.table, o, deps.emit, null);
  }
  return counts;
}
