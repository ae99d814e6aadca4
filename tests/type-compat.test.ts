import { describe, expect, it } from 'vitest';
import type { Column } from '../src/model/schema.js';
import { compareTypes } from '../src/mapping/type-compat.js';
import { parseSqliteType } from '../src/mapping/types/sqlite-types.js';
import { parsePostgresType } from '../src/mapping/types/postgres-types.js';

const sqliteCol = (declared: string): Column => ({
  name: 'c', ordinal: 1, declaredType: declared, type: parseSqliteType(declared), nullable: true, default: null, generated: null, identity: null,
});
const pgCol = (formatted: string, extra: { typtype?: string; elementFormatted?: string } = {}): Column => ({
  name: 'c', ordinal: 1, declaredType: formatted, type: parsePostgresType({ formatted, ...extra }), nullable: true, default: null, generated: null, identity: null,
});

describe('the type-compatibility table tells a user which pairs lose data', () => {
  it('REAL money loses exactness both ways, with the reason spelled out', () => {
    const c = compareTypes(sqliteCol('REAL'), pgCol('numeric(12,2)'));
    expect(c.toSqlite).toEqual({ level: 'lossy', reason: 'SQLite REAL cannot hold numeric(12,2) exactly' });
    expect(c.toPostgres.level).toBe('lossy');
  });

  it.each([
    ['DECIMAL(12,2)', 'numeric(12,2)', 'decimal-text'],
    ['TEXT', 'numeric(30,10)', 'decimal-text'],
    ['INTEGER', 'bigint', 'int8-bigint'],
    ['INTEGER', 'integer', 'none'],
    ['BOOLEAN', 'boolean', 'bool-int'],
    ['INTEGER', 'boolean', 'bool-int'],
    ['DATETIME', 'timestamp with time zone', 'timestamp-text'],
    ['TEXT', 'timestamp(3) without time zone', 'timestamp-text'],
    ['TEXT', 'uuid', 'uuid-text'],
    ['TEXT', 'jsonb', 'json-text'],
    ['BLOB', 'bytea', 'bytea-blob'],
    ['VARCHAR(40)', 'character varying(40)', 'none'],
  ])('SQLite %s and PostgreSQL %s cross losslessly (transform %s)', (sq, pg, transform) => {
    const c = compareTypes(sqliteCol(sq), pgCol(pg));
    expect(c.toPostgres).toEqual({ level: 'lossless', reason: null });
    expect(c.toSqlite).toEqual({ level: 'lossless', reason: null });
    expect(c.transform).toBe(transform);
  });

  it('numeric beyond 15 digits is exact only as text, not under NUMERIC affinity', () => {
    const c = compareTypes(sqliteCol('NUMERIC(20,4)'), pgCol('numeric(20,4)'));
    expect(c.toSqlite.level).toBe('lossy');
    expect(c.toSqlite.reason).toContain('15 significant digits');
  });

  it('a BIGINT that may exceed integer is lossy only towards PostgreSQL', () => {
    const c = compareTypes(sqliteCol('BIGINT'), pgCol('integer'));
    expect(c.toPostgres.level).toBe('lossy');
    expect(c.toSqlite.level).toBe('lossless');
  });

  it('an epoch INTEGER against timestamptz is incompatible, and says so', () => {
    const c = compareTypes(sqliteCol('INTEGER'), pgCol('timestamp with time zone'));
    expect(c.toPostgres.level).toBe('incompatible');
    expect(c.toPostgres.reason).toBe('SQLite INTEGER and PostgreSQL timestamp with time zone hold different kinds of values');
  });

  it('PostgreSQL arrays travel as JSON text', () => {
    const c = compareTypes(sqliteCol('TEXT'), pgCol('text[]', { elementFormatted: 'text' }));
    expect(c.transform).toBe('array-json');
    expect(c.toSqlite.level).toBe('lossless');
  });
});
