/**
 * The FK guard: before a batch is written, every row's parents must exist in the target
 * (one set-based lookup per FK per batch) or arrive in the same batch. A row whose parent
 * is missing is held back for the skip ledger, with the exact parent key, instead of
 * failing the batch or being dropped. DESIGN.md: "Missing parents are deferred, not dropped".
 *
 * Where the target enforces an FK itself, the batch path writes first and asks only about
 * the rows it refused (trustsTarget): a missing parent is rare, a lookup per batch is not.
 *
 * Where SQLite keys rows by its own local key (seed 002's local_id/server_id), FK values
 * differ per side and are translated through the parent's key columns first.
 */
import { keyString, type BatchWriter, type TargetRow } from '../io/batch-io.js';
import type { PgText, SqliteValue } from '../values/codec.js';
import type { KnownKeys } from './known-parents.js';

type Native = PgText | SqliteValue;

/** Maps single key values through a SQLite parent table (local key <-> server id). */
export type KeyLookup = (values: Native[]) => Promise<Map<string, Native>>;

export interface GuardedForeignKey {
  /** PostgreSQL names, for the ledger and messages */
  fkColumns: string[];
  parentTable: string;
  /** positions of the FK columns in the target row */
  indexes: number[];
  /** the parent as the target names it */
  targetTable: string;
  targetColumns: string[];
  /** translate the (single) FK value first; an untranslatable value means the parent is missing */
  translate: KeyLookup | null;
  /** the translation looked in the target itself, so a translated value proves the parent exists */
  translationProvesParent: boolean;
  /** parent is this same table, keyed by `selfKeyIndexes` in the target row */
  selfKeyIndexes: number[] | null;
  /**
   * the target refuses a row whose parent is missing within the write itself
   * (BatchWriter.enforcesForeignKey): the batch path skips the lookup and checks only the
   * rows the target refused (see trustsTarget)
   */
  enforcedByTarget: boolean;
}

/**
 * May the batch path write first and look parents up only for the rows the target
 * refused? Only for an FK the target enforces, and neither translated (the guard must
 * rewrite the value before the write) nor self-referencing (a parent may come later in
 * the same batch).
 */
export function trustsTarget(fk: GuardedForeignKey): boolean {
  return fk.enforcedByTarget && fk.translate === null && fk.selfKeyIndexes === null;
}

export interface HeldBack {
  /** index into the rows given to check() */
  index: number;
  fk: GuardedForeignKey;
  /** the missing parent's key as the child holds it, display text */
  parentKey: Native[];
}

export interface GuardResult {
  /** indexes of rows that may be written (FK values translated in place) */
  pass: number[];
  held: HeldBack[];
}

const stringOf = (v: Native): string => (v === null ? '' : Buffer.isBuffer(v) ? v.toString('hex') : String(v));

/**
 * One FK value as a Map key: the value itself where it is a primitive (no string built per
 * row), its key text for a BLOB. Two keys for the same parent ('5' and 5n) only cost one
 * more tuple in the lookup; the answer per tuple is the same.
 */
const mapKey = (v: Native): string | number | bigint => (v !== null && typeof v === 'object' ? keyString([v]) : v ?? '');

/**
 * A single-column FK with no translation and no self-reference (nearly every FK): distinct
 * values found through a Map of primitives, one lookup per distinct value.
 */
