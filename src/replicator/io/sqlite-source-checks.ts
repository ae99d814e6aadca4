/**
 * What a SQLite reader checks in each batch it reads, before the rows are converted, where
 * a codec, which sees one value as better-sqlite3 handed it over, cannot tell (row-problems.ts):
 *
 * - Text stored as invalid UTF-8. better-sqlite3 makes a JS string of SQLite's bytes with
 *   V8's NewFromUtf8, which puts U+FFFD in place of bytes that are not UTF-8, so PostgreSQL
 *   would get other bytes than SQLite holds. A string with U+FFFD in it has its stored bytes
 *   read again by the row's key and checked (isUtf8); a U+FFFD SQLite really holds passes.
 *   A key cannot be read again that way: a text key with U+FFFD in it is looked up by the
 *   key read, and a row no row of the table answers holds other bytes than were read (one
 *   whose bytes read as the very text another row's key holds is not told apart from it).
 * - A uuid key spelled otherwise than PostgreSQL writes it (upper case, 32 digits, a 16-byte
 *   BLOB) while another row of the table holds another spelling of the same uuid: in
 *   PostgreSQL both are one key, and an upsert would merge the rows silently. Which row is
 *   written depends on the table alone, never on the order rows are read in, so a first
 *   load, an incremental run and a ledger retry agree: the canonical spelling (lowercase,
 *   dashed), else the first of upper-case dashed, 32 lowercase digits, 32 upper-case
 *   digits, a BLOB. The others are rejected, each naming the spelling that is written.
 */
import { isUtf8 } from 'node:buffer';
import type Database from 'better-sqlite3';
import { quoteIdent } from '../../sql/quote.js';
import type { PlannedColumn, TablePlan } from '../run-plan.js';
import type { PgText, SqliteValue } from '../values/codec.js';
import { dashedUuid, plainCopyText } from '../values/sqlite-to-pg.js';
import { showValue, typeLabel } from '../values/reason-text.js';
import type { SourceRow } from './batch-io.js';
import type { ReadFilter } from './keyset-plan.js';
import { noteRowProblem } from './row-problems.js';
import { encodeKeyTuples, keyInJsonSql } from './sqlite-key-json.js';

type Native = PgText | SqliteValue;

/** Notes the problems of a batch's rows (row-problems.ts). */
export type SourceCheck = (rows: readonly SourceRow[]) => void;

const HEX_SHOWN = 24;

function notUtf8Reason(bytes: Buffer, read: string, col: PlannedColumn): string {
  const hex = bytes.subarray(0, HEX_SHOWN).toString('hex') + (bytes.length > HEX_SHOWN ? '…' : '');
  return `text is not valid UTF-8 (x'${hex}', ${bytes.length} bytes) in ${typeLabel(col.pgType)} column ${col.pg}: it reads as ${showValue(read)}, U+FFFD in place of the bytes that are not`;
}

/** A key's stored bytes cannot be fetched by the key read, so the reason shows the text only. */
function keyNotUtf8Reason(read: string, col: PlannedColumn, table: TablePlan): string {
  return `key text is not valid UTF-8 in ${typeLabel(col.pgType)} column ${col.pg}: it reads as ${showValue(read)}, U+FFFD in place of the bytes that are not, and no row of ${table.sqliteTable} holds that text`;
}

const COMPACT_UUID = /^[0-9a-fA-F]{32}$/;
/** a regular expression: about a sixth of dashedUuid's time per key, which every row of a uuid-keyed table pays */
const UPPER_HEX = /[A-F]/;

/** The 32 lowercase hex digits of a value the uuid codec takes (dashed or 32 digits in any case, a 16-byte BLOB); null for any other. */
function uuidHex(v: Native): string | null {
  if (Buffer.isBuffer(v)) return v.length === 16 ? v.toString('hex') : null;
  if (typeof v !== 'string') return null;
  if (dashedUuid(v)) return (v.slice(0, 8) + v.slice(9, 13) + v.slice(14, 18) + v.slice(19, 23) + v.slice(24)).toLowerCase();
  return COMPACT_UUID.test(v) ? v.toLowerCase() : null;
}

const dashed = (hex: string): string => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

/** The spellings of one uuid that are looked for, in the order of preference. */
function spellings(hex: string): Native[] {
  const d = dashed(hex);
  return [d, d.toUpperCase(), hex, hex.toUpperCase(), Buffer.from(hex, 'hex')];
}

/** A spelling's place in that order (5: mixed case, after them all). */
function spellingRank(v: Native): number {
  if (Buffer.isBuffer(v)) return 4;
  if (typeof v !== 'string') return 6;
  if (v.length === 36) return dashedUuid(v, true) ? 0 : v === v.toUpperCase() ? 1 : 5;
  return v === v.toLowerCase() ? 2 : v === v.toUpperCase() ? 3 : 5;
}

