/**
 * Foreign keys of a table loaded whole (sqlite-table-load.ts) checked per batch instead of
 * per row: SQLite's own enforcement looks every row's parent up (and, for a multi-row
 * INSERT into a parent, scans its child tables), a third of the cost of a first load;
 * here each batch's distinct parent keys are looked up once, in chunks, with the same
 * comparison SQLite's check makes (the parent's unique index, its affinity), and a batch
 * with a missing parent is refused with SQLite's own error, so everything downstream
 * (the FK guard, the skip ledger) sees what SQLite would have said.
 *
 * Why this is exact: the lookups run inside the table's transaction, which holds the
 * file's write lock from the first row to the COMMIT, so no other connection can delete a
 * parent between the check and the commit. Only FKs SQLite would check the same way are
 * taken over: single-column, naming a parent column that has a UNIQUE index (or is the
 * primary key) with the BINARY collation, of the same affinity as the child column,
 * another table (not the table itself), not DEFERRABLE; any other FK on the table keeps
 * SQLite's enforcement for the whole table.
 *
 * A large child (once an FK has asked for thousands of parents) or a small parent has the
 * parent's keys read into memory instead (sqlite-parent-keys.ts), under the same lock: a
 * uuid or integer FK value is then answered there, a uuid still as its batch's bytes, and
 * only what those keys cannot answer for is decoded and looked up. Looked up one batch at
 * a time, a large parent's key index was read back from disk again and again (its pages
 * pushed out of the page cache by the child's own), a second of a scale-1 load.
 */
import type Database from 'better-sqlite3';
import { sqliteAffinity } from '../../mapping/types/sqlite-types.js';
import { quoteIdent } from '../../sql/quote.js';
import type { TablePlan } from '../run-plan.js';
import type { TargetRow } from './batch-io.js';
import { readParentKeys, type KeyAnswer, type ParentKeys } from './sqlite-parent-keys.js';
import { generatedColumns, rowidAlias } from './sqlite-table-traits.js';
import { pendingOf, resolvedValue } from './text-slices.js';
import { sqliteTableExists, sqliteTableSql } from '../../introspect/sqlite-catalog.js';

/** Distinct keys per lookup: short statements, prepared once (padded with repeats). */
const CHUNK = 128;
/**
 * Parent keys found, remembered per FK for the rest of the load (the write lock keeps
 * them there): a small parent table (products for order lines) is then looked up once.
 * Bounded, so a large one (orders) costs at most this much memory; once full, an FK
 * whose batches find few of their keys there (each order's lines come once) stops asking.
 */
const REMEMBERED = 20000;
/**
 * Once an FK has asked SQLite about this many distinct keys, the child is a large load:
 * its parent's keys are read into memory (sqlite-parent-keys.ts) and answer from then on,
 * unless the parent holds more than PARENT_KEYS_MAX rows (16 MB of uuids).
 */
const ASKED_BEFORE_READING_KEYS = 4096;
const PARENT_KEYS_MAX = 1_000_000;
/** a parent with at most this many rows has its keys read at once (a few ms) */
const SMALL_PARENT = 16384;

export interface ParentCheck {
  /** for the plan: the FKs checked per batch */
  describe: string;
  /** Throws SQLite's FOREIGN KEY error unless every non-NULL FK value of the rows (plan column order) has its parent. */
  check(rows: readonly TargetRow[]): void;
}

/** A string of its own: a value split out of a batch's text would keep the whole text alive. */
const detached = (v: unknown): unknown => (typeof v === 'string' ? (' ' + v).slice(1) : v);

function declaredTypes(db: Database.Database, table: string): Map<string, string> {
  const rows = db.prepare(`SELECT name, type FROM pragma_table_xinfo(?)`).all(table) as { name: string; type: string }[];
  return new Map(rows.map((r) => [r.name, r.type]));
}

