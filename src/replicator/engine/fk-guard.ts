/**
 * The FK guard: before a batch is written, every row's parents must exist in the target
 * (one set-based lookup per FK per batch) or arrive in the same batch. A row whose parent
 * is missing is held back for the skip ledger, with the exact parent key, instead of
 * failing the batch or being dropped. DESIGN.md: "Missing parents are deferred, not dropped".
 *
 * Where SQLite keys rows by its own local key (seed 002's local_id/server_id), FK values
 * differ per side and are translated through the parent's key columns first.
 */
import { keyString, type BatchWriter, type TargetRow } from '../io/batch-io.js';
import type { PgText, SqliteValue } from '../values/codec.js';

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

export async function guardBatch(rows: TargetRow[], fks: readonly GuardedForeignKey[], writer: BatchWriter): Promise<GuardResult> {
  const heldAt = new Map<number, HeldBack>();
  for (const fk of fks) {
    const original = new Map<number, Native[]>(); // parent key as the source row held it, for the ledger
    const candidates: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      if (heldAt.has(i)) continue;
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
        if (to === undefined || to === null) heldAt.set(i, { index: i, fk, parentKey: original.get(i) ?? [] });
        else row[idx] = to;
      }
      if (fk.translationProvesParent) continue;
    }

    const open = candidates.filter((i) => !heldAt.has(i));
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
      if (!inBatch.has(k) && !found.has(k)) heldAt.set(i, { index: i, fk, parentKey: original.get(i) ?? [] });
    }
  }
  const pass: number[] = [];
  for (let i = 0; i < rows.length; i++) if (!heldAt.has(i)) pass.push(i);
  return { pass, held: [...heldAt.values()].sort((a, b) => a.index - b.index) };
}
