/**
 * Source rows a reader found unstorable as read, before any codec sees them: a codec sees
 * one value as it was read, and these problems need the source itself (the stored bytes
 * of a text, the other spellings of a uuid key; sqlite-source-checks.ts). The reader
 * notes them here and the converters (engine/row-converter.ts, engine/copy-batch.ts)
 * reject such a row with its reason, as they do a value a codec refuses. Rows are read
 * and converted on the same thread (the SQLite reader thread converts its own batches).
 */
import type { SourceRow } from './batch-io.js';

export interface RowProblem {
  /** the target column the problem is in, as a reject names it */
  column: string;
  reason: string;
}

const problems = new WeakMap<SourceRow, RowProblem>();
/** no row noted yet on this thread: the converters skip the lookup for every row */
let none = true;

/** The first problem noted for a row is the one its reject names. */
export function noteRowProblem(row: SourceRow, problem: RowProblem): void {
  if (problems.has(row)) return;
  problems.set(row, problem);
  none = false;
}

export function rowProblem(row: SourceRow): RowProblem | undefined {
  return none ? undefined : problems.get(row);
}
