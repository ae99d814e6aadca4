/**
 * When may a table `run --create-missing` creates get its primary key after its data?
 * When no two rows the load writes can become one key in PostgreSQL: nothing would stop
 * such a pair until the index build at the end, which would then fail the run, instead
 * of the second row going to the reject ledger with its reason (as it does with the key
 * in place: COPY fails with 23505 and the batch's rows are isolated).
 *
 * Rows a first load writes are distinct in SQLite: the table has a PRIMARY KEY or UNIQUE
 * constraint on (a subset of) the key's columns, and distinct under any collation means
 * distinct as values (a collation only ever makes more values equal: NOCASE, RTRIM). So
 * the question is whether a key's conversion is one-to-one on the values it lets through:
 * - integer columns (INTEGER affinity keeps their values integers; any other text, or a
 *   fraction, is refused by the codec, not converted): always, each its own digits;
 * - uuid columns (PostgreSQL uuid from SQLite TEXT): the codec takes a dashed uuid in
 *   either case, 32 hex digits and a 16-byte BLOB, so 'ABC…' and 'abc…' are one uuid. Two
 *   different texts in canonical form (lowercase, dashed) are two uuids, and a value in
 *   canonical form cannot equal one in another form unless that one is written too (the
 *   reader rejects such a pair's other spellings first, io/sqlite-source-checks.ts; two
 *   mixed-case spellings it does not look for are still met here);
 * - text and varchar(n) columns (from SQLite TEXT/VARCHAR, into a PostgreSQL UTF8 or
 *   SQL_ASCII database, whose default collation is deterministic: equal means the same
 *   bytes): a JS string is sent as its UTF-8, one-to-one, provided better-sqlite3 read it
 *   from valid UTF-8 (a SQLite file in UTF-8: invalid bytes are read as U+FFFD, so two
 *   different byte strings can read alike) and it is a string at all (a BLOB or a number
 *   in the column is converted to text too, and could equal a text), and it is no longer
 *   than n (PostgreSQL cuts excess trailing spaces off silently). char(n) is not: its
 *   padding makes 'a' and 'a ' one key.
 * For uuid and text keys the load therefore checks each batch's key values before it is
 * written (copy-batch.ts, on the reader thread where there is one, or table-sync.ts): while
 * every value written so far has the one-to-one form, no two rows can collide and the key
 * can wait; the first batch holding a value that has not (an upper-case uuid, a U+FFFD, a
 * BLOB) gets the key built before it is written, and from then on PostgreSQL checks every
 * row, so a collision is a rejected row as before. A NULL key value is not written either:
 * the key columns are NOT NULL from the CREATE TABLE on, so COPY refuses the row.
 */
import type { Column, Table } from '../../model/schema.js';
import type { SourceRow } from '../io/batch-io.js';
import { dashedUuid } from '../values/sqlite-to-pg.js';
import { textLengthLimit } from '../values/sqlite-to-pg-text.js';

/** How one key column's values are checked before a batch is written while its table's key is not built yet. */
export interface KeyValueCheck {
  /** the column's position in a source row */
  index: number;
  /** 'uuid': canonical lowercase dashed text; 'text': a string without U+FFFD of at most `limit` UTF-16 units; 'never': no value passes */
  kind: 'uuid' | 'text' | 'never';
  limit: number | null;
}

/** How the plan says when a checked key (keyAfterData 'checked') is built, after "after the data". */
export const CHECKED_KEY_TIMING =
  'unless a batch holds a key value that could equal another once converted (a uuid not in lowercase, a text read from invalid UTF-8): then before that batch';

const INTEGER_KINDS: ReadonlySet<Column['type']['kind']> = new Set(['smallint', 'integer', 'bigint']);
/** key kinds whose values are checked batch by batch (see above) */
const CHECKED_KINDS: ReadonlySet<Column['type']['kind']> = new Set(['uuid', 'text', 'varchar']);

/**
 * Is `sqlite`'s key (its SQLite columns `keyColumns`) built after the data? 'always' for
 * integer columns, 'checked' when uuid or text columns are among them (the load checks
 * their values), 'no' otherwise. `textOneToOne`: the SQLite file is UTF-8 and the target
 * database UTF8 or SQL_ASCII (text keys need both).
 */
export function keyAfterData(sqlite: Table, keyColumns: readonly string[], textOneToOne: boolean): 'always' | 'checked' | 'no' {
  if (keyColumns.length === 0 || !uniqueInSqlite(sqlite, keyColumns)) return 'no';
  let checked = false;
  for (const name of keyColumns) {
    const col = sqlite.columns.find((c) => c.name === name);
    if (!col || col.type.array) return 'no';
    if (INTEGER_KINDS.has(col.type.kind)) continue;
    if (!CHECKED_KINDS.has(col.type.kind) || (col.type.kind !== 'uuid' && !textOneToOne)) return 'no';
    checked = true;
  }
  return checked ? 'checked' : 'always';
}

/** SQLite keeps the rows apart on these columns: its primary key, a UNIQUE constraint or a plain unique index on some of them. */
function uniqueInSqlite(sqlite: Table, keyColumns: readonly string[]): boolean {
  const within = (cols: readonly string[]): boolean => cols.length > 0 && cols.every((c) => keyColumns.includes(c));
  return (
    (sqlite.primaryKey !== null && within(sqlite.primaryKey)) ||
    sqlite.uniques.some(within) ||
    sqlite.indexes.some((ix) => ix.unique && !ix.partial && ix.expressions.length === 0 && within(ix.columns))
  );
}

/**
 * The checks a created table's load makes on each batch before its key is built: one per
 * key column that is not an integer (`pgTypes`: each key column's PostgreSQL type, as the
 * plan has it; `indexes`: its position in a source row). Empty: nothing to check.
 */
export function keyValueChecks(pgTypes: readonly Column['type'][], indexes: readonly number[]): KeyValueCheck[] {
  const checks: KeyValueCheck[] = [];
  pgTypes.forEach((t, i) => {
    const index = indexes[i] ?? -1;
    if (INTEGER_KINDS.has(t.kind) && !t.array && index >= 0) return;
    const kind = index < 0 || t.array ? 'never' : t.kind === 'uuid' ? 'uuid' : t.kind === 'text' || t.kind === 'varchar' ? 'text' : 'never';
    checks.push({ index, kind, limit: textLengthLimit(t) ?? null }); // char(n) is 'never': only varchar(n) has one here
  });
  return checks;
}

/** Does every row's key hold only values whose conversion is one-to-one (see above)? */
export function keysOneToOne(rows: readonly SourceRow[], checks: readonly KeyValueCheck[]): boolean {
  for (const check of checks) {
    const { index, kind, limit } = check;
    if (kind === 'never') return rows.length === 0;
    for (let r = 0; r < rows.length; r++) {
      const v = (rows[r] as SourceRow)[index];
      if (v === null || v === undefined) continue; // refused by the NOT NULL: never written
      if (typeof v !== 'string') return false;
      if (kind === 'uuid' ? !dashedUuid(v, true) : (limit !== null && v.length > limit) || v.includes('\uFFFD')) return false;
    }
  }
  return true;
}
