/**
 * Converts a source row into a target row column by column with the codecs the plan
 * names, and says which column made a row unstorable.
 */
import type { SourceRow, TargetRow } from '../io/batch-io.js';
import { rowProblem } from '../io/row-problems.js';
import type { PlannedColumn, TablePlan } from '../run-plan.js';
import { Rejected, type PgText, type SqliteValue } from '../values/codec.js';

type Native = PgText | SqliteValue;
export type AnyCodec = (value: Native) => Native | Rejected;

export type Converted = { row: TargetRow } | { column: string; reason: string };

export interface RowConverter {
  convert(row: SourceRow): Converted;
}

export function createRowConverter(
  table: TablePlan,
  codecFor: (col: PlannedColumn) => AnyCodec,
  targetName: (col: PlannedColumn) => string,
  /** columns written NULL (a cycle's deferred FK columns in the first pass) */
  nullColumns: ReadonlySet<string> = new Set(),
): RowConverter {
  const codecs: AnyCodec[] = table.columns.map((col) => (nullColumns.has(col.pg) ? () => null : codecFor(col)));
  const names = table.columns.map(targetName);
  const width = codecs.length;
  return {
    convert(row) {
      const problem = rowProblem(row);
      if (problem) return problem;
      const out: TargetRow = new Array<Native>(width);
      for (let i = 0; i < width; i++) {
        const v = (codecs[i] as AnyCodec)(row[i] ?? null);
        if (v instanceof Rejected) return { column: names[i] ?? '?', reason: v.reason };
        out[i] = v;
      }
      return { row: out };
    },
  };
}
