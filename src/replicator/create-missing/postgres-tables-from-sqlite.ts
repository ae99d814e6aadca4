/**
 * `run --create-missing` into PostgreSQL: tables that exist only in SQLite are created
 * from the mapped SQLite schema; foreign keys and secondary indexes come after the data,
 * the way pgloader re-adds them, and so does a primary key whose values SQLite keeps
 * apart and that cannot become one key in PostgreSQL (key-values.ts). The new tables are not known to any other writer until the run creates
 * them, so loading them before their constraints leaves no live table unguarded.
 * DESIGN.md "Migrations into an empty target".
 */
import type { Column, Table } from '../../model/schema.js';
import { parsePostgresType } from '../../mapping/types/postgres-types.js';
import type { TableMapping } from '../../mapping/table-mapping.js';
import type { NameTranslator } from '../../mapping/name-translator.js';
import { postgresDeclaredTypeFor } from '../../mapping/types/postgres-types.js';
import { qualified, quoteIdent } from '../../sql/quote.js';
import type { TimeFormat } from '../values/time-format.js';
import { keyAfterData } from './key-values.js';

/** A primary key, foreign key or index a created table gets after its data (recorded as owed until then). */
export interface AfterLoadStatement {
  name: string;
  kind: 'primary key' | 'foreign key' | 'index';
  /**
   * a primary key: CREATE UNIQUE INDEX, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX; a
   * foreign key: ADD CONSTRAINT ... NOT VALID (VALIDATE follows); an index: CREATE INDEX
   */
  statement: string;
  /** for people: "(id)" (a primary key), "(customer_id) -> customers (id)", "UNIQUE (email)" */
  detail: string;
  /** a foreign key's parent table */
  parentTable: string | null;
}

export interface CreatePlan {
  /** CREATE TABLE statements, parents first; run before the data */
  create: string[];
  /** per table, in creation order: its primary key when it follows the data, foreign keys, then indexes; run after the data */
  afterLoad: Map<string, AfterLoadStatement[]>;
  /** per table with a primary key: when it is built (key-values.ts keyAfterData; 'no': with the table) */
  keyTiming: Map<string, { columns: string[]; after: 'always' | 'checked' | 'no' }>;
  /**
   * each table as PostgreSQL will describe it right after its CREATE TABLE (no foreign key
   * or index yet): what `run --dry-run --create-missing` plans with, the tables being absent
   */
  tables: Table[];
}

/**
 * The key's SQLite columns, when every key column maps to one; null: a key column is not
 * in SQLite (filled by PostgreSQL), so nothing says its values are distinct there.
 */
function sqliteKeyColumns(key: readonly string[] | null, pairs: readonly { postgres: string; sqlite: string }[]): string[] | null {
  if (!key) return null;
  const cols = key.map((k) => pairs.find((p) => p.postgres === k)?.sqlite);
  return cols.every((c): c is string => c !== undefined) ? cols : null;
}

/** SQLite stores every INTEGER in 64 bits, so a column created from one must hold 64 bits. */
const WIDEN: Partial<Record<Column['type']['kind'], string>> = { integer: 'bigint' };

/** Text formats that carry a zone (or are UTC by definition) become timestamptz. */
const ZONED: readonly TimeFormat[] = ['iso-t-z', 'iso-t-offset', 'iso-space', 'epoch-s', 'epoch-ms'];

function typeFor(col: Column, format: TimeFormat | null): string {
  if (col.type.kind === 'timestamp' || col.type.kind === 'timestamptz') {
    return format && !ZONED.includes(format) ? 'timestamp' : 'timestamp with time zone';
  }
  return WIDEN[col.type.kind] ?? postgresDeclaredTypeFor(col.type);
}

/** SQLite defaults PostgreSQL can take as they are; anything else is left out (the app fills it). */
function defaultFor(col: Column): string | null {
  const d = col.default?.trim();
  if (!d) return null;
  if (/^\(?current_timestamp\)?$/i.test(d) || /^\(?datetime\('now'\)\)?$/i.test(d)) return 'now()';
  if (/^\(?current_date\)?$/i.test(d)) return 'current_date';
  if (/^-?\d+(\.\d+)?$/.test(d)) return col.type.kind === 'boolean' ? (d === '0' ? 'false' : 'true') : d;
  if (/^'([^']|'')*'$/.test(d)) return d;
  return null;
}

