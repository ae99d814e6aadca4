/**
 * SQLite schema -> SchemaModel, from sqlite_master and the pragma table-valued
 * functions (pragma_table_xinfo, pragma_foreign_key_list, pragma_index_list,
 * pragma_index_xinfo). Names are bound as parameters, so quotes, spaces and unicode in
 * names need no escaping. What pragmas do not report (generated expressions, CHECKs,
 * expression index keys) is read from the stored CREATE statements.
 */
import type Database from 'better-sqlite3';
import type { CheckConstraint, Column, FkAction, ForeignKey, Index, SchemaModel, Table } from '../model/schema.js';
import { parseSqliteType } from '../mapping/types/sqlite-types.js';
import { byName } from './by-name.js';
import type { SchemaIntrospector } from './introspector.js';
import { parseCreateTable, parseIndexKeys } from './sqlite-create-sql.js';

interface TableListRow {
  name: string;
  sql: string | null;
  wr: number;
}

interface XInfoRow {
  cid: number;
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}

interface FkRow {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string | null;
  on_update: string;
  on_delete: string;
}

interface IndexListRow {
  name: string;
  unique: number;
  origin: string;
  partial: number;
  sql: string | null;
}

interface IndexColumnRow {
  seqno: number;
  cid: number;
  name: string | null;
}

/** pragma_table_xinfo.hidden: 1 = hidden column of a virtual table, 2/3 = generated */
const GENERATED_STORAGE: Readonly<Record<number, 'virtual' | 'stored'>> = { 2: 'virtual', 3: 'stored' };
const HIDDEN_VIRTUAL_TABLE_COLUMN = 1;

const FK_ACTIONS: Readonly<Record<string, FkAction>> = {
  'NO ACTION': 'NO ACTION',
  RESTRICT: 'RESTRICT',
  CASCADE: 'CASCADE',
  'SET NULL': 'SET NULL',
  'SET DEFAULT': 'SET DEFAULT',
};

const INDEX_ORIGIN: Readonly<Record<string, Index['origin']>> = { pk: 'pk', u: 'unique', c: 'index' };

/** pragma_index_xinfo cid for a key that is an expression */
const EXPRESSION_KEY = -2;

export class SqliteIntrospector implements SchemaIntrospector {
  constructor(private readonly db: Database.Database) {}

  async introspect(): Promise<SchemaModel> {
    return this.introspectSync();
  }

  introspectSync(): SchemaModel {
    // pragma_table_list tells real tables from views, virtual tables and their shadows.
    const rows = this.db
      .prepare(
        `SELECT l.name AS name, m.sql AS sql, l.wr AS wr
           FROM pragma_table_list AS l
           JOIN sqlite_master AS m ON m.name = l.name AND m.type = 'table'
          WHERE l.schema = 'main' AND l.type = 'table'
            AND l.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
            AND l.name NOT LIKE '\\_replicate\\_%' ESCAPE '\\'`,
      )
      .all() as TableListRow[];
    const tables = rows.map((row) => this.readTable(row)).sort(byName);
    return { side: 'sqlite', schema: 'main', tables };
  }

