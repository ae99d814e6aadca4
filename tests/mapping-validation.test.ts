/**
 * A user who breaks a mapping file by hand is told which file, which line and which
 * key, and what was expected: nothing runs on a mapping that does not validate.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MappingError } from '../src/errors.js';
import { loadMappings, writeMappings } from '../src/mapping/mapping-files.js';
import { parseMappingYaml } from '../src/mapping/mapping-schema.js';
import { tempDir, type TempDir } from './harness/sqlite.js';

// A valid products.yaml; the tests below break one numbered line of it.
const VALID = [
  /*  1 */ '# replicate mapping for table "products"',
  /*  2 */ 'version: 1',
  /*  3 */ 'table: products',
  /*  4 */ 'sqlite_table: products',
  /*  5 */ 'fingerprint:',
  /*  6 */ '  sqlite: sha256:aaa',
  /*  7 */ '  postgres: sha256:bbb',
  /*  8 */ 'columns:',
  /*  9 */ '  - { postgres: id, sqlite: id, type: uuid, transform: uuid-text }',
  /* 10 */ '  - { postgres: name, sqlite: name, type: text, transform: none }',
  /* 11 */ '  - { postgres: active, sqlite: active, type: boolean, transform: bool-int }',
  /* 12 */ '  - { postgres: updated_at, sqlite: updated_at, type: timestamptz, transform: timestamp-text }',
  /* 13 */ 'local_only:',
  /* 14 */ '  sqlite: [local_id, sync_status]',
  /* 15 */ '  postgres: []',
  /* 16 */ 'skip_generated: [available_quantity]',
  /* 17 */ 'key: { postgres: [id], sqlite: [id], server_id: null }',
  /* 18 */ 'foreign_keys: []',
  /* 19 */ 'cursor: updated_at',
  /* 20 */ 'soft_delete: null',
  /* 21 */ 'filter: null',
  /* 22 */ 'conflict: latest-wins',
  /* 23 */ 'priority: 100',
];

/** The valid file with line `line` (1-based) replaced by `text` (which may be several lines). */
function withLine(line: number, text: string): string {
  return VALID.map((l, i) => (i + 1 === line ? text : l)).join('\n') + '\n';
}

let dir: TempDir;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

/** Write `text` as a mapping file among valid ones and load the directory; return the error it gives. */
function loadError(text: string, fileName = 'products.yaml'): MappingError {
  writeMappings(dir.path, []); // creates the directory
  writeFileSync(join(dir.path, 'categories.yaml'), withLine(3, 'table: categories'));
  writeFileSync(join(dir.path, fileName), text);
  try {
    loadMappings(dir.path);
  } catch (e) {
    if (e instanceof MappingError) return e;
    throw e;
  }
  throw new Error('the mapping loaded without error');
}

