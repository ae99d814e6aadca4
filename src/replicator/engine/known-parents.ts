/**
 * Parent keys this run wrote into tables it created itself (`run --create-missing`): the
 * FK guard takes a child's parent as present when its key is here, and asks the target
 * only about the rest. Such a table is new, so no other writer knows it, and the run never
 * deletes: a key it committed there is still there (VALIDATE at the end would say
 * otherwise). Held as the key's text, a canonical uuid text as its 16 bytes
 * (uuid-key-set.ts: the same answers in about a third of the memory); bounded, so memory
 * stays flat: past the budget the guard asks the target as it always does.
 */
import type { TargetRow } from '../io/batch-io.js';
import { UuidKeySet } from './uuid-key-set.js';

/**
 * Memory for the keys, about 14 MB: 150,000 keys held as strings (the budget before uuids
 * were held as bytes: scale 5 of the bench peaked at 243 MB with 250,000), or 390,000 and
 * more uuids (scale 1's 190,000 created parents all fit, so no child batch asks the target).
 */
export const KNOWN_PARENTS_BYTES = 14_000_000;

/** what a key held as a JS string in a Set costs, about (a uuid's 36 characters) */
const STRING_KEY_BYTES = 93;

/** What the FK guard looks keys up in. */
export interface KnownKeys {
  has(key: string): boolean;
}

class TableKeys implements KnownKeys {
  readonly uuids = new UuidKeySet();
  readonly strings = new Set<string>();

  constructor(
    readonly column: string,
    readonly keyIndex: number,
  ) {}

  has(key: string): boolean {
    const found = this.uuids.lookup(key);
    return found === 1 || (found === -1 && this.strings.has(key));
  }
}

export class KnownParents {
  private readonly tables = new Map<string, TableKeys>();
  /** bytes held, as counted against the budget */
  private bytes = 0;

  constructor(private readonly budget = KNOWN_PARENTS_BYTES) {}

  /** Start remembering `table`'s single-column key (target name), found at `keyIndex` in its target rows. */
  track(table: string, column: string, keyIndex: number): void {
    if (this.tables.has(table)) return;
    const t = new TableKeys(column, keyIndex);
    this.tables.set(table, t);
    this.bytes += t.uuids.bytes;
  }

  tracks(table: string): boolean {
    return this.tables.has(table) && this.bytes < this.budget;
  }

  /** Rows of `table` that committed. */
  remember(table: string, rows: readonly TargetRow[]): void {
    const t = this.tables.get(table);
    if (!t) return;
    const keyIndex = t.keyIndex;
    for (let i = 0; i < rows.length && this.bytes < this.budget; i++) {
      const v = (rows[i] as TargetRow)[keyIndex];
      if (v === null || v === undefined || typeof v === 'object') continue;
      const k = String(v);
      const held = t.uuids.lookup(k);
      if (held === 1) continue;
      if (held === 0) {
        // a table that must grow first: the old one and the new one, for a moment
        const growth = t.uuids.growthBytes;
        if (this.bytes + growth > this.budget) {
          this.bytes = this.budget; // full: nothing more is remembered
          break;
        }
        const before = t.uuids.bytes;
        t.uuids.add(k);
        this.bytes += t.uuids.bytes - before;
        continue;
      }
      if (!t.strings.has(k)) {
        t.strings.add(k);
        this.bytes += STRING_KEY_BYTES;
      }
    }
  }

  /** The keys known present in `table`'s `columns`, or null when it is not tracked by those columns. */
  keysOf(table: string, columns: readonly string[]): KnownKeys | null {
    const t = this.tables.get(table);
    return t && columns.length === 1 && columns[0] === t.column ? t : null;
  }
}
