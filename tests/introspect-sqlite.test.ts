import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../src/connect/sqlite-connection.js';
import { SqliteIntrospector } from '../src/introspect/sqlite-introspector.js';
import { parseSqliteType, sqliteAffinity, sqliteDeclaredTypeFor } from '../src/mapping/types/sqlite-types.js';
import { qualified, quoteIdent, quoteLiteral } from '../src/sql/quote.js';
import { findColumn, findTable, type SchemaModel, type Table } from '../src/model/schema.js';
import { createSqliteFile, tempDir, type TempDir } from './harness/sqlite.js';

const POS_SCHEMA = `
CREATE TABLE "Branch Notes" (
  id INTEGER PRIMARY KEY,
  "note's text" TEXT NOT NULL DEFAULT 'n/a',
  branch_code VARCHAR(10) NOT NULL,
  created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
  is_pinned BOOLEAN NOT NULL DEFAULT 0,
  amount DECIMAL(12,2) CONSTRAINT amount_not_negative CHECK (amount >= 0),
  CONSTRAINT uq_branch_code UNIQUE (branch_code),
  CHECK (length(branch_code) > 0 AND "note's text" <> 'x, (y)')
);
CREATE INDEX idx_notes_unpinned ON "Branch Notes" (created_at) WHERE is_pinned = 0;

CREATE TABLE "café_ünïcode" ("ïd" INTEGER PRIMARY KEY, "naïve name" TEXT);
CREATE INDEX "idx café lower" ON "café_ünïcode" (lower("naïve name") COLLATE NOCASE DESC, "ïd");

CREATE TABLE categories (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  parent_id INTEGER REFERENCES categories(id) ON DELETE SET NULL,
  name TEXT NOT NULL
);

CREATE TABLE stock_levels (
  store_id INTEGER NOT NULL,
  product_id INTEGER NOT NULL,
  quantity NUMERIC(12,3) NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, product_id)
);

CREATE TABLE stock_moves (
  id INTEGER PRIMARY KEY,
  store_id INTEGER,
  product_id INTEGER,
  note_id INTEGER REFERENCES "Branch Notes",
  moved_at TIMESTAMP,
  FOREIGN KEY (store_id, product_id) REFERENCES stock_levels (store_id, product_id) ON UPDATE CASCADE
);

CREATE TABLE order_items (
  id INTEGER PRIMARY KEY,
  qty INTEGER NOT NULL,
  unit_price REAL NOT NULL,
  line_total REAL GENERATED ALWAYS AS (qty * unit_price) VIRTUAL,
  label TEXT AS (upper('item, ' || id)) STORED
);

CREATE TABLE settings (key TEXT PRIMARY KEY, value, kind FOO) WITHOUT ROWID;
CREATE TABLE legacy_codes (code INT PRIMARY KEY, label TEXT);

CREATE VIEW unpinned AS SELECT * FROM "Branch Notes" WHERE is_pinned = 0;
CREATE TABLE _replicate_checkpoints (pair TEXT PRIMARY KEY, cursor TEXT);
`;

function table(model: SchemaModel, name: string): Table {
  const t = findTable(model, name);
  if (!t) throw new Error(`table ${name} not in the model`);
  return t;
}

