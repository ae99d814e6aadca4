/**
 * A team runs `replicate map`, edits the mapping files by hand, and runs it again after
 * the schemas moved: their edits and comments stay, new columns arrive, dropped ones go,
 * and they are told exactly what changed.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMappings, mappingFileName, writeMappings } from '../src/mapping/mapping-files.js';
import type { ColumnPair, TableMapping } from '../src/mapping/table-mapping.js';
import { tempDir, type TempDir } from './harness/sqlite.js';

const col = (postgres: string, sqlite: string, type: ColumnPair['type'], transform: ColumnPair['transform'] = 'none'): ColumnPair => ({
  postgres,
  sqlite,
  type,
  transform,
});

function mapping(table: string, overrides: Partial<TableMapping>): TableMapping {
  return {
    version: 1,
    table,
    sqliteTable: table,
    fingerprint: { sqlite: `sha256:${table}-sqlite-1`, postgres: `sha256:${table}-pg-1` },
    columns: [col('id', 'id', 'uuid', 'uuid-text')],
    localOnly: { sqlite: [], postgres: [] },
    skipGenerated: [],
    key: { postgres: ['id'], sqlite: ['id'], serverId: null },
    foreignKeys: [],
    cursor: null,
    softDelete: null,
    filter: null,
    conflict: 'pg-wins',
    priority: 100,
    ...overrides,
  };
}

/** What `replicate map` generates for products: the rename not yet recognised, so both sides are listed. */
const productColumns: ColumnPair[] = [
  col('id', 'id', 'uuid', 'uuid-text'),
  col('store_id', 'store_id', 'uuid', 'uuid-text'),
  col('name', 'name', 'text'),
  col('price', 'price', 'numeric', 'decimal-text'),
  col('master_stock_quantity', 'master_stock_quantity', 'integer'),
  col('stock_quantity', 'stock_quantity', 'integer'),
  col('legacy_code', 'legacy_code', 'varchar'),
  col('discontinued', 'discontinued', 'boolean', 'bool-int'),
  col('category_id', 'category_id', 'uuid', 'uuid-text'),
  col('created_at', 'created_at', 'timestamptz', 'timestamp-text'),
  col('updated_at', 'updated_at', 'timestamptz', 'timestamp-text'),
  col('deleted_at', 'deleted_at', 'timestamptz', 'timestamp-text'),
];
const products = mapping('products', {
  columns: productColumns,
  localOnly: { sqlite: ['sync_status', 'last_sync_at'], postgres: [] },
  skipGenerated: ['available_quantity'],
  foreignKeys: [{ columns: ['category_id'], references: 'categories', refColumns: ['id'] }],
  cursor: 'updated_at',
  softDelete: { column: 'deleted_at', kind: 'timestamp' },
  conflict: 'latest-wins',
});
const categories = mapping('categories', {
  columns: [col('id', 'id', 'uuid', 'uuid-text'), col('parent_id', 'parent_id', 'uuid', 'uuid-text'), col('name', 'name', 'text')],
  foreignKeys: [{ columns: ['parent_id'], references: 'categories', refColumns: ['id'] }],
  priority: 10,
});
const orderItems = mapping('order_items', {
  columns: [col('id', 'id', 'bigint', 'int8-bigint'), col('order_id', 'order_id', 'bigint', 'int8-bigint'), col('quantity', 'quantity', 'numeric', 'decimal-text')],
  localOnly: { sqlite: ['server_id'], postgres: [] },
  key: { postgres: ['id'], sqlite: ['id'], serverId: 'server_id' },
});