/** Every tuple with each uuid position replaced by each of its spellings. */
function product(choices: readonly Native[][]): Native[][] {
  let out: Native[][] = [[]];
  for (const c of choices) out = out.flatMap((t) => c.map((v) => [...t, v]));
  return out;
}

/** Suspects per query: a key of one uuid column makes five lookups each. */
const PROBE_ROWS = 1000;

interface KeySpelling {
  tuple: Native[];
  /** the tuple as encodeKeyTuples writes it: equal texts, equal keys */
  text: string;
  /** per uuid column, spellingRank */
  ranks: number[];
}

function spellingOf(tuple: Native[], uuidPositions: readonly number[]): KeySpelling {
  return { tuple, text: encodeKeyTuples([tuple]), ranks: uuidPositions.map((p) => spellingRank(tuple[p] ?? null)) };
}

/** Is `a` preferred to `b`: lower ranks, column by column; the encoded text breaks a tie. */
function preferred(a: KeySpelling, b: KeySpelling): boolean {
  for (let i = 0; i < a.ranks.length; i++) if (a.ranks[i] !== b.ranks[i]) return (a.ranks[i] as number) < (b.ranks[i] as number);
  return a.text < b.text;
}

/** The uuid check of a table's key; null where its key has no uuid column. */
function uuidKeyCheck(db: Database.Database, table: TablePlan, keyColumns: readonly string[], keyIndexes: readonly number[], filter: ReadFilter | null): SourceCheck | null {
  if (table.keyTranslation) return null;
  const uuidPositions = keyIndexes.flatMap((i, p) => (table.columns[i]?.pgType.kind === 'uuid' && !table.columns[i]?.pgType.array ? [p] : []));
  if (uuidPositions.length === 0) return null;
  const uuidIndexes = uuidPositions.map((p) => keyIndexes[p] as number);
  let lookup: Database.Statement | null = null;
  /** the tuple with its uuids as hex: two spellings of one key give the same identity */
  const identity = (tuple: readonly Native[]): string => encodeKeyTuples([tuple.map((v, p) => (uuidPositions.includes(p) ? (uuidHex(v) ?? v) : v))]);

  const probe = (suspects: { row: SourceRow; own: KeySpelling }[]): void => {
    lookup ??= db
      .prepare(`SELECT ${keyColumns.map(quoteIdent).join(', ')} FROM ${quoteIdent(table.sqliteTable)} WHERE ${keyInJsonSql(keyColumns, null)}${filter ? ` AND ${filter.render(() => '?')}` : ''}`)
      .raw(true)
      .safeIntegers(true);
    const probes = suspects.flatMap(({ own }) =>
      product(
        own.tuple.map((v, p) => {
          const hex = uuidPositions.includes(p) ? uuidHex(v) : null;
          return hex === null ? [v] : spellings(hex);
        }),
      ),
    );
    const held = new Map<string, KeySpelling[]>();
    for (const tuple of lookup.all(encodeKeyTuples(probes), ...(filter?.values ?? [])) as Native[][]) {
      const id = identity(tuple);
      held.set(id, [...(held.get(id) ?? []), spellingOf(tuple, uuidPositions)]);
    }
    for (const { row, own } of suspects) {
      let best: KeySpelling | null = null;
      for (const other of held.get(identity(own.tuple)) ?? []) if (other.text !== own.text && preferred(other, best ?? own)) best = other;
      if (best === null) continue;
      const p = uuidPositions.find((q) => encodeKeyTuples([[own.tuple[q] ?? null]]) !== encodeKeyTuples([[best.tuple[q] ?? null]])) ?? (uuidPositions[0] as number);
      const col = table.columns[keyIndexes[p] as number] as PlannedColumn;
      const mine = own.tuple[p] ?? null;
      const kept = best.tuple[p] ?? null;
      noteRowProblem(row, {
        column: col.pg,
        reason: `uuid key ${showValue(mine)} is another spelling of ${showValue(kept)}, which another row of ${table.sqliteTable} holds: PostgreSQL stores both as uuid ${dashed(uuidHex(mine) as string)}, one row, so only the row keyed ${showValue(kept)} is written`,
      });
    }
  };

  return (rows) => {
    let suspects: { row: SourceRow; own: KeySpelling }[] | null = null;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as SourceRow;
      let suspect = false;
      for (let u = 0; u < uuidIndexes.length; u++) {
        const v = row[uuidIndexes[u] as number] ?? null;
        // the common case, PostgreSQL's own spelling (or no uuid at all): 36 characters, no upper-case hex digit
        if (typeof v === 'string' && v.length === 36 && !UPPER_HEX.test(v)) continue;
        suspect = uuidHex(v) !== null;
        if (!suspect) break; // no uuid at all: the codec refuses the row
      }
      if (!suspect) continue;
      (suspects ??= []).push({ row, own: spellingOf(keyIndexes.map((i) => row[i] ?? null), uuidPositions) });
      if (suspects.length === PROBE_ROWS) {
        probe(suspects);
        suspects = [];
      }
    }
    if (suspects !== null && suspects.length > 0) probe(suspects);
  };
}

