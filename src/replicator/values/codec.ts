/**
 * Value conversion contracts. Values cross in the representation each side reads and
 * writes natively, never through a JS Date or a double where precision matters:
 * PostgreSQL values as their text form (node-postgres parsers are overridden to hand
 * back raw text), SQLite values as better-sqlite3 binds them (integers as BigInt).
 * DESIGN.md "Replication semantics", Fidelity.
 */

/** A value that cannot be stored faithfully on the target; the row goes to the reject ledger. */
export class Rejected {
  constructor(
    /** what is wrong, for the ledger: "text 'abc' in integer column qty" */
    readonly reason: string,
  ) {}
}

/** What better-sqlite3 returns (with safeIntegers) and binds. */
export type SqliteValue = null | bigint | number | string | Buffer;

/** A PostgreSQL value in its text form (unescaped), or null. */
export type PgText = string | null;

export type Codec<In, Out> = (value: In) => Out | Rejected;