/** Is `column` of `table` its rowid or covered alone by a UNIQUE index with the BINARY collation? */
function uniqueBinary(db: Database.Database, table: string, column: string): boolean {
  if (rowidAlias(db, table) === column) return true;
  const indexes = db.prepare(`SELECT name FROM pragma_index_list(?) WHERE "unique" = 1 AND partial = 0`).pluck().all(table) as string[];
  return indexes.some((name) => {
    const cols = db.prepare(`SELECT name, coll FROM pragma_index_xinfo(?) WHERE key = 1`).all(name) as { name: string | null; coll: string }[];
    return cols.length === 1 && cols[0]?.name === column && cols[0].coll.toUpperCase() === 'BINARY';
  });
}

/**
 * Text keys of a TEXT-affinity parent (uuids) go in as one JSON array per batch: one bind
 * and SQLite walking the array in C, instead of binding 128 values per lookup (each
 * through V8's UTF-8 conversion). 30% less CPU for 160k uuid lookups (160k orders, 16 MB
 * page cache, 1250 keys per batch: 300 against 220 ms). Exact as long as JSON gives back
 * the very text bound otherwise: it does for any well-formed string without NUL, which is
 * every text PostgreSQL can hold (UTF-8, no NUL); anything else (and, to keep the test
 * simple, any surrogate pair) takes the bound path.
 */
const JSON_SAFE = (v: unknown): v is string => typeof v === 'string' && !/[\u0000\uD800-\uDFFF]/.test(v);

const keyOf = (v: unknown): unknown => (Buffer.isBuffer(v) ? `x${v.toString('hex')}` : v);

