/**
 * A checkpoint is only good for the rows it was read with. A table's row filter (with the
 * values of its :params) is stamped into each checkpoint it saves; a checkpoint stamped
 * with another filter, or with none, is not used, so the table is read again from the
 * start. Otherwise `--param store=8` after a run with store=7 would go on from store 7's
 * checkpoint and never copy store 8's older rows. Re-reading is harmless: writes are
 * upserts by key, and the skip and reject ledgers are kept.
 */
import type { Checkpoint, RunProgress, StateStore } from '../state/state-store.js';

const FIELD = 'rowFilter';

/** `filters`: table -> its filter as bound this run (CompiledFilter.describe); tables without one are absent. */
export function withFilteredCheckpoints(state: StateStore, filters: ReadonlyMap<string, string>): StateStore {
  const getCheckpoint = async (table: string): Promise<Checkpoint | null> => {
    const cp = await state.getCheckpoint(table);
    if (!cp) return null;
    const raw = JSON.parse(cp.position) as Record<string, unknown>;
    const was = typeof raw[FIELD] === 'string' ? raw[FIELD] : null;
    if (was !== (filters.get(table) ?? null)) return null;
    delete raw[FIELD];
    return { ...cp, position: JSON.stringify(raw) };
  };
  const saveCheckpoint = async (table: string, position: string, progress?: RunProgress): Promise<void> => {
    const filter = filters.get(table);
    if (filter === undefined) return state.saveCheckpoint(table, position, progress);
    const raw = JSON.parse(position) as Record<string, unknown>;
    raw[FIELD] = filter;
    return state.saveCheckpoint(table, JSON.stringify(raw), progress);
  };
  const overrides: Partial<StateStore> = { getCheckpoint, saveCheckpoint };
  return new Proxy(state, {
    get(target, prop, receiver) {
      if (prop === 'getCheckpoint' || prop === 'saveCheckpoint') return overrides[prop];
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
