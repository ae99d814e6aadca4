/**
 * A parent column's keys read once into memory, sorted, for the per-batch FK check of a
 * first load (sqlite-parent-check.ts): order lines asking for their orders one lookup at a
 * time read most of the orders' key index back from disk again and again, since the lines'
 * own new pages push it out of the page cache (about 280,000 reads and a second of a
 * scale-1 pg-to-sqlite run, bench case c). Read here in index order, the keys take 16 bytes
 * each (a uuid) or 8 (an integer), and a binary search answers.
 *
 * Exact by construction: only keys whose equality is plain are held (canonical lowercase
 * uuid texts in a TEXT column, whose text and 128 bits are one to one; integers in an
 * INTEGER column), and only child values of that same kind are answered here. Any other
 * value (upper-case or braced text, a number in a TEXT column, text in an INTEGER column,
 * an integer past 2^53) is left to SQLite's lookup, and no held key can equal it. A key the
 * set skipped (a blob, a REAL, a non-canonical text) can never equal a value it answers.
 * The set is read inside the child's transaction, which holds the file's write lock, so no
 * other connection can change the parent's keys while it is used.
 */
import type Database from 'better-sqlite3';
import { quoteIdent } from '../../sql/quote.js';
import { uuidWords, uuidWordsUtf8 } from '../engine/uuid-key-set.js';

/** 1: the key is there; 0: it is not; -1: not a value this set answers for (ask SQLite). */
export type KeyAnswer = 1 | 0 | -1;

export interface ParentKeys {
  has(v: unknown): KeyAnswer;
  /** the same for a TEXT value given as its UTF-8 bytes `bytes[start..end)` */
  hasUtf8(bytes: Uint8Array, start: number, end: number): KeyAnswer;
}

/** the first 16 bits of a uuid: 256 KB of starts */
const PREFIXES = 65536;

/** keys read per statement: bounded memory for the strings on the way in */
const READ_CHUNK = 8192;

/** the integers a JS number holds exactly, as BigInts made once (not per value) */
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);

/**
 * 4 words per uuid, ascending, and where each value of the first 16 bits starts: random
 * uuids spread evenly, so a lookup searches a handful of keys instead of halving its way
 * through megabytes (a cache miss per step).
 */
class UuidKeys implements ParentKeys {
  private readonly w = new Uint32Array(4);
  private readonly starts = new Uint32Array(PREFIXES + 1);

  constructor(
    private readonly keys: Uint32Array,
    n: number,
  ) {
    const starts = this.starts;
    for (let i = 0; i < n; i++) (starts[((keys[i * 4] as number) >>> 16) + 1] as number)++;
    for (let p = 1; p <= PREFIXES; p++) starts[p] = (starts[p] as number) + (starts[p - 1] as number);
  }

  has(v: unknown): KeyAnswer {
    return typeof v === 'string' && uuidWords(v, this.w) ? this.search() : -1;
  }

  hasUtf8(bytes: Uint8Array, start: number, end: number): KeyAnswer {
    return end - start === 36 && uuidWordsUtf8(bytes, start, this.w) ? this.search() : -1;
  }

  /** the uuid in this.w */
  private search(): 0 | 1 {
    const w = this.w;
    const keys = this.keys;
    const prefix = (w[0] as number) >>> 16;
    let lo = this.starts[prefix] as number;
    let hi = (this.starts[prefix + 1] as number) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareAt(keys, mid * 4, w);
      if (c === 0) return 1;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }
}

/** the key at `at` against `w`: negative when it sorts first */
function compareAt(keys: Uint32Array, at: number, w: Uint32Array): number {
  for (let i = 0; i < 4; i++) {
    const d = (keys[at + i] as number) - (w[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** safe integers, ascending */
class IntegerKeys implements ParentKeys {
  constructor(
    private readonly keys: Float64Array,
    private readonly n: number,
  ) {}

  /** text in an INTEGER column: SQLite answers */
  hasUtf8(): KeyAnswer {
    return -1;
  }

  has(v: unknown): KeyAnswer {
    let x: number;
    if (typeof v === 'bigint') {
      if (v > SAFE_MAX || v < SAFE_MIN) return -1;
      x = Number(v);
    } else if (typeof v === 'number' && Number.isSafeInteger(v)) {
      x = v;
    } else {
      return -1;
    }
    const keys = this.keys;
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid] as number;
      if (k === x) return 1;
      if (k < x) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }
}

/**
 * The keys of `table`.`column` (a column with a UNIQUE index and the BINARY collation, of
 * `affinity` TEXT or INTEGER), or null when it holds more than `maxKeys` rows or has
 * another affinity. Call inside the transaction that writes the child.
 */
export function readParentKeys(db: Database.Database, table: string, column: string, affinity: string, maxKeys: number): ParentKeys | null {
  if (affinity !== 'TEXT' && affinity !== 'INTEGER') return null;
  const t = quoteIdent(table);
  const c = quoteIdent(column);
  // the count goes through the smallest index; past the budget the set is not read at all
  const rows = Number(db.prepare(`SELECT count(*) FROM ${t}`).pluck().get());
  if (rows > maxKeys) return null;
  // ORDER BY the unique column walks its index; NULLs never match and are left out
  const next = db.prepare(`SELECT ${c} FROM ${t} WHERE ${c} > ? ORDER BY ${c} LIMIT ${READ_CHUNK}`).pluck().safeIntegers(true);
  return affinity === 'TEXT' ? readUuids(next, rows) : readIntegers(next, rows);
}

/** The column's values in index order after `start`, one read at a time (keyset: each read starts after the last value of the one before). */
function* chunksAfter(next: Database.Statement, start: unknown): Generator<unknown[]> {
  for (let after = start; ; ) {
    const chunk = next.all(after) as unknown[];
    yield chunk;
    if (chunk.length < READ_CHUNK) return;
    after = chunk[chunk.length - 1];
  }
}

/** Text sorts after every number and blobs after every text, so a TEXT column's texts are a run from the first '' upward. */
function readUuids(next: Database.Statement, rows: number): ParentKeys | null {
  const keys = new Uint32Array(Math.max(1, rows) * 4);
  const w = new Uint32Array(4);
  let n = 0;
  // '' itself is not a uuid: starting strictly after it loses nothing
  read: for (const chunk of chunksAfter(next, '')) {
    for (const v of chunk) {
      if (typeof v !== 'string') break read; // blobs from here on
      if (!uuidWords(v, w)) continue;
      if (n > 0 && compareAt(keys, (n - 1) * 4, w) >= 0) return null; // not in the order expected: SQLite answers instead
      if (n === rows) return null; // rows appeared since the count (cannot under the lock)
      keys.set(w, n * 4);
      n++;
    }
  }
  return new UuidKeys(keys, n);
}

/** Integers (BigInt here) and REALs sort together before any text; only safe integers are kept. */
function readIntegers(next: Database.Statement, rows: number): ParentKeys | null {
  const keys = new Float64Array(Math.max(1, rows));
  let n = 0;
  read: for (const chunk of chunksAfter(next, -Infinity)) {
    for (const v of chunk) {
      if (typeof v !== 'bigint' && typeof v !== 'number') break read; // text and blobs from here on
      if (typeof v !== 'bigint' || v > SAFE_MAX || v < SAFE_MIN) continue;
      const x = Number(v);
      if (n > 0 && (keys[n - 1] as number) >= x) return null;
      if (n === rows) return null;
      keys[n++] = x;
    }
  }
  return new IntegerKeys(keys, n);
}