function foreignKeyError(): Error {
  // what better-sqlite3 throws for SQLite's own refusal, so the writer treats it the same
  return Object.assign(new Error('FOREIGN KEY constraint failed'), { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
}

/** The per-batch check that can stand in for SQLite's enforcement on `plan`'s table, or null when some FK must stay SQLite's. */
export function sqliteParentCheck(db: Database.Database, plan: TablePlan): ParentCheck | null {
  const table = plan.sqliteTable;
  const sql = sqliteTableSql(db, table);
  if (/\bDEFERRABLE\b/i.test(sql)) return null;
  const fks = db.prepare(`SELECT id, seq, "table" AS parent, "from" AS col, "to" AS ref FROM pragma_foreign_key_list(?)`).all(table) as {
    id: number;
    seq: number;
    parent: string;
    col: string;
    ref: string | null;
  }[];
  if (fks.length === 0) return null;
  const ids = new Set(fks.map((f) => f.id));
  if (ids.size !== fks.length) return null; // a composite FK
  const childTypes = declaredTypes(db, table);
  const checks: {
    at: number;
    lookup: Database.Statement;
    byJson: Database.Statement | null;
    parent: string;
    ref: string;
    affinity: string;
    column: string;
    found: Set<unknown> | null;
    /** distinct keys asked of SQLite so far */
    asked: number;
    /** whether the parent was counted (small parents have their keys read at once) */
    sized: boolean;
    /** the parent's keys in memory; undefined until read, null when they are not */
    keys: ParentKeys | null | undefined;
  }[] = [];
  for (const f of fks) {
    const at = plan.columns.findIndex((c) => c.sqlite === f.col);
    if (f.ref === null || f.parent === table || at < 0) return null;
    if (!sqliteTableExists(db, f.parent) || !uniqueBinary(db, f.parent, f.ref)) return null;
    const parentType = declaredTypes(db, f.parent).get(f.ref);
    const childType = childTypes.get(f.col);
    if (parentType === undefined || childType === undefined || sqliteAffinity(parentType) !== sqliteAffinity(childType)) return null;
    const list = new Array<string>(CHUNK).fill('?').join(', ');
    const lookup = db.prepare(`SELECT count(*) FROM ${quoteIdent(f.parent)} WHERE ${quoteIdent(f.ref)} IN (${list})`).pluck();
    // the same comparison as IN: the parent column's TEXT affinity (a no-op on text) and its BINARY collation
    const byJson =
      sqliteAffinity(parentType) === 'TEXT'
        ? db.prepare(`SELECT count(*) FROM json_each(?) AS j WHERE EXISTS (SELECT 1 FROM ${quoteIdent(f.parent)} AS p WHERE p.${quoteIdent(f.ref)} = j.value)`).pluck()
        : null;
    checks.push({ at, lookup, byJson, parent: f.parent, ref: f.ref, affinity: sqliteAffinity(parentType), column: f.col, found: new Set(), asked: 0, sized: false, keys: undefined });
  }
  // a generated column or a trigger could write an FK column in ways these rows do not show
  const triggers = db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?`).pluck().get(table) as number;
  if (generatedColumns(db, table).size > 0 || Number(triggers) > 0) return null;

  const params = new Array<unknown>(CHUNK);
  // a parent this small has its keys read at the first batch: no lookups, and no decoding of the child's keys
  const small = (parent: string): boolean => Number(db.prepare(`SELECT count(*) FROM (SELECT 1 FROM ${quoteIdent(parent)} LIMIT ${SMALL_PARENT + 1})`).pluck().get()) <= SMALL_PARENT;
  return {
    describe: checks.map((c) => `${c.column} -> ${c.parent}.${c.ref}`).join(', '),
    check(rows) {
      for (const c of checks) {
        // only ever called inside the load's transaction: the write lock keeps the keys read as they are
        if (c.keys === undefined && (c.asked >= ASKED_BEFORE_READING_KEYS || !c.sized)) {
          const read = c.asked >= ASKED_BEFORE_READING_KEYS || small(c.parent);
          c.sized = true;
          if (read) c.keys = readParentKeys(db, c.parent, c.ref, c.affinity, PARENT_KEYS_MAX);
        }
        const keys = c.keys ?? null;
        const distinct = new Map<unknown, unknown>();
        const found = c.found;
        let previous: unknown = null;
        let known = 0;
        for (const row of rows) {
          let v = row[c.at];
          if (v === null || v === undefined) continue;
          // a value still bytes of its batch (text-slices.ts) is decoded only when the keys in memory cannot answer for it
          const pending = pendingOf(v);
          if (keys !== null) {
            let held: KeyAnswer;
            if (pending === null) {
              held = keys.has(v);
            } else {
              const t = pending.text;
              const at = t.at(pending.row, c.at);
              held = keys.hasUtf8(t.bytes, t.start(at), t.end(at));
            }
            if (held === 1) continue;
            if (held === 0) throw foreignKeyError();
          }
          if (pending !== null) v = row[c.at] = resolvedValue(row, c.at);
          // rows of one parent often come together (an order's lines): one Map lookup for the run
          if (v === previous) continue;
          previous = v;
          const k = typeof v === 'object' ? keyOf(v) : v;
          if (found?.has(k)) known++;
          else distinct.set(k, v);
        }
        const values = [...distinct.values()];
        c.asked += values.length;
        if (c.byJson !== null && values.length > 0 && values.every(JSON_SAFE)) {
          // distinct keys, so one row of json_each per key that has its parent
          if (Number(c.byJson.get(JSON.stringify(values))) !== values.length) throw foreignKeyError();
          values.length = 0;
        }
        for (let i = 0; i < values.length; i += CHUNK) {
          const n = Math.min(CHUNK, values.length - i);
          for (let k = 0; k < CHUNK; k++) params[k] = values[i + Math.min(k, n - 1)];
          // the parent column is unique: one row per distinct key that has its parent
          if (Number(c.lookup.get(...params)) !== n) throw foreignKeyError();
        }
        if (found === null || keys !== null) continue;
        if (found.size < REMEMBERED) for (const k of distinct.keys()) found.add(detached(k));
        else if (known < distinct.size) c.found = null;
      }
    },
  };
}
