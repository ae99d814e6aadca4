/**
 * Parent keys this run committed, so a child's parent is taken as present when its key is
 * here and the target is asked only about the rest. Two users:
 * - PostgreSQL targets: tables the run created itself (`run --create-missing`). Such a
 *   table is new, so no other writer knows it, and the run never deletes: a key it
 *   committed there is still there (VALIDATE at the end would say otherwise).
 * - SQLite targets: tables loaded whole (sqlite-known-parents.ts), valid only while no
 *   other connection has committed to the file (PRAGMA data_version); forgotten otherwise.
 * Held as the key's text, a canonical uuid text as its 16 bytes (uuid-key-set.ts: the same
 * answers in about a third of the memory); `typed` (SQLite) keeps a text and an integer
 * apart, as SQLite does: 5n and '5' are different keys. Bounded, so memory stays flat:
 * past the budget the target is asked as it always is.
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
/** what a BigInt key in a Set costs, about */
const BIGINT_KEY_BYTES = 56;

/** What the FK guard and SQLite's parent check look keys up in (a value as the child row holds it). */
export interface KnownKeys {
  has(key: string | number | bigint): boolean;
}

class TableKeys implements KnownKeys {
  readonly uuids = new UuidKeySet();
  readonly strings = new Set<string>();
  readonly bigints = new Set<bigint>();
  /** bytes this table's keys are counted for */
  bytes = 0;

  constructor(
    readonly column: string,
    readonly keyIndex: number,
    private readonly typed: boolean,
  ) {}

  has(key: string | number | bigint): boolean {
    if (typeof key !== 'string') {
      if (!this.typed) key = String(key);
      else return typeof key === 'bigint' && this.bigints.has(key);
    }
    const found = this.uuids.lookup(key);
    return found === 1 || (found === -1 && this.strings.has(key));
  }
}

export class KnownParents {
  private readonly tables = new Map<string, TableKeys>();
  /** bytes held, as counted against the budget */
  private bytes = 0;
  /** a table could not grow within the budget: nothing more is remembered until keys are forgotten */
  private full = false;

  /** `typed`: keys compared with their type (SQLite targets); otherwise as text (PostgreSQL targets, whose rows hold text) */
  constructor(
    private readonly budget = KNOWN_PARENTS_BYTES,
    private readonly typed = false,
  ) {}

  /** Start remembering `table`'s single-column key (target name), found at `keyIndex` in its target rows. */
  track(table: string, column: string, keyIndex: number): void {
    if (this.tables.has(table)) return;
    const t = new TableKeys(column, keyIndex, this.typed);
    this.tables.set(table, t);
    this.count(t, t.uuids.bytes);
  }

  tracks(table: string): boolean {
    return this.tables.has(table) && this.room();
  }

  /** Forget every key (SQLite: another connection may have deleted some); the same tables are tracked afresh. */
  forgetAll(): void {
    for (const name of [...this.tables.keys()]) this.forget(name);
  }

  /** Forget `table`'s keys (SQLite: its load rolled back); it is tracked afresh. */
  forget(table: string): void {
    const t = this.tables.get(table);
    if (!t) return;
    this.tables.delete(table);
    this.bytes -= t.bytes;
    this.full = false;
    this.track(table, t.column, t.keyIndex);
  }

  private room(): boolean {
    return !this.full && this.bytes < this.budget;
  }

  private count(t: TableKeys, bytes: number): void {
    t.bytes += bytes;
    this.bytes += bytes;
  }

  /** Rows of `table` that committed. */
  remember(table: string, rows: readonly TargetRow[]): void {
    const t = this.tables.get(table);
    if (!t) return;
    const keyIndex = t.keyIndex;
    for (let i = 0; i < rows.length && this.room(); i++) {
      const v = (rows[i] as TargetRow)[keyIndex];
      if (v === null || v === undefined || typeof v === 'object') continue;
      if (this.typed && typeof v !== 'string') {
        // an integer as SQLite holds it; a float (a REAL key) is left to the target
        if (typeof v === 'bigint' && !t.bigints.has(v)) {
          t.bigints.add(v);
          this.count(t, BIGINT_KEY_BYTES);
        }
        continue;
      }
      const k = String(v);
      // a table that must grow first: the old one and the new one, for a moment
      if (this.bytes + t.uuids.growthBytes > this.budget) {
        this.full = true;
        break;
      }
      const before = t.uuids.bytes;
      const added = t.uuids.add(k); // one parse: added, already here, or not a uuid
      if (added >= 0) {
        this.count(t, t.uuids.bytes - before);
        continue;
      }
      if (!t.strings.has(k)) {
        // a string of its own: a value split out of a batch's text would keep the whole text alive
        t.strings.add((' ' + k).slice(1));
        this.count(t, STRING_KEY_BYTES);
      }
    }
  }

  /** The keys known present in `table`'s `columns`, or null when it is not tracked by those columns. */
  keysOf(table: string, columns: readonly string[]): KnownKeys | null {
    const t = this.tables.get(table);
    return t && columns.length === 1 && columns[0] === t.column ? t : null;
  }
}