/** The hand edits a user makes to products.yaml, as text edits on the generated file. */
function handEdit(text: string): string {
  const edited = text
    // one rename pair instead of two one-sided columns, with the user's own comment
    .replace(
      '  - { postgres: master_stock_quantity, sqlite: master_stock_quantity, type: integer, transform: none }\n' +
        '  - { postgres: stock_quantity, sqlite: stock_quantity, type: integer, transform: none }\n',
      '  # renamed in app v2.3: the terminals still call it stock_quantity\n' +
        '  - { postgres: master_stock_quantity, sqlite: stock_quantity, type: integer, transform: none }\n',
    )
    // legacy_code stops replicating: out of columns, into local_only on both sides
    .replace('  - { postgres: legacy_code, sqlite: legacy_code, type: varchar, transform: none }\n', '')
    .replace('  sqlite: [ sync_status, last_sync_at ]\n  postgres: []', '  sqlite: [ sync_status, last_sync_at, legacy_code ]\n  postgres: [ legacy_code ]')
    .replace('cursor: updated_at', 'cursor: created_at')
    .replace('conflict: latest-wins', 'conflict: pg-wins')
    .replace('filter: null', '# each terminal only pulls its own store\nfilter: store_id = :store');
  expect(edited).not.toBe(text); // every edit above found its line
  return edited;
}

/** products as the user's edited file describes it. */
const editedProducts: TableMapping = {
  ...products,
  columns: productColumns
    .filter((c) => !['master_stock_quantity', 'stock_quantity', 'legacy_code'].includes(c.postgres))
    .flatMap((c) => (c.postgres === 'price' ? [c, col('master_stock_quantity', 'stock_quantity', 'integer')] : [c])),
  localOnly: { sqlite: ['sync_status', 'last_sync_at', 'legacy_code'], postgres: ['legacy_code'] },
  cursor: 'created_at',
  conflict: 'pg-wins',
  filter: 'store_id = :store',
};

let dir: TempDir;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