  private readTable(row: TableListRow): Table {
    const parsed = parseCreateTable(row.sql);
    const xinfo = (this.db.prepare('SELECT * FROM pragma_table_xinfo(?)').all(row.name) as XInfoRow[]).filter(
      (c) => c.hidden !== HIDDEN_VIRTUAL_TABLE_COLUMN,
    );
    const pkRows = xinfo.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
    const primaryKey = pkRows.length ? pkRows.map((c) => c.name) : null;
    const indexes = this.readIndexes(row.name);
    const withoutRowid = row.wr === 1;
    // A single INTEGER PRIMARY KEY is the rowid itself; SQLite then builds no PK index
    // (which also rules out the "INTEGER PRIMARY KEY DESC" quirk and WITHOUT ROWID).
    const rowidAlias =
      pkRows.length === 1 &&
      pkRows[0]?.type.trim().toUpperCase() === 'INTEGER' &&
      !withoutRowid &&
      !indexes.some((i) => i.origin === 'pk')
        ? pkRows[0].name
        : null;

    const columns: Column[] = xinfo.map((c, i) => {
      const storage = GENERATED_STORAGE[c.hidden];
      const isPk = c.pk > 0;
      return {
        name: c.name,
        ordinal: i + 1,
        declaredType: c.type,
        type: parseSqliteType(c.type),
        // The rowid alias and WITHOUT ROWID keys can never hold NULL; other SQLite
        // primary key columns can unless declared NOT NULL (a documented legacy quirk).
        nullable: c.notnull === 0 && c.name !== rowidAlias && !(withoutRowid && isPk),
        default: c.dflt_value,
        generated: storage ? { storage, expression: parsed.generated.get(c.name.toLowerCase()) ?? '' } : null,
        identity: c.name === rowidAlias ? 'by default' : null,
      };
    });

    const checks: CheckConstraint[] = parsed.checks.map((c) => ({ name: c.name, expression: c.expression }));
    return {
      name: row.name,
      columns,
      primaryKey,
      uniques: indexes.filter((i) => i.origin === 'unique').map((i) => i.columns),
      foreignKeys: this.readForeignKeys(row.name),
      indexes,
      checks,
    };
  }

  private readForeignKeys(table: string): ForeignKey[] {
    const rows = this.db.prepare('SELECT * FROM pragma_foreign_key_list(?) ORDER BY id, seq').all(table) as FkRow[];
    const byId = new Map<number, FkRow[]>();
    for (const r of rows) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
    // SQLite numbers foreign keys last-declared first; list them in declaration order.
    return [...byId.entries()]
      .sort(([a], [b]) => b - a)
      .map(([, parts]) => {
        const first = parts[0];
        const refTable = first?.table ?? '';
        // A NULL "to" means REFERENCES parent with no column list: the parent's key.
        const refColumns = parts.some((p) => p.to === null)
          ? this.primaryKeyOf(refTable)
          : parts.map((p) => p.to ?? '');
        return {
          name: null,
          columns: parts.map((p) => p.from),
          refTable,
          refColumns,
          onDelete: FK_ACTIONS[first?.on_delete ?? ''] ?? 'NO ACTION',
          onUpdate: FK_ACTIONS[first?.on_update ?? ''] ?? 'NO ACTION',
        };
      });
  }

  private primaryKeyOf(table: string): string[] {
    const rows = this.db.prepare('SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk').all(table) as {
      name: string;
    }[];
    return rows.map((r) => r.name);
  }

  private readIndexes(table: string): Index[] {
    const list = this.db
      .prepare(
        `SELECT l.name AS name, l."unique" AS "unique", l.origin AS origin, l.partial AS partial, m.sql AS sql
           FROM pragma_index_list(?) AS l
           LEFT JOIN sqlite_master AS m ON m.type = 'index' AND m.name = l.name
          ORDER BY l.name`,
      )
      .all(table) as IndexListRow[];
    const keyQuery = this.db.prepare('SELECT seqno, cid, name FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno');
    return list.map((ix) => {
      const keys = keyQuery.all(ix.name) as IndexColumnRow[];
      const hasExpression = keys.some((k) => k.cid === EXPRESSION_KEY);
      const keyTexts = hasExpression ? parseIndexKeys(ix.sql) : [];
      return {
        name: ix.name,
        columns: keys.filter((k) => k.cid !== EXPRESSION_KEY && k.name !== null).map((k) => k.name ?? ''),
        expressions: keys.filter((k) => k.cid === EXPRESSION_KEY).map((k) => keyTexts[k.seqno] ?? ''),
        unique: ix.unique === 1,
        origin: INDEX_ORIGIN[ix.origin] ?? 'index',
        partial: ix.partial === 1,
      };
    });
  }
}
