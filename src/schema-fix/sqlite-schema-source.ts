/**
 * Reads the stored SQL of every table, explicit index and trigger of a SQLite file:
 * what a table rebuild must re-create verbatim (partial indexes, COLLATE, triggers,
 * AUTOINCREMENT) and the normalized schema model does not keep.
 */
import type Database from 'better-sqlite3';
import { openSqlite } from '../connect/sqlite-connection.js';
import type { SqliteSchemaSource, SqliteTableSource } from './fix-plan.js';

interface MasterRow {
  type: 'table' | 'index' | 'trigger';
  name: string;
  tbl_name: string;
  sql: string | null;
}

export function readSqliteSchemaSourceFrom(db: Database.Database): SqliteSchemaSource {
  const rows = db
    .prepare(
      `SELECT type, name, tbl_name, sql FROM sqlite_master
        WHERE type IN ('table', 'index', 'trigger') ORDER BY type = 'table' DESC, name`,
    )
    .all() as MasterRow[];
  const source = new Map<string, SqliteTableSource>();
  const entry = (table: string): SqliteTableSource => {
    let e = source.get(table);
    if (!e) {
      e = { createSql: null, indexes: [], triggers: [], collations: {} };
      source.set(table, e);
    }
    return e;
  };
  for (const r of rows) {
    if (r.type === 'table') {
      entry(r.name).createSql = r.sql;
      entry(r.name).collations = columnCollations(r.sql ?? '');
    }
    // autoindexes (sql NULL) belong to PRIMARY KEY / UNIQUE constraints and come back with the table
    else if (r.type === 'index' && r.sql) entry(r.tbl_name).indexes.push({ name: r.name, sql: r.sql });
    else if (r.type === 'trigger' && r.sql) entry(r.tbl_name).triggers.push({ name: r.name, sql: r.sql });
  }
  return source;
}

export function readSqliteSchemaSource(sqlitePath: string): SqliteSchemaSource {
  const db = openSqlite(sqlitePath, { readonly: true });
  try {
    return readSqliteSchemaSourceFrom(db);
  } finally {
    db.close();
  }
}

/** Tokens of a CREATE TABLE: quoted names and strings whole, parentheses and commas alone. */
function tokens(sql: string): string[] {
  const out: string[] = [];
  const re = /\s+|--[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]|'(?:[^']|'')*'|[(),]|[^\s(),'"`[]+/g;
  for (const m of sql.matchAll(re)) if (!/^(\s|--|\/\*)/.test(m[0])) out.push(m[0]);
  return out;
}

function unquote(token: string): string {
  const first = token.charAt(0);
  if (first === '"' || first === '`') return token.slice(1, -1).replaceAll(first + first, first);
  if (first === '[') return token.slice(1, -1);
  return token;
}

const TABLE_CONSTRAINT = /^(CONSTRAINT|PRIMARY|UNIQUE|CHECK|FOREIGN)$/i;

/** Column -> COLLATE name, read from the column definitions (the schema model has no collations). */
export function columnCollations(createSql: string): Record<string, string> {
  const toks = tokens(createSql);
  const open = toks.indexOf('(');
  const result: Record<string, string> = {};
  if (open < 0) return result;
  let depth = 0;
  let item: string[] = [];
  const finish = (): void => {
    const [name, ...rest] = item;
    if (name && !TABLE_CONSTRAINT.test(name)) {
      const at = rest.findIndex((t) => /^COLLATE$/i.test(t));
      const collation = at >= 0 ? rest[at + 1] : undefined;
      if (collation) result[unquote(name).toLowerCase()] = unquote(collation);
    }
    item = [];
  };
  for (const t of toks.slice(open + 1)) {
    if (t === '(') depth++;
    if (t === ')' && depth-- === 0) break;
    if (t === ',' && depth === 0) finish();
    else if (depth === 0) item.push(t);
  }
  finish();
  return result;
}
