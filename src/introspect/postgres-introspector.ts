/**
 * PostgreSQL schema -> SchemaModel, for one schema ('public' by default), in four
 * catalog queries for the whole schema (see postgres-introspector-queries.ts).
 */
import type pg from 'pg';
import { ConfigError } from '../errors.js';
import { checkSchemaAnswer, schemaCheckSql } from '../connect/postgres-schema.js';
import { parsePostgresType } from '../mapping/types/postgres-types.js';
import type { CheckConstraint, Column, FkAction, ForeignKey, Index, SchemaModel, Table } from '../model/schema.js';
import { byName } from './by-name.js';
import type { SchemaIntrospector } from './introspector.js';
import {
  COLUMNS_SQL,
  CONSTRAINTS_SQL,
  INDEXES_SQL,
  TABLES_SQL,
  type ColumnRow,
  type ConstraintRow,
  type IndexRow,
  type TableRow,
} from './postgres-introspector-queries.js';

/** The schema where replicate keeps its own state; never introspected as user data. */
const STATE_SCHEMA = 'replicate';

/** pg_constraint.confdeltype / confupdtype letters */
const FK_ACTIONS: Readonly<Record<string, FkAction>> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

const IDENTITY: Readonly<Record<string, Column['identity']>> = { a: 'always', d: 'by default' };
const GENERATED_STORAGE: Readonly<Record<string, 'stored' | 'virtual'>> = { s: 'stored', v: 'virtual' };

/** A serial column's default: nextval('t_id_seq'::regclass). */
const SERIAL_DEFAULT = /^nextval\('.*'::regclass\)$/;

/** "(qty > 0)" -> "qty > 0": one pair of parentheses around the whole expression. */
export function stripOuterParens(expression: string): string {
  const text = expression.trim();
  if (!text.startsWith('(') || !text.endsWith(')')) return text;
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === '(') {
      depth++;
    } else if (ch === ')' && --depth === 0 && i < text.length - 1) {
      return text; // "(a) AND (b)": the first group closes before the end
    }
  }
  return text.slice(1, -1).trim();
}

/** pg_get_constraintdef of a check: "CHECK ((qty > 0)) NOT VALID" -> "qty > 0" */
function checkExpression(definition: string): string {
  const inner = /^CHECK\s*\(([\s\S]*)\)(\s+NOT VALID)?(\s+NO INHERIT)?$/.exec(definition.trim())?.[1];
  return stripOuterParens(inner ?? definition);
}

function toColumn(row: ColumnRow, ordinal: number): Column {
  const type = parsePostgresType({
    formatted: row.domain_name ? row.base_formatted : row.formatted,
    typtype: row.scalar_typtype,
    ...(row.enum_labels ? { enumValues: row.enum_labels } : {}),
    ...(row.domain_name ? { domain: row.domain_name } : {}),
    ...(row.element_formatted ? { elementFormatted: row.element_formatted } : {}),
  });
  const storage = GENERATED_STORAGE[row.attgenerated];
  const serial = row.column_default !== null && SERIAL_DEFAULT.test(row.column_default);
  return {
    name: row.column_name,
    ordinal,
    declaredType: row.formatted,
    type,
    nullable: row.is_nullable === 'YES',
    default: row.column_default,
    generated: storage ? { storage, expression: stripOuterParens(row.generation_expression ?? '') } : null,
    identity: IDENTITY[row.attidentity] ?? (serial ? 'by default' : null),
  };
}

function toForeignKey(row: ConstraintRow, schema: string): ForeignKey {
  const refTable = row.ref_table ?? '';
  return {
    name: row.conname,
    columns: row.columns,
    // A parent in another schema keeps its schema in the name.
    refTable: row.ref_schema && row.ref_schema !== schema ? `${row.ref_schema}.${refTable}` : refTable,
    refColumns: row.ref_columns ?? [],
    onDelete: FK_ACTIONS[row.confdeltype ?? 'a'] ?? 'NO ACTION',
    onUpdate: FK_ACTIONS[row.confupdtype ?? 'a'] ?? 'NO ACTION',
  };
}

function toIndex(row: IndexRow): Index {
  const keys = row.keys ?? [];
  return {
    name: row.index_name,
    columns: keys.flatMap((k) => (k.column !== null ? [k.column] : [])),
    expressions: keys.flatMap((k) => (k.column === null ? [k.definition] : [])),
    unique: row.is_unique,
    origin: row.is_primary ? 'pk' : row.backs_unique ? 'unique' : 'index',
    partial: row.is_partial,
  };
}

/** Rows grouped by their table_name, in query order. */
function groupByTable<R extends { table_name: string }>(rows: R[]): Map<string, R[]> {
  const groups = new Map<string, R[]>();
  for (const r of rows) {
    const list = groups.get(r.table_name);
    if (list) list.push(r);
    else groups.set(r.table_name, [r]);
  }
  return groups;
}

export class PostgresIntrospector implements SchemaIntrospector {
  constructor(
    private readonly client: pg.Client,
    private readonly schema = 'public',
  ) {}

  async introspect(): Promise<SchemaModel> {
    if (this.schema === STATE_SCHEMA) {
      throw new ConfigError(`schema "${STATE_SCHEMA}" holds replicate's own state; choose the schema of your tables`, 'schema');
    }
    // One round trip: the four queries in one simple-protocol request, which takes no
    // parameters, so the schema name goes in as an escaped literal. A caller can read the
    // SQLite side while the server answers (planOnPair does).
    const schema = this.client.escapeLiteral(this.schema);
    // the fifth asks whether the schema is there at all: a missing one is not a schema without tables
    const sql = [...[TABLES_SQL, COLUMNS_SQL, CONSTRAINTS_SQL, INDEXES_SQL].map((q) => q.replaceAll('$1', schema)), schemaCheckSql(this.client, this.schema)].join(';\n');
    // several statements answer with one result each
    const results = (await this.client.query(sql)) as unknown as pg.QueryResult[];
    checkSchemaAnswer(results[4], this.schema);
    const rowsOf = <R>(i: number): R[] => (results[i]?.rows ?? []) as R[];
    const tables = rowsOf<TableRow>(0);
    const columns = groupByTable(rowsOf<ColumnRow>(1));
    const constraints = groupByTable(rowsOf<ConstraintRow>(2));
    const indexes = groupByTable(rowsOf<IndexRow>(3));

    const model: Table[] = tables.map(({ table_name: name }) => {
      const cons = constraints.get(name) ?? [];
      const pk = cons.find((c) => c.contype === 'p');
      const checks: CheckConstraint[] = cons
        .filter((c) => c.contype === 'c')
        .map((c) => ({ name: c.conname, expression: checkExpression(c.definition) }));
      return {
        name,
        columns: (columns.get(name) ?? []).map((row, i) => toColumn(row, i + 1)),
        primaryKey: pk ? pk.columns : null,
        uniques: cons.filter((c) => c.contype === 'u').map((c) => c.columns),
        foreignKeys: cons.filter((c) => c.contype === 'f').map((c) => toForeignKey(c, this.schema)),
        indexes: (indexes.get(name) ?? []).map(toIndex),
        checks,
      };
    });
    return { side: 'postgres', schema: this.schema, tables: model.sort(byName) };
  }
}