describe('replicate map writes one mapping file per table', () => {
  it('writes the generated set and reads back exactly what it wrote', () => {
    const mappingsDir = join(dir.path, 'mappings');
    const result = writeMappings(mappingsDir, [categories, orderItems, products]);

    expect(readdirSync(mappingsDir).sort()).toEqual(['categories.yaml', 'order_items.yaml', 'products.yaml']);
    expect(result.files.map((f) => [f.table, f.path, f.changes.map((c) => c.kind)])).toEqual([
      ['categories', join(mappingsDir, 'categories.yaml'), ['created']],
      ['order_items', join(mappingsDir, 'order_items.yaml'), ['created']],
      ['products', join(mappingsDir, 'products.yaml'), ['created']],
    ]);
    const loaded = loadMappings(mappingsDir);
    expect([...loaded.keys()].sort()).toEqual(['categories', 'order_items', 'products']);
    expect(loaded.get('products')).toEqual({ mapping: products, source: { kind: 'file', path: join(mappingsDir, 'products.yaml') } });
    expect(loaded.get('categories')?.mapping).toEqual(categories);
    expect(loaded.get('order_items')?.mapping).toEqual(orderItems);

    const text = readFileSync(join(mappingsDir, 'products.yaml'), 'utf8');
    expect(text.startsWith('# replicate mapping for table "products"\n')).toBe(true);
    expect(text).toContain('# Generated by `replicate map`; this file is yours to edit.');
    expect(text).toContain('  - { postgres: price, sqlite: price, type: numeric, transform: decimal-text }\n');
    expect(text).toContain('conflict: latest-wins\n');
  });

  it('a directory that does not exist holds no mappings', () => {
    expect(loadMappings(join(dir.path, 'nowhere')).size).toBe(0);
  });

  it('keeps hand edits and comments when run again, adds the new column and says so', () => {
    writeMappings(dir.path, [products, categories]);
    const file = join(dir.path, 'products.yaml');
    writeFileSync(file, handEdit(readFileSync(file, 'utf8')));
    const categoriesBefore = readFileSync(join(dir.path, 'categories.yaml'), 'utf8');

    // the schemas moved: PostgreSQL and SQLite both gained products.barcode
    const regenerated: TableMapping = {
      ...products,
      columns: [...productColumns, col('barcode', 'barcode', 'text')],
      fingerprint: { sqlite: 'sha256:products-sqlite-2', postgres: 'sha256:products-pg-2' },
    };
    const result = writeMappings(dir.path, [regenerated, categories]);

    expect(result.files.find((f) => f.table === 'products')?.changes).toEqual([
      { table: 'products', kind: 'column_added', detail: 'column barcode (text, transform none) added to columns' },
      { table: 'products', kind: 'fingerprint_updated', detail: 'the sqlite and postgres schema changed since this file was generated' },
    ]);
    expect(result.files.find((f) => f.table === 'categories')?.changes.map((c) => c.kind)).toEqual(['unchanged']);
    expect(readFileSync(join(dir.path, 'categories.yaml'), 'utf8')).toBe(categoriesBefore);

    const text = readFileSync(file, 'utf8');
    expect(text).toContain(
      '  # renamed in app v2.3: the terminals still call it stock_quantity\n' +
        '  - { postgres: master_stock_quantity, sqlite: stock_quantity, type: integer, transform: none }\n',
    );
    expect(text).toContain('# each terminal only pulls its own store\nfilter: store_id = :store\n');
    expect(text).toContain('  - { postgres: barcode, sqlite: barcode, type: text, transform: none }\n');
    expect(text).not.toContain('postgres: stock_quantity');
    expect(text).not.toContain('postgres: legacy_code');

    expect(loadMappings(dir.path).get('products')?.mapping).toEqual({
      ...editedProducts,
      columns: [...editedProducts.columns, col('barcode', 'barcode', 'text')],
      fingerprint: { sqlite: 'sha256:products-sqlite-2', postgres: 'sha256:products-pg-2' },
    });

    // a third run with nothing new changes nothing, byte for byte
    const again = writeMappings(dir.path, [regenerated, categories]);
    expect(again.files.find((f) => f.table === 'products')?.changes).toEqual([{ table: 'products', kind: 'unchanged', detail: 'no changes' }]);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('removes columns gone from both databases, reports each, and leaves the rest of the edits alone', () => {
    writeMappings(dir.path, [products]);
    const file = join(dir.path, 'products.yaml');
    writeFileSync(file, handEdit(readFileSync(file, 'utf8')));

    // discontinued and legacy_code were dropped from PostgreSQL and from SQLite
    const regenerated: TableMapping = {
      ...products,
      columns: productColumns.filter((c) => c.postgres !== 'discontinued' && c.postgres !== 'legacy_code'),
      fingerprint: { sqlite: 'sha256:products-sqlite-3', postgres: 'sha256:products-pg-3' },
    };
    const [result] = writeMappings(dir.path, [regenerated]).files;

    expect(result?.changes).toEqual([
      { table: 'products', kind: 'column_removed', detail: 'column discontinued no longer exists in either database; its entry was removed' },
      { table: 'products', kind: 'column_removed', detail: 'sqlite column legacy_code no longer exists; removed from local_only.sqlite' },
      { table: 'products', kind: 'column_removed', detail: 'postgres column legacy_code no longer exists; removed from local_only.postgres' },
      { table: 'products', kind: 'fingerprint_updated', detail: 'the sqlite and postgres schema changed since this file was generated' },
    ]);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('discontinued');
    expect(text).not.toContain('legacy_code');
    expect(text).toContain('# renamed in app v2.3: the terminals still call it stock_quantity\n');
    expect(loadMappings(dir.path).get('products')?.mapping).toEqual({
      ...editedProducts,
      columns: editedProducts.columns.filter((c) => c.postgres !== 'discontinued'),
      localOnly: { sqlite: ['sync_status', 'last_sync_at'], postgres: [] },
      fingerprint: { sqlite: 'sha256:products-sqlite-3', postgres: 'sha256:products-pg-3' },
    });
  });

  it('adds a new foreign key and drops one whose column is gone', () => {
    writeMappings(dir.path, [products]);
    const regenerated: TableMapping = {
      ...products,
      columns: [...productColumns.filter((c) => c.postgres !== 'category_id'), col('supplier_id', 'supplier_id', 'uuid', 'uuid-text')],
      foreignKeys: [{ columns: ['supplier_id'], references: 'suppliers', refColumns: ['id'] }],
    };
    const [result] = writeMappings(dir.path, [regenerated]).files;

    expect(result?.changes.map((c) => [c.kind, c.detail])).toEqual([
      ['column_removed', 'column category_id no longer exists in either database; its entry was removed'],
      ['fk_removed', 'foreign key (category_id) -> categories(id) removed: its column no longer exists'],
      ['column_added', 'column supplier_id (uuid, transform uuid-text) added to columns'],
      ['fk_added', 'foreign key (supplier_id) -> suppliers(id) added'],
    ]);
    expect(loadMappings(dir.path).get('products')?.mapping.foreignKeys).toEqual([
      { columns: ['supplier_id'], references: 'suppliers', refColumns: ['id'] },
    ]);
  });

  it('a cursor whose column is gone from both databases falls back to the generated cursor, and says so', () => {
    writeMappings(dir.path, [products]);
    const file = join(dir.path, 'products.yaml');
    writeFileSync(file, handEdit(readFileSync(file, 'utf8'))); // cursor: created_at
    const regenerated: TableMapping = { ...products, columns: productColumns.filter((c) => c.postgres !== 'created_at') };
    const [result] = writeMappings(dir.path, [regenerated]).files;

    expect(result?.changes.map((c) => [c.kind, c.detail])).toEqual([
      ['column_removed', 'column created_at no longer exists in either database; its entry was removed'],
      ['column_removed', 'cursor created_at was removed with its column; cursor is now updated_at'],
    ]);
    const loaded = loadMappings(dir.path).get('products')?.mapping;
    expect([loaded?.cursor, loaded?.conflict, loaded?.filter]).toEqual(['updated_at', 'pg-wins', 'store_id = :store']);
  });

  it('keeps table and column names with spaces, quotes, slashes and unicode intact', () => {
    const branchNotes = mapping('Branch Notes', {
      columns: [col('id', 'id', 'integer'), col("note's text", "note's text", 'text'), col('updated_at', 'updated_at', 'timestamptz', 'timestamp-text')],
      cursor: 'updated_at',
      filter: "kind <> 'draft' AND \"note's text\" IS NOT NULL",
    });
    const unicode = mapping('店舗メモ', { columns: [col('id', 'id', 'integer'), col('メモ', 'メモ', 'text'), col('größe', 'grösse', 'integer')] });
    const awkward = mapping('stock/levels: "a|b"', { columns: [col('id', 'id', 'integer'), col('#tag', '#tag', 'text')] });

    writeMappings(dir.path, [branchNotes, unicode, awkward]);

    expect(mappingFileName('Branch Notes')).toBe('Branch Notes.yaml');
    expect(mappingFileName('stock/levels: "a|b"')).toBe('stock%2Flevels%3A %22a%7Cb%22.yaml');
    expect(readdirSync(dir.path).sort()).toEqual(['Branch Notes.yaml', 'stock%2Flevels%3A %22a%7Cb%22.yaml', '店舗メモ.yaml']);
    const loaded = loadMappings(dir.path);
    expect(loaded.get('Branch Notes')?.mapping).toEqual(branchNotes);
    expect(loaded.get('店舗メモ')?.mapping).toEqual(unicode);
    expect(loaded.get('stock/levels: "a|b"')?.mapping).toEqual(awkward);
    expect(readFileSync(join(dir.path, 'Branch Notes.yaml'), 'utf8')).toContain('# replicate mapping for table "Branch Notes"\n');

    // regenerating over them is a no-op: the names match their files
    const again = writeMappings(dir.path, [branchNotes, unicode, awkward]);
    expect(again.files.map((f) => f.changes[0]?.kind)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });
});
