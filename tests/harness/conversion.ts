/**
 * One column's conversions as the engine builds them, for the value tests: a planned column
 * named `qty` of the given PostgreSQL and SQLite types (and SQLite date format), each way.
 */
import type { CanonicalKind, CanonicalType } from '../../src/model/schema.js';
import type { PlannedColumn } from '../../src/replicator/run-plan.js';
import { Rejected, type PgText, type SqliteValue } from '../../src/replicator/values/codec.js';
import { pgToSqliteCodec } from '../../src/replicator/values/pg-to-sqlite.js';
import { sqliteToPgCodec } from '../../src/replicator/values/sqlite-to-pg.js';
import type { TimeFormat } from '../../src/replicator/values/time-format.js';

export type TypeSpec = CanonicalKind | CanonicalType;
const typeOf = (t: TypeSpec): CanonicalType => (typeof t === 'string' ? { kind: t } : t);

export function column(pg: TypeSpec, sqlite: TypeSpec, sqliteFormat: TimeFormat | null = null): PlannedColumn {
  return { pg: 'qty', sqlite: 'qty', pgType: typeOf(pg), sqliteType: typeOf(sqlite), transform: 'none', sqliteFormat };
}

export const toSqlite = (c: PlannedColumn, v: PgText): SqliteValue | Rejected => pgToSqliteCodec(c)(v);
export const toPg = (c: PlannedColumn, v: SqliteValue): PgText | Rejected => sqliteToPgCodec(c)(v);

/** The reason of a rejection, or a marker that makes the assertion fail with the value shown. */
export function reason(out: unknown): string {
  return out instanceof Rejected ? out.reason : `not rejected: ${String(out)}`;
}

export const numeric = (precision?: number, scale?: number): CanonicalType =>
  precision === undefined ? { kind: 'numeric' } : { kind: 'numeric', precision, scale: scale ?? 0 };
