/**
 * A plain load's multi-row INSERT with the TEXT values of a converted batch bound as their
 * UTF-8 bytes (text-slices.ts): each value a view into the batch's text, bound as a BLOB and
 * written as `CAST(? AS TEXT)`. The file's encoding is UTF-8, so the cast gives the very text
 * a bound string would have been (the bytes are well-formed UTF-8, checked on the reader
 * thread), and the column's affinity applies to it the same way. Binding a string cost
 * better-sqlite3 a UTF-8 conversion per value, after the main thread had decoded the
 * batch's bytes into strings in the first place.
 *
 * Not one BLOB per statement cut with substr(): any function call makes SQLite give a
 * multi-row INSERT a statement journal, which inside the batch's savepoint grew to a temp
 * file (more main-thread time than the strings it saved). CAST is no function call.
 *
 * A column takes the cast form in a statement only where each of its rows holds a pending
 * TEXT value or NULL; any other value (an INT or REAL beside TEXT in a numeric column, a
 * value the FK guard rewrote) makes it bind as usual, its pending values decoded. One
 * statement is prepared per such column signature.
 */
import type Database from 'better-sqlite3';
import type { TargetRow } from './batch-io.js';
import { pendingOf, resolvedValue, type BatchText } from './text-slices.js';

type Slot = TargetRow[number];

export interface SliceInsert {
  /** Inserts the rows from the first in statements of `per` rows while that many remain; how many it inserted. */
  runChunks(rows: readonly TargetRow[]): number;
}

/** Does the file store text as UTF-8 (so UTF-8 bytes cast to TEXT are the text itself)? */
export function storesUtf8(db: Database.Database): boolean {
  return String(db.pragma('encoding', { simple: true })).toUpperCase() === 'UTF-8';
}

/** `insertInto`: `INSERT ... INTO t (cols) VALUES `; `per`: rows per statement, as the plain multi-row INSERT has them. Null where the file is not UTF-8. */
export function sliceInsert(db: Database.Database, insertInto: string, width: number, per: number): SliceInsert | null {
  if (!storesUtf8(db)) return null;
  const statements = new Map<string, Database.Statement>();
  const sliced = new Uint8Array(width);
  const signature = new Array<string>(width);
  const args: Slot[] = new Array<Slot>(per * width);
  const statement = (key: string): Database.Statement => {
    let s = statements.get(key);
    if (s) return s;
    const one = `(${Array.from(sliced, (x) => (x === 1 ? 'CAST(? AS TEXT)' : '?')).join(', ')})`;
    s = db.prepare(`${insertInto}${new Array<string>(per).fill(one).join(', ')}`);
    statements.set(key, s);
    return s;
  };

  return {
    runChunks(rows) {
      let i = 0;
      for (; i + per <= rows.length; i += per) {
        // which columns take the cast form in these rows
        for (let c = 0; c < width; c++) {
          let any = false;
          let only = true;
          for (let r = i; r < i + per; r++) {
            const v = (rows[r] as TargetRow)[c] ?? null;
            if (v === null) continue;
            if (pendingOf(v) === null) {
              only = false;
              break;
            }
            any = true;
          }
          const yes = any && only;
          sliced[c] = yes ? 1 : 0;
          signature[c] = yes ? '1' : '0';
        }
        const stmt = statement(signature.join(''));
        let a = 0;
        let text: BatchText | null = null;
        let bytes: ArrayBufferLike = new ArrayBuffer(0);
        let base = 0;
        for (let r = i; r < i + per; r++) {
          const row = rows[r] as TargetRow;
          for (let c = 0; c < width; c++) {
            const v = row[c] ?? null;
            const p = pendingOf(v);
            if (p === null) {
              args[a++] = v;
            } else if (sliced[c] === 0) {
              args[a++] = resolvedValue(row, c);
            } else {
              if (p.text !== text) {
                text = p.text;
                bytes = text.bytes.buffer;
                base = text.bytes.byteOffset;
              }
              const t = text.at(p.row, c);
              const s = text.start(t);
              const e = text.end(t);
              // '' as itself: an empty BLOB may be bound as NULL; a plain Uint8Array view is what better-sqlite3 binds as a BLOB, cheaper to make than a Buffer
              args[a++] = e === s ? '' : (new Uint8Array(bytes, base + s, e - s) as Buffer);
            }
          }
        }
        stmt.run(...args);
      }
      return i;
    },
  };
}