describe('loading mapping files names the file, line and key of a mistake', () => {
  it('loads the untouched file', () => {
    writeFileSync(join(dir.path, 'products.yaml'), VALID.join('\n') + '\n');
    const products = loadMappings(dir.path).get('products')?.mapping;
    expect(products?.columns.map((c) => c.postgres)).toEqual(['id', 'name', 'active', 'updated_at']);
    expect(products?.cursor).toBe('updated_at');
  });

  it('a list item indented wrongly is a YAML error on that line', () => {
    const err = loadError(withLine(11, ' - { postgres: active, sqlite: active, type: boolean, transform: bool-int }'));
    expect(err.file).toBe(join(dir.path, 'products.yaml'));
    expect(err.line).toBe(11);
    expect(err.key).toBeNull();
    expect(err.problem).toMatch(/^YAML syntax error: /);
    expect(err.message).toBe(`${join(dir.path, 'products.yaml')}:11: ${err.problem}`);
  });

  it('a quote left open is reported where it opened, not at the end of the file', () => {
    const err = loadError(withLine(21, 'filter: "store_id = :store'));
    expect([err.line, err.key, err.problem]).toEqual([21, null, 'YAML syntax error: the quote opened at column 9 is never closed']);
  });

  it('a misspelt key is unknown, with the key it probably meant', () => {
    const err = loadError(withLine(19, 'cursr: updated_at'));
    expect(err.file).toBe(join(dir.path, 'products.yaml'));
    expect(err.line).toBe(19);
    expect(err.key).toBe('cursr');
    expect(err.problem).toMatch(/^unknown key 'cursr'; did you mean 'cursor'\? \(allowed here: version, table, sqlite_table, /);
    expect(err.message).toBe(`${join(dir.path, 'products.yaml')}:19 (cursr): ${err.problem}`);
  });

  it('a misspelt key inside a column entry names the entry', () => {
    const err = loadError(withLine(10, '  - { postgres: name, sqlite: name, type: text, transfrom: none }'));
    expect([err.line, err.key]).toEqual([10, 'columns.1.transfrom']);
    expect(err.problem).toBe("unknown key 'transfrom'; did you mean 'transform'? (allowed here: postgres, sqlite, type, transform)");
  });

  it('a value outside its allowed set lists the allowed values', () => {
    const err = loadError(withLine(11, '  - { postgres: active, sqlite: active, type: boolean, transform: boolint }'));
    expect([err.line, err.key]).toEqual([11, 'columns.2.transform']);
    expect(err.problem).toBe(
      'transform must be one of none, bool-int, decimal-text, decimal-real, timestamp-text, date-text, json-text, ' +
        "uuid-text, bytea-blob, array-json, enum-text, int8-bigint; got 'boolint' (did you mean 'bool-int'?)",
    );

    const conflict = loadError(withLine(22, 'conflict: newest-wins'));
    expect([conflict.line, conflict.key]).toEqual([22, 'conflict']);
    expect(conflict.problem).toBe("conflict must be one of latest-wins, sqlite-wins, pg-wins, manual; got 'newest-wins' (did you mean 'latest-wins'?)");

    const type = loadError(withLine(12, '  - { postgres: updated_at, sqlite: updated_at, type: datetime, transform: timestamp-text }'));
    expect([type.line, type.key]).toEqual([12, 'columns.3.type']);
    expect(type.problem).toMatch(/^type must be one of smallint, integer, bigint, .*timestamptz.*; got 'datetime'$/);
  });

  it('a value of the wrong kind says what was expected', () => {
    const err = loadError(withLine(23, 'priority: high'));
    expect([err.line, err.key, err.problem]).toEqual([23, 'priority', "priority must be a number; got 'high'"]);
  });

  it('a cursor that is not a paired column is refused', () => {
    const err = loadError(withLine(19, 'cursor: sync_status'));
    expect([err.line, err.key]).toEqual([19, 'cursor']);
    expect(err.problem).toBe(
      "cursor must name a paired PostgreSQL column (one of id, name, active, updated_at) or be null; got 'sync_status'",
    );
  });

  it('a column paired twice is refused at its second use', () => {
    const err = loadError(
      withLine(12, [VALID[11], '  - { postgres: name, sqlite: title, type: text, transform: none }'].join('\n')),
    );
    expect([err.line, err.key]).toEqual([13, 'columns.4.postgres']);
    expect(err.problem).toBe("postgres column 'name' is already used at columns.1.postgres; a column may be paired only once");
  });

  it('a column cannot be both paired and local-only', () => {
    const err = loadError(withLine(14, '  sqlite: [local_id, sync_status, active]'));
    expect([err.line, err.key]).toEqual([14, 'local_only.sqlite.2']);
    expect(err.problem).toMatch(/^sqlite column 'active' is already used at columns\.2\.sqlite; /);
  });

  it('a key column must be paired or a skipped generated column', () => {
    const err = loadError(withLine(17, 'key: { postgres: [uuid], sqlite: [id], server_id: null }'));
    expect([err.line, err.key]).toEqual([17, 'key.postgres.0']);
    expect(err.problem).toBe("key column 'uuid' must be paired in columns or listed in skip_generated");
  });

  it('the table must match the file name', () => {
    const err = loadError(VALID.join('\n') + '\n', 'product.yaml');
    expect(err.file).toBe(join(dir.path, 'product.yaml'));
    expect([err.line, err.key]).toEqual([3, 'table']);
    expect(err.problem).toBe("table 'products' does not match the file name product.yaml; its file is products.yaml");
  });

  it('parses text on its own with the same checks', () => {
    expect(() => parseMappingYaml(withLine(2, 'version: 2'), 'mappings/products.yaml')).toThrow(
      new MappingError('mappings/products.yaml', 2, 'version', 'version must be 1; got 2'),
    );
  });

  it('regenerating over a broken file changes no file and names the broken line', () => {
    const broken = withLine(19, 'cursr: updated_at');
    const file = join(dir.path, 'products.yaml');
    writeFileSync(file, broken);
    const generated = parseMappingYaml(VALID.join('\n') + '\n', file);

    expect(() => writeMappings(dir.path, [{ ...generated, table: 'categories', sqliteTable: 'categories' }, generated])).toThrow(
      expect.objectContaining({ file, line: 19, key: 'cursr' }),
    );
    expect(readFileSync(file, 'utf8')).toBe(broken);
    expect(() => readFileSync(join(dir.path, 'categories.yaml'))).toThrow(/ENOENT/);
  });
});
