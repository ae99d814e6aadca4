/**
 * Parent keys this run wrote into tables it created itself (`run --create-missing`): the
 * FK guard takes a child's parent as present when its key is here, and asks the target
 * only about the rest. Such a table is new, so no other writer knows it, and the run never
 * deletes: a key it committed there is still there (VALIDATE at the end would say
 * otherwise). Held as the key's text; bounded, so memory stays flat: past the cap the
 * guard asks the target as it always does.
 */
import type { TargetRow } from '../io/batch-io.js';

/** about 14 MB of uuid-sized keys at most (scale 5 of the bench peaked at 243 MB with 250,000) */
export const KNOWN_PARENTS_CAP = 150_000;

export class KnownParents {
  private readonly tables = new Map<string, { column: string; keyIndex: number; keys: Set<string> }>();
  private size = 0;

  constructor(private readonly cap = KNOWN_PARENTS_CAP) {}

  /** Start remembering `table`'s single-column key (target name), found at `keyIndex` in its target rows. */
  track(table: string, column: string, keyIndex: number): void {
    if (!this.tables.has(table)) this.tables.set(table, { column, keyIndex, keys: new Set() });
  }

  tracks(table: string): boolean {
    return this.tables.has(table) && this.size < this.cap;
  }

  /** Rows of `table` that committed. */
  remember(table: string, rows: readonly TargetRow[]): void {
    const t = this.tables.get(table);
    if (!t) return;
    const keyIndex = t.keyIndex;
    for (let i = 0; i < rows.length && this.size < this.cap; i++) {
      const v = (rows[i] as TargetRow)[keyIndex];
      if (v === null || v === undefined || typeof v === 'object') continue;
      const k = String(v);
      if (!t.keys.has(k)) {
        t.keys.add(k);
        this.size++;
      }
    }
  }

  /** The keys known present in `table`'s `columns`, or null when it is not tracked by those columns. */
  keysOf(table: string, columns: readonly string[]): ReadonlySet<string> | null {
    const t = this.tables.get(table);
    return t && columns.length === 1 && columns[0] === t.column ? t.keys : null;
  }
}
