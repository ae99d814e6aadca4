/**
 * A batch of PostgreSQL text rows as one string and a NULL map, for handing rows between
 * threads: structured-cloning an array of arrays costs one object per value on both
 * sides, one string costs a copy, and splitting it again is a single native call.
 * PostgreSQL text never holds a NUL character (text types refuse it; bytea comes as hex),
 * so NUL separates the values.
 */
import type { SourceRow } from './batch-io.js';

export interface PackedRows {
  count: number;
  width: number;
  text: string;
  /** 1 where the value is NULL, row-major */
  nulls: Uint8Array;
}

const SEP = '\u0000';

export function packRows(rows: readonly (string | null)[][]): PackedRows {
  const count = rows.length;
  const width = rows[0]?.length ?? 0;
  const nulls = new Uint8Array(count * width);
  const parts: string[] = new Array<string>(count * width);
  let k = 0;
  for (const row of rows) {
    for (let j = 0; j < width; j++, k++) {
      const v = row[j] ?? null;
      if (v === null) {
        nulls[k] = 1;
        parts[k] = '';
      } else {
        parts[k] = v;
      }
    }
  }
  return { count, width, text: parts.join(SEP), nulls };
}

export function unpackRows(packed: PackedRows): SourceRow[] {
  const { count, width, nulls } = packed;
  if (count === 0 || width === 0) return Array.from({ length: count }, () => []);
  const values = packed.text.split(SEP);
  const rows: SourceRow[] = new Array<SourceRow>(count);
  let k = 0;
  for (let i = 0; i < count; i++) {
    const row: SourceRow = new Array<string | null>(width);
    for (let j = 0; j < width; j++, k++) row[j] = nulls[k] === 1 ? null : (values[k] as string);
    rows[i] = row;
  }
  return rows;
}