export function planPostgresTables(
  tables: readonly { sqlite: Table; mapping: TableMapping }[],
  names: NameTranslator,
  schema: string,
  /** the SQLite file is UTF-8 and the target database UTF8 or SQL_ASCII: text keys may follow the data (key-values.ts) */
  textOneToOne = false,
): CreatePlan {
  const create: string[] = [];
  const afterLoad = new Map<string, AfterLoadStatement[]>();
  const keyTiming: CreatePlan['keyTiming'] = new Map();
  const models: Table[] = [];
  for (const { sqlite, mapping } of tables) {
    const after: AfterLoadStatement[] = [];
    afterLoad.set(mapping.table, after);
    const target = qualified(schema, mapping.table);
    const pairs = mapping.columns.filter((p) => sqlite.columns.some((c) => c.name === p.sqlite));
    const key = mapping.key.postgres.length > 0 ? mapping.key.postgres : null;
    const keyColumns = sqliteKeyColumns(key, pairs);
    // after the data where it is safe (key-values.ts): one sorted CREATE UNIQUE INDEX instead
    // of a btree insert per row (case a's order_items, 640,000 integer keys: 0.7 s less of the
    // server's CPU; orders' and payments' text keys 0.4-0.6 s)
    const keyAfter = keyColumns === null ? 'no' : keyAfterData(sqlite, keyColumns, textOneToOne);
    const keyLater = keyAfter !== 'no';
    if (key) keyTiming.set(mapping.table, { columns: [...key], after: keyAfter });
    const defs: string[] = [];
    const columns: Column[] = pairs.map((p, i) => {
      const col = sqlite.columns.find((c) => c.name === p.sqlite) as Column;
      const format = (p as { format?: TimeFormat | null }).format ?? null;
      const declaredType = typeFor(col, format);
      const identity = col.identity ? ' GENERATED BY DEFAULT AS IDENTITY' : '';
      const dflt = identity ? null : defaultFor(col);
      // a key column is NOT NULL from the start, as the PRIMARY KEY clause would make it
      const notNull = !col.nullable || (keyLater && key?.includes(p.postgres));
      defs.push(`  ${quoteIdent(p.postgres)} ${declaredType}${identity}${notNull ? ' NOT NULL' : ''}${dflt ? ` DEFAULT ${dflt}` : ''}`);
      const nullable = col.nullable && !key?.includes(p.postgres);
      return { name: p.postgres, ordinal: i + 1, declaredType, type: parsePostgresType({ formatted: declaredType }), nullable, default: dflt, generated: null, identity: col.identity ? 'by default' : null };
    });
    if (key && !keyLater) defs.push(`  PRIMARY KEY (${key.map(quoteIdent).join(', ')})`);
    create.push(`CREATE TABLE IF NOT EXISTS ${target} (\n${defs.join(',\n')}\n)`);
    models.push({ name: mapping.table, columns, primaryKey: key && !keyLater ? [...key] : null, uniques: [], foreignKeys: [], indexes: [], checks: [] });
    if (key && keyLater) {
      const name = quoteIdent(`${mapping.table}_pkey`.slice(0, 63));
      const cols = key.map(quoteIdent).join(', ');
      after.push({
        name: `${mapping.table}_pkey`.slice(0, 63),
        kind: 'primary key',
        statement: `CREATE UNIQUE INDEX IF NOT EXISTS ${name} ON ${target} (${cols}); ALTER TABLE ${target} ADD CONSTRAINT ${name} PRIMARY KEY USING INDEX ${name}`,
        detail: `(${key.join(', ')})`,
        parentTable: null,
      });
    }

    sqlite.foreignKeys.forEach((fk, i) => {
      const name = `${mapping.table}_fk${i + 1}`.slice(0, 63);
      const childCols = fk.columns.map((c) => names.pgColumn(sqlite.name, c));
      const refTable = names.pgTable(fk.refTable);
      const refCols = fk.refColumns.map((c) => names.pgColumn(fk.refTable, c));
      after.push({
        name,
        kind: 'foreign key',
        statement: `ALTER TABLE ${target} ADD CONSTRAINT ${quoteIdent(name)} FOREIGN KEY (${childCols.map(quoteIdent).join(', ')}) REFERENCES ${qualified(schema, refTable)} (${refCols.map(quoteIdent).join(', ')}) ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate} NOT VALID`,
        detail: `(${childCols.join(', ')}) -> ${refTable} (${refCols.join(', ')})`,
        parentTable: refTable,
      });
    });
    const index = (name: string, unique: boolean, cols: readonly string[]): AfterLoadStatement => ({
      name: name.slice(0, 63),
      kind: 'index',
      statement: `CREATE ${unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${quoteIdent(name.slice(0, 63))} ON ${target} (${cols.map(quoteIdent).join(', ')})`,
      detail: `${unique ? 'UNIQUE ' : ''}(${cols.join(', ')})`,
      parentTable: null,
    });
    const cursorCol = mapping.cursor ? mapping.columns.find((p) => p.postgres === mapping.cursor)?.sqlite : undefined;
    if (mapping.cursor && cursorCol && !sqlite.indexes.some((ix) => ix.columns[0] === cursorCol)) {
      after.push(index(`${mapping.table}_${mapping.cursor}_idx`, false, [mapping.cursor]));
    }
    for (const ix of sqlite.indexes) {
      if (ix.origin === 'pk' || ix.expressions.length > 0 || ix.partial || ix.columns.length === 0) continue;
      const cols = ix.columns.map((c) => names.pgColumn(sqlite.name, c));
      after.push(index(`${mapping.table}_${ix.columns.join('_')}_idx`, ix.unique, cols));
    }
  }
  return { create, afterLoad, keyTiming, tables: models };
}