describe('a point-of-sale SQLite file is read into the schema model', () => {
  let dir: TempDir;
  let model: SchemaModel;

  beforeAll(() => {
    dir = tempDir();
    const path = dir.file('pos.sqlite');
    createSqliteFile(path, POS_SCHEMA);
    const db = openSqlite(path, { readonly: true });
    try {
      model = new SqliteIntrospector(db).introspectSync();
    } finally {
      db.close();
    }
  });
  afterAll(() => dir.remove());

  it('lists the user tables in name order (code points), without views, sqlite_ tables or our own _replicate_ state', () => {
    expect(model.side).toBe('sqlite');
    expect(model.schema).toBe('main');
    expect(model.tables.map((t) => t.name)).toEqual([
      'Branch Notes',
      'café_ünïcode',
      'categories',
      'legacy_codes',
      'order_items',
      'settings',
      'stock_levels',
      'stock_moves',
    ]);
  });

  it('reads quoted names, declared types, defaults and nullability as written', () => {
    const notes = table(model, 'Branch Notes');
    expect(notes.columns.map((c) => [c.ordinal, c.name, c.declaredType])).toEqual([
      [1, 'id', 'INTEGER'],
      [2, "note's text", 'TEXT'],
      [3, 'branch_code', 'VARCHAR(10)'],
      [4, 'created_at', 'DATETIME'],
      [5, 'is_pinned', 'BOOLEAN'],
      [6, 'amount', 'DECIMAL(12,2)'],
    ]);
    expect(findColumn(notes, "note's text")).toMatchObject({ nullable: false, default: "'n/a'", type: { kind: 'text' } });
    expect(findColumn(notes, 'created_at')).toMatchObject({ nullable: true, default: 'CURRENT_TIMESTAMP' });
    expect(findColumn(notes, 'is_pinned')?.default).toBe('0');
  });

  it('maps DATETIME, BOOLEAN, DECIMAL(12,2) and VARCHAR(10) to what they mean', () => {
    const notes = table(model, 'Branch Notes');
    expect(findColumn(notes, 'created_at')?.type).toEqual({ kind: 'timestamp' });
    expect(findColumn(notes, 'is_pinned')?.type).toEqual({ kind: 'boolean' });
    expect(findColumn(notes, 'amount')?.type).toEqual({ kind: 'numeric', precision: 12, scale: 2 });
    expect(findColumn(notes, 'branch_code')?.type).toEqual({ kind: 'varchar', length: 10 });
    expect(findColumn(table(model, 'stock_moves'), 'moved_at')?.type).toEqual({ kind: 'timestamp' });
    const settings = table(model, 'settings');
    expect(findColumn(settings, 'value')).toMatchObject({ declaredType: '', type: { kind: 'untyped' } });
    expect(findColumn(settings, 'kind')).toMatchObject({ declaredType: 'FOO', type: { kind: 'unknown' } });
  });

  it('treats only a single INTEGER PRIMARY KEY as the self-filling rowid alias', () => {
    const notesId = findColumn(table(model, 'Branch Notes'), 'id');
    expect(notesId).toMatchObject({ identity: 'by default', nullable: false });
    expect(findColumn(table(model, 'categories'), 'id')?.identity).toBe('by default');
    expect(findColumn(table(model, 'legacy_codes'), 'code')?.identity).toBeNull();
    expect(findColumn(table(model, 'settings'), 'key')).toMatchObject({ identity: null, nullable: false });
    expect(findColumn(table(model, 'stock_levels'), 'store_id')?.identity).toBeNull();
  });

  it('reads single and composite primary keys in key order', () => {
    expect(table(model, 'Branch Notes').primaryKey).toEqual(['id']);
    expect(table(model, 'stock_levels').primaryKey).toEqual(['store_id', 'product_id']);
    expect(table(model, 'settings').primaryKey).toEqual(['key']);
  });

  it('reads composite, self-referencing and implicit-column foreign keys with their actions', () => {
    expect(table(model, 'categories').foreignKeys).toEqual([
      { name: null, columns: ['parent_id'], refTable: 'categories', refColumns: ['id'], onDelete: 'SET NULL', onUpdate: 'NO ACTION' },
    ]);
    expect(table(model, 'stock_moves').foreignKeys).toEqual([
      { name: null, columns: ['note_id'], refTable: 'Branch Notes', refColumns: ['id'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' },
      {
        name: null,
        columns: ['store_id', 'product_id'],
        refTable: 'stock_levels',
        refColumns: ['store_id', 'product_id'],
        onDelete: 'NO ACTION',
        onUpdate: 'CASCADE',
      },
    ]);
  });

  it('reads virtual and stored generated columns with their expressions', () => {
    const items = table(model, 'order_items');
    expect(findColumn(items, 'line_total')).toMatchObject({
      declaredType: 'REAL',
      generated: { storage: 'virtual', expression: 'qty * unit_price' },
    });
    expect(findColumn(items, 'label')?.generated).toEqual({ storage: 'stored', expression: "upper('item, ' || id)" });
    expect(findColumn(items, 'qty')?.generated).toBeNull();
    expect(items.columns.map((c) => c.name)).toEqual(['id', 'qty', 'unit_price', 'line_total', 'label']);
  });

  it('reads unique constraints, partial and expression indexes', () => {
    const notes = table(model, 'Branch Notes');
    expect(notes.uniques).toEqual([['branch_code']]);
    expect(notes.indexes).toContainEqual({
      name: 'idx_notes_unpinned',
      columns: ['created_at'],
      expressions: [],
      unique: false,
      origin: 'index',
      partial: true,
    });
    expect(notes.indexes.find((i) => i.origin === 'unique')).toMatchObject({ columns: ['branch_code'], unique: true });
    expect(table(model, 'stock_levels').indexes).toEqual([
      expect.objectContaining({ columns: ['store_id', 'product_id'], origin: 'pk', unique: true, partial: false }),
    ]);
    expect(table(model, 'café_ünïcode').indexes).toEqual([
      {
        name: 'idx café lower',
        columns: ['ïd'],
        expressions: ['lower("naïve name")'],
        unique: false,
        origin: 'index',
        partial: false,
      },
    ]);
  });

  it('reads named column CHECKs and table CHECKs, quotes and commas inside them included', () => {
    expect(table(model, 'Branch Notes').checks).toEqual([
      { name: 'amount_not_negative', expression: 'amount >= 0' },
      { name: null, expression: `length(branch_code) > 0 AND "note's text" <> 'x, (y)'` },
    ]);
    expect(table(model, 'stock_levels').checks).toEqual([]);
  });

  it('names read from the model work in SQL once quoted, embedded quotes included', () => {
    const db = openSqlite(dir.file('pos.sqlite'));
    try {
      const notes = table(model, 'Branch Notes');
      const text = quoteIdent(notes.columns[1]?.name ?? '');
      db.exec(
        `INSERT INTO ${qualified('main', notes.name)} (branch_code, ${text}) VALUES (${quoteLiteral('B1')}, ${quoteLiteral("it's open")})`,
      );
      expect(db.prepare(`SELECT ${text} AS v FROM ${quoteIdent(notes.name)}`).get()).toEqual({ v: "it's open" });
      db.exec(`CREATE TABLE ${quoteIdent('say "hi"')} (${quoteIdent('ïd "x"')} INTEGER PRIMARY KEY)`);
      const again = new SqliteIntrospector(db).introspectSync();
      expect(findTable(again, 'say "hi"')?.columns[0]).toMatchObject({ name: 'ïd "x"', identity: 'by default' });
      db.exec(`DROP TABLE ${quoteIdent('say "hi"')}; DELETE FROM ${quoteIdent(notes.name)}`);
    } finally {
      db.close();
    }
  });

  it('async introspect() gives the same model', async () => {
    const db = openSqlite(dir.file('pos.sqlite'), { readonly: true });
    try {
      expect(await new SqliteIntrospector(db).introspect()).toEqual(model);
    } finally {
      db.close();
    }
  });
});

describe('SQLite type knowledge', () => {
  it('parses declared names by intent', () => {
    const cases: [string, object][] = [
      ['INT', { kind: 'integer' }],
      ['MEDIUMINT', { kind: 'integer' }],
      ['UNSIGNED BIG INT', { kind: 'bigint' }],
      ['int8', { kind: 'bigint' }],
      ['TINYINT', { kind: 'smallint' }],
      ['NUMERIC(10)', { kind: 'numeric', precision: 10, scale: 0 }],
      ['NUMERIC', { kind: 'numeric' }],
      ['DOUBLE PRECISION', { kind: 'double' }],
      ['FLOAT', { kind: 'double' }],
      ['BOOL', { kind: 'boolean' }],
      ['TIMESTAMPTZ', { kind: 'timestamptz' }],
      ['DATE', { kind: 'date' }],
      ['TIME', { kind: 'time' }],
      ['CLOB', { kind: 'text' }],
      ['CHARACTER VARYING(40)', { kind: 'varchar', length: 40 }],
      ['NVARCHAR(100)', { kind: 'varchar', length: 100 }],
      ['CHARACTER(2)', { kind: 'char', length: 2 }],
      ['BLOB', { kind: 'bytea' }],
      ['JSON', { kind: 'json' }],
      ['JSONB', { kind: 'jsonb' }],
      ['uuid', { kind: 'uuid' }],
      ['  ', { kind: 'untyped' }],
      ['GEOMETRY', { kind: 'unknown' }],
    ];
    for (const [declared, expected] of cases) expect([declared, parseSqliteType(declared)]).toEqual([declared, expected]);
  });

  it("follows SQLite's affinity rules, in their order", () => {
    expect(sqliteAffinity('FLOATING POINT')).toBe('INTEGER'); // "INT" wins: the documented surprise
    expect(sqliteAffinity('VARCHAR(10)')).toBe('TEXT');
    expect(sqliteAffinity('BLOB')).toBe('BLOB');
    expect(sqliteAffinity('')).toBe('BLOB');
    expect(sqliteAffinity('DOUBLE')).toBe('REAL');
    expect(sqliteAffinity('DECIMAL(12,2)')).toBe('NUMERIC');
    expect(sqliteAffinity('DATETIME')).toBe('NUMERIC');
    expect(sqliteAffinity('STRING')).toBe('NUMERIC');
  });

  it('declares what a careful SQLite app would for PostgreSQL types', () => {
    expect(sqliteDeclaredTypeFor({ kind: 'integer' })).toBe('INTEGER');
    expect(sqliteDeclaredTypeFor({ kind: 'bigint' })).toBe('BIGINT');
    expect(sqliteDeclaredTypeFor({ kind: 'numeric', precision: 12, scale: 2 })).toBe('NUMERIC(12,2)');
    expect(sqliteDeclaredTypeFor({ kind: 'numeric', precision: 20, scale: 4 })).toBe('TEXT');
    expect(sqliteDeclaredTypeFor({ kind: 'numeric' })).toBe('TEXT');
    expect(sqliteDeclaredTypeFor({ kind: 'double' })).toBe('REAL');
    expect(sqliteDeclaredTypeFor({ kind: 'boolean' })).toBe('BOOLEAN');
    expect(sqliteDeclaredTypeFor({ kind: 'timestamptz', precision: 3 })).toBe('DATETIME');
    expect(sqliteDeclaredTypeFor({ kind: 'date' })).toBe('DATE');
    expect(sqliteDeclaredTypeFor({ kind: 'time' })).toBe('TEXT');
    expect(sqliteDeclaredTypeFor({ kind: 'uuid' })).toBe('TEXT');
    expect(sqliteDeclaredTypeFor({ kind: 'jsonb' })).toBe('TEXT');
    expect(sqliteDeclaredTypeFor({ kind: 'enum', enumValues: ['a'] })).toBe('TEXT');
    expect(sqliteDeclaredTypeFor({ kind: 'text', array: true })).toBe('TEXT');
    expect(sqliteDeclaredTypeFor({ kind: 'varchar', length: 40 })).toBe('VARCHAR(40)');
    expect(sqliteDeclaredTypeFor({ kind: 'bytea' })).toBe('BLOB');
    // every declaration keeps text-shaped values as text (no NUMERIC affinity surprises)
    for (const kind of ['uuid', 'json', 'jsonb', 'enum', 'interval', 'time'] as const) {
      expect(sqliteAffinity(sqliteDeclaredTypeFor({ kind }))).toBe('TEXT');
    }
  });
});