async function guardSingle(rows: TargetRow[], fk: GuardedForeignKey, writer: BatchWriter, held: (HeldBack | undefined)[], known: KnownKeys | null): Promise<void> {
  const idx = fk.indexes[0] as number;
  /** the distinct values to look up, each with its slot in `tuples` */
  const slot = new Map<string | number | bigint, number>();
  const tuples: Native[][] = [];
  const at = new Int32Array(rows.length).fill(-1);
  for (let i = 0; i < rows.length; i++) {
    if (held[i] !== undefined) continue;
    const v = (rows[i] as TargetRow)[idx] ?? null;
    if (v === null) continue; // a NULL FK references nothing
    // a known parent is present: one Set lookup, no slot (most rows of a --create-missing load)
    if (known !== null && typeof v !== 'object' && known.has(String(v))) continue;
    const k = mapKey(v);
    let s = slot.get(k);
    if (s === undefined) {
      s = tuples.length;
      slot.set(k, s);
      tuples.push([v]);
    }
    at[i] = s;
  }
  if (tuples.length === 0) return;
  const found = await writer.existingKeys(fk.targetTable, fk.targetColumns, tuples);
  if (found.size === tuples.length) return;
  const present = tuples.map((t) => found.has(keyString(t)));
  for (let i = 0; i < rows.length; i++) {
    const s = at[i] as number;
    if (s >= 0 && !present[s]) held[i] = { index: i, fk, parentKey: [(rows[i] as TargetRow)[idx] ?? null] };
  }
}

/** `knownKeys`: parent keys known present without asking (known-parents.ts), by parent table and columns */
export async function guardBatch(
  rows: TargetRow[],
  fks: readonly GuardedForeignKey[],
  writer: BatchWriter,
  knownKeys?: (table: string, columns: readonly string[]) => KnownKeys | null,
): Promise<GuardResult> {
  const heldAt: (HeldBack | undefined)[] = new Array<HeldBack | undefined>(rows.length);
  for (const fk of fks) {
    if (fk.indexes.length === 1 && !fk.translate && !fk.selfKeyIndexes) {
      await guardSingle(rows, fk, writer, heldAt, knownKeys?.(fk.targetTable, fk.targetColumns) ?? null);
      continue;
    }
    const original = new Map<number, Native[]>(); // parent key as the source row held it, for the ledger
    const candidates: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      if (heldAt[i] !== undefined) continue;
      const row = rows[i] as TargetRow;
      const values = fk.indexes.map((x) => row[x] ?? null);
      if (values.some((v) => v === null)) continue; // a NULL FK references nothing
      original.set(i, values);
      candidates.push(i);
    }
    if (candidates.length === 0) continue;

    if (fk.translate) {
      const idx = fk.indexes[0] as number;
      const distinct = [...new Map(candidates.map((i) => [stringOf((rows[i] as TargetRow)[idx] ?? null), (rows[i] as TargetRow)[idx] ?? null])).values()];
      const mapped = await fk.translate(distinct);
      for (const i of candidates) {
        const row = rows[i] as TargetRow;
        const to = mapped.get(stringOf(row[idx] ?? null));
        if (to === undefined || to === null) heldAt[i] = { index: i, fk, parentKey: original.get(i) ?? [] };
        else row[idx] = to;
      }
      if (fk.translationProvesParent) continue;
    }

    const open = candidates.filter((i) => heldAt[i] === undefined);
    const inBatch = new Set<string>();
    if (fk.selfKeyIndexes) {
      for (const row of rows) inBatch.add(keyString(fk.selfKeyIndexes.map((x) => row[x] ?? null)));
    }
    const tuples = new Map<string, Native[]>();
    for (const i of open) {
      const values = fk.indexes.map((x) => (rows[i] as TargetRow)[x] ?? null);
      const k = keyString(values);
      if (!inBatch.has(k)) tuples.set(k, values);
    }
    if (tuples.size === 0) continue;
    const found = await writer.existingKeys(fk.targetTable, fk.targetColumns, [...tuples.values()]);
    for (const i of open) {
      const k = keyString(fk.indexes.map((x) => (rows[i] as TargetRow)[x] ?? null));
      if (!inBatch.has(k) && !found.has(k)) heldAt[i] = { index: i, fk, parentKey: original.get(i) ?? [] };
    }
  }
  const pass: number[] = [];
  const held: HeldBack[] = [];
  for (let i = 0; i < rows.length; i++) {
    const h = heldAt[i];
    if (h === undefined) pass.push(i);
    else held.push(h);
  }
  return { pass, held };
}
