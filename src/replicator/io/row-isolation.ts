/**
 * Finding the rows a database refused without losing the batch: the caller's `attempt`
 * writes some rows under a savepoint and, if their data was refused, rolls back to it and
 * says why. The batch is split until each refusing row stands alone; every other row ends
 * up written. Where the database named the failing row (COPY says "line 3") that row is
 * taken out at once instead of halving.
 *
 * A row refused because its parent is missing may only have been ahead of its parent (a
 * self-reference, or a half that was written before the half holding the parent), so such
 * rows get further tries while the tries still land rows.
 */
import type { RowRejection, TargetRow } from './batch-io.js';

export interface RowFailure {
  /** the database's error code (SQLSTATE, SQLite extended code) */
  code: string | null;
  reason: string;
  column: string | null;
  /** 0-based position, among the attempted rows, of the row that failed, when the database said */
  row: number | null;
}

export type Attempt = (rows: readonly TargetRow[]) => Promise<RowFailure | null>;

/** Writes `rows` through `attempt`; returns the rows refused (indexes into `rows`), in order. */
export async function isolateRows(rows: readonly TargetRow[], attempt: Attempt, retryAfterOthers: (code: string) => boolean, known?: RowFailure): Promise<RowRejection[]> {
  // `known`: the caller already attempted the whole batch and it failed so
  const first = known ?? (await attempt(rows));
  if (!first) return [];
  const rejected = new Map<number, RowRejection>();
  const reject = (index: number, f: RowFailure): void => {
    rejected.set(index, { index, column: f.column, reason: f.reason, code: f.code });
  };
  const tryPart = async (part: number[]): Promise<void> => {
    if (part.length === 0) return;
    const f = await attempt(part.map((i) => rows[i] as TargetRow));
    if (f) await isolate(part, f);
  };
  const isolate = async (indexes: number[], f: RowFailure): Promise<void> => {
    if (indexes.length === 1) return reject(indexes[0] as number, f);
    if (f.row !== null && f.row >= 0 && f.row < indexes.length) {
      reject(indexes[f.row] as number, f);
      await tryPart(indexes.slice(0, f.row));
      await tryPart(indexes.slice(f.row + 1));
      return;
    }
    const mid = indexes.length >> 1;
    await tryPart(indexes.slice(0, mid));
    await tryPart(indexes.slice(mid));
  };
  await isolate(
    rows.map((_, i) => i),
    first,
  );

  let landed = rows.length - rejected.size;
  while (landed > 0) {
    const waiting = [...rejected.values()].filter((r) => r.code !== null && retryAfterOthers(r.code)).map((r) => r.index);
    if (waiting.length === 0) break;
    for (const i of waiting) rejected.delete(i);
    await tryPart(waiting);
    landed = waiting.filter((i) => !rejected.has(i)).length;
  }
  return [...rejected.values()].sort((a, b) => a.index - b.index);
}