/** The text check of a table's columns whose text a codec keeps as characters; null where there are none, or the file is not UTF-8. */
function utf8Check(db: Database.Database, table: TablePlan, keyColumns: readonly string[], keyIndexes: readonly number[]): SourceCheck | null {
  const encoding = db.pragma('encoding', { simple: true });
  if (encoding !== 'UTF-8') return null;
  // columns parsed into numbers, dates or uuids refuse a U+FFFD themselves, with their own reason
  const textIndexes = table.columns.flatMap((c, i) => (!plainCopyText(c) && !keyIndexes.includes(i) ? [i] : []));
  const keyTextIndexes = keyIndexes.filter((i) => !plainCopyText(table.columns[i] as PlannedColumn));
  if (textIndexes.length === 0 && keyTextIndexes.length === 0) return null;
  const tupleOf = (row: SourceRow): string => encodeKeyTuples([keyIndexes.map((k) => row[k] ?? null)]);
  let keyLookup: Database.Statement | null = null;
  const keyHeld = (row: SourceRow): boolean => {
    keyLookup ??= db.prepare(`SELECT 1 FROM ${quoteIdent(table.sqliteTable)} WHERE ${keyInJsonSql(keyColumns, null)}`).pluck(true);
    return keyLookup.get(tupleOf(row)) !== undefined;
  };
  const bytesOf = new Map<number, Database.Statement>();
  const storedBytes = (row: SourceRow, i: number): unknown => {
    let stmt = bytesOf.get(i);
    if (!stmt) {
      const col = table.columns[i] as PlannedColumn;
      stmt = db.prepare(`SELECT CAST(${quoteIdent(col.sqlite)} AS BLOB) FROM ${quoteIdent(table.sqliteTable)} WHERE ${keyInJsonSql(keyColumns, null)}`).pluck(true);
      bytesOf.set(i, stmt);
    }
    return stmt.get(tupleOf(row));
  };
  return (rows) => {
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as SourceRow;
      const badKey = keyTextIndexes.find((i) => {
        const v = row[i];
        return typeof v === 'string' && v.includes('\uFFFD');
      });
      if (badKey !== undefined && !keyHeld(row)) {
        // nor can its other texts be read again by that key: the key is the row's reason
        noteRowProblem(row, { column: (table.columns[badKey] as PlannedColumn).pg, reason: keyNotUtf8Reason(row[badKey] as string, table.columns[badKey] as PlannedColumn, table) });
        continue;
      }
      for (let t = 0; t < textIndexes.length; t++) {
        const i = textIndexes[t] as number;
        const v = row[i];
        // answered at once for a one-byte string (V8 knows it cannot hold U+FFFD), a scan otherwise
        if (typeof v !== 'string' || !v.includes('\uFFFD')) continue;
        const bytes = storedBytes(row, i);
        if (Buffer.isBuffer(bytes) && !isUtf8(bytes)) noteRowProblem(row, { column: (table.columns[i] as PlannedColumn).pg, reason: notUtf8Reason(bytes, v, table.columns[i] as PlannedColumn) });
      }
    }
  };
}

/**
 * The checks for reads of `table` keyed by `keyColumns` (SQLite names, among the columns
 * read); null where there is nothing to check. `filter`: the read's row filter (a row it
 * leaves out is never written, so it holds no key that could merge with another).
 */
export function sqliteSourceChecks(db: Database.Database, table: TablePlan, keyColumns: readonly string[], filter: ReadFilter | null): SourceCheck | null {
  const keyIndexes = keyColumns.map((k) => table.columns.findIndex((c) => c.sqlite === k));
  if (keyIndexes.length === 0 || keyIndexes.some((i) => i < 0)) return null;
  const checks = [utf8Check(db, table, keyColumns, keyIndexes), uuidKeyCheck(db, table, keyColumns, keyIndexes, filter)].filter((c): c is SourceCheck => c !== null);
  if (checks.length === 0) return null;
  if (checks.length === 1) return checks[0] as SourceCheck;
  return (rows) => {
    for (const check of checks) check(rows);
  };
}
