/**
 * The user's story: before `replicate run`, the point-of-sale owner asks for the plan
 * (`run --dry-run`) on the terminal database and the central server. Before the fix
 * script it says which tables SQLite lacks and how to fix that; afterwards it plans all
 * fourteen tables in both directions, parents before children, never writes a generated
 * column, keys terminals by the server id the terminal stores, honours --tables and
 * --full, and prints every table with its mode.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, PlanError } from '../src/errors.js';
import { introspectPair, type SchemaPair } from '../src/introspect/introspect-pair.js';
import { resolveMappings } from '../src/mapping/resolve-mappings.js';
import type { LoadedMapping } from '../src/mapping/table-mapping.js';
import { findColumn, findTable, type Column, type SchemaModel } from '../src/model/schema.js';
import { buildRunPlan } from '../src/replicator/plan/build-run-plan.js';
import { renderRunPlan } from '../src/replicator/plan/render-run-plan.js';
import { DIRECTIONS, type Direction, type RunPlan } from '../src/replicator/run-plan.js';
import { applyFixScript } from '../src/schema-fix/apply-fix-script.js';
import { planSqliteFix } from '../src/schema-fix/plan-sqlite-fix.js';
import { readSqliteSchemaSource } from '../src/schema-fix/sqlite-schema-source.js';
import { createTestDatabase } from './harness/pg.js';
import { setupPosPair, type PosPair } from './harness/pos.js';
import { createSqliteFile, tempDir } from './harness/sqlite.js';

const POS_TABLES = [
  'audit_logs', 'categories', 'customers', 'order_items', 'orders', 'payments', 'products', 'shifts',
  'stock_levels', 'stores', 'system_settings', 'terminal_stock_levels', 'terminals', 'users',
];

let pos: PosPair;
let before: { pair: SchemaPair; mappings: LoadedMapping[] };
let after: { pair: SchemaPair; mappings: LoadedMapping[] };

async function mapped(p: PosPair): Promise<{ pair: SchemaPair; mappings: LoadedMapping[] }> {
  const pair = await introspectPair({ sqlitePath: p.sqlitePath, pgUrl: p.db.url });
  return { pair, mappings: resolveMappings(pair.sqlite, pair.postgres, new Map()).mappings };
}

beforeAll(async () => {
  pos = await setupPosPair();
  before = await mapped(pos);
  await applyFixScript(pos.sqlitePath, planSqliteFix(before.pair, before.mappings, readSqliteSchemaSource(pos.sqlitePath)), {
    backupPath: pos.dir.file('terminal.db.backup'),
  });
  after = await mapped(pos);
});

afterAll(async () => {
  await pos?.cleanup();
});

function columnOf(schema: SchemaModel, table: string, column: string): Column | undefined {
  const t = findTable(schema, table);
  return t ? findColumn(t, column) : undefined;
}

const planFor = (direction: Direction, extra: { tables?: string[]; full?: boolean } = {}): RunPlan =>
  buildRunPlan(after.pair, after.mappings, { direction, ...extra });

describe('before the fix script', () => {
  it('pulling into SQLite plans the tables it has and says how to get the three it lacks', () => {
    const plan = buildRunPlan(before.pair, before.mappings, { direction: 'pg-to-sqlite' });
    const names = plan.tables.map((t) => t.table);
    for (const missing of ['system_settings', 'audit_logs', 'terminal_stock_levels']) {
      expect(names).not.toContain(missing);
      expect(plan.notes).toContain(`${missing}: missing in SQLite; run \`replicate fix-script --apply\` or \`run --create-missing\``);
    }
    expect(names).toHaveLength(11);
    // a column the terminal lacks is not written, and said so
    expect(plan.tables.find((t) => t.table === 'orders')?.columns.map((c) => c.pg)).not.toContain('store_id');
    expect(plan.notes).toContain('orders.store_id: missing in SQLite; not replicated');
  });
});

describe('after the fix script, both directions', () => {
  it.each(DIRECTIONS)('%s plans all fourteen tables, says the mapping is generated, and that audit_logs has no cursor', (direction) => {
    const plan = planFor(direction);
    expect(plan.direction).toBe(direction);
    expect(plan.tables.map((t) => t.table).sort()).toEqual(POS_TABLES);
    expect(plan.cycles).toEqual([]);
    expect(plan.notes).toContain('using the generated mapping for 14 tables (no mapping files)');
    expect(plan.notes).toContain('audit_logs: no cursor column, copied in full each run');
    const audit = plan.tables.find((t) => t.table === 'audit_logs');
    expect(audit).toMatchObject({ cursor: null, mode: 'full' });
    const orders = plan.tables.find((t) => t.table === 'orders');
    expect(orders).toMatchObject({ cursor: 'updated_at', mode: 'incremental', key: ['id'], keyTranslation: null, filter: null, estimatedRows: 0 });
  });

  it.each(DIRECTIONS)('%s loads every parent before its children, for every FK of both schemas', (direction) => {
    const plan = planFor(direction);
    const position = new Map(plan.tables.map((t, i) => [t.table, i]));
    let checked = 0;
    for (const schema of [after.pair.postgres, after.pair.sqlite]) {
      for (const table of schema.tables) {
        for (const fk of table.foreignKeys) {
          if (fk.refTable === table.name) continue;
          expect(position.get(fk.refTable), `${schema.side}: ${table.name}.${fk.columns.join(',')} -> ${fk.refTable}`).toBeLessThan(position.get(table.name) ?? -1);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
    // and the plan checks the same FKs it ordered by: every PostgreSQL FK is guarded
    for (const table of after.pair.postgres.tables) {
      const planned = plan.tables.find((t) => t.table === table.name);
      for (const fk of table.foreignKeys) {
        expect(planned?.foreignKeys, `${table.name} -> ${fk.refTable}`).toContainEqual({
          columns: fk.columns,
          refTable: fk.refTable,
          refColumns: fk.refColumns,
          deferred: false,
          selfReference: fk.refTable === table.name,
        });
      }
    }
  });

  it('categories.parent_id is a self-reference, not a cycle', () => {
    const categories = planFor('sqlite-to-pg').tables.find((t) => t.table === 'categories');
    expect(categories?.foreignKeys).toEqual([{ columns: ['parent_id'], refTable: 'categories', refColumns: ['id'], deferred: false, selfReference: true }]);
    expect(categories?.deferredColumns).toEqual([]);
  });

  it.each(DIRECTIONS)('%s never writes a column the target generates; stock_levels.available_quantity is in neither plan', (direction) => {
    const plan = planFor(direction);
    const stock = plan.tables.find((t) => t.table === 'stock_levels');
    expect(stock?.columns.map((c) => c.pg)).toEqual(['store_id', 'product_id', 'quantity', 'reserved_quantity', 'created_at', 'updated_at']);
    expect(columnOf(after.pair.postgres, 'stock_levels', 'available_quantity')?.generated).not.toBeNull();
    expect(columnOf(after.pair.sqlite, 'stock_levels', 'available_quantity')).toBeUndefined();
    for (const t of plan.tables) {
      for (const c of t.columns) {
        const written = direction === 'sqlite-to-pg' ? columnOf(after.pair.postgres, t.table, c.pg) : columnOf(after.pair.sqlite, t.sqliteTable, c.sqlite);
        expect(written, `${t.table}.${c.pg}`).toBeDefined();
        expect(written?.generated ?? null, `${t.table}.${c.pg}`).toBeNull();
      }
    }
  });

  it('columns carry both sides types, the transform and the SQLite time format', () => {
    const products = planFor('pg-to-sqlite').tables.find((t) => t.table === 'products');
    const col = (pg: string) => products?.columns.find((c) => c.pg === pg);
    expect(col('master_stock_quantity')).toMatchObject({ sqlite: 'stock_quantity', pgType: { kind: 'numeric', precision: 12, scale: 3 }, transform: 'decimal-text', sqliteFormat: null });
    expect(col('updated_at')).toMatchObject({ pgType: { kind: 'timestamptz' }, transform: 'timestamp-text', sqliteFormat: 'iso-t-z' });
    expect(col('attributes')).toMatchObject({ pgType: { kind: 'jsonb' }, sqliteType: { kind: 'text' }, transform: 'json-text' });
    // legacy_code lives only in SQLite
    expect(col('legacy_code')).toBeUndefined();
    expect(planFor('pg-to-sqlite').notes).toContain('products.legacy_code: missing in PostgreSQL; not replicated');
  });

  it.each(DIRECTIONS)('%s keys terminals by PostgreSQL id, which SQLite keeps in server_id next to its own local_id', (direction) => {
    const terminals = planFor(direction).tables.find((t) => t.table === 'terminals');
    expect(terminals?.key).toEqual(['id']);
    expect(terminals?.keyTranslation).toEqual({ sqliteKey: ['local_id'], serverId: 'server_id' });
    expect(terminals?.columns.find((c) => c.pg === 'id')).toMatchObject({ sqlite: 'server_id', transform: 'uuid-text' });
    expect(terminals?.columns.map((c) => c.sqlite)).not.toContain('local_id');
  });
});

describe('--tables and --full', () => {
  it('--tables plans only the named tables, in FK order, and says which parents it does not check', () => {
    const plan = planFor('sqlite-to-pg', { tables: ['order_items', 'orders'] });
    expect(plan.tables.map((t) => t.table)).toEqual(['orders', 'order_items']);
    expect(plan.tables[1]?.foreignKeys.map((f) => f.refTable)).toEqual(['orders']);
    expect(plan.tables[0]?.foreignKeys).toEqual([]);
    expect(plan.notes).toContain('orders.store_id -> stores: stores not replicated in this run; rows are not checked against it');
    expect(plan.notes).toContain('order_items.product_id -> products: products not replicated in this run; rows are not checked against it');
    expect(plan.notes).toContain('using the generated mapping for 2 tables (no mapping files)');
  });

  it('--tables with a name the mapping does not know is bad input naming it', () => {
    let error: unknown;
    try {
      planFor('pg-to-sqlite', { tables: ['orders', 'order_lines', 'receipts'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe('tables');
    expect((error as ConfigError).message).toContain('unknown tables order_lines, receipts');
  });

  it('--full copies every table in full; the cursors stay known', () => {
    const plan = planFor('pg-to-sqlite', { full: true });
    expect(plan.tables.every((t) => t.mode === 'full')).toBe(true);
    expect(plan.tables.find((t) => t.table === 'orders')?.cursor).toBe('updated_at');
  });

  it('a mapping whose key column is not replicated is refused, naming the table', () => {
    const broken = after.mappings.map((m): LoadedMapping =>
      m.mapping.table === 'payments' ? { ...m, mapping: { ...m.mapping, columns: m.mapping.columns.filter((c) => c.postgres !== 'id') } } : m,
    );
    expect(() => buildRunPlan(after.pair, broken, { direction: 'sqlite-to-pg' })).toThrow(PlanError);
    expect(() => buildRunPlan(after.pair, broken, { direction: 'sqlite-to-pg' })).toThrow(/^payments: key column id is not replicated/);
  });
});

describe('the printed plan', () => {
  it.each([
    ['sqlite-to-pg', false],
    ['pg-to-sqlite', true],
  ] as const)('%s (--full: %s) names every table with its mode, in load order, and ends with the notes', (direction, full) => {
    const plan = planFor(direction, { full });
    const text = renderRunPlan(plan);
    expect(text).toBe(renderRunPlan(planFor(direction, { full })));
    expect(text.split('\n')[0]).toBe(`Plan ${direction}: 14 tables, parents before children`);
    const lines = text.split('\n');
    plan.tables.forEach((t, i) => {
      const line = lines.find((l) => new RegExp(`^\\s+${i + 1}  ${t.table}\\s`).test(l));
      expect(line, t.table).toBeDefined();
      const mode = t.mode === 'incremental' ? `incremental by ${t.cursor}` : 'full';
      expect(line).toContain(mode);
    });
    expect(lines.find((l) => /\sterminals\s/.test(l))).toContain('id = SQLite server_id (local key local_id)');
    expect(text).toContain('categories.parent_id -> categories');
    expect(text).toContain('  - audit_logs: no cursor column, copied in full each run');
  });
});

describe('a cycle between two tables', () => {
  // every user belongs to a store and every store names its manager; the terminal lets a
  // store exist without a manager, PostgreSQL does not
  const PG = `
    CREATE TABLE stores (id integer PRIMARY KEY, name text NOT NULL, manager_id integer NOT NULL, updated_at timestamptz NOT NULL);
    CREATE TABLE users (id integer PRIMARY KEY, store_id integer NOT NULL REFERENCES stores (id), name text, updated_at timestamptz NOT NULL);
    ALTER TABLE stores ADD FOREIGN KEY (manager_id) REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;`;
  const SQLITE = `
    CREATE TABLE stores (id INTEGER PRIMARY KEY, name TEXT NOT NULL, manager_id INTEGER REFERENCES users (id), updated_at DATETIME NOT NULL);
    CREATE TABLE users (id INTEGER PRIMARY KEY, store_id INTEGER NOT NULL REFERENCES stores (id), name TEXT, updated_at DATETIME NOT NULL);`;
  let cycle: { pair: SchemaPair; mappings: LoadedMapping[] };
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const db = await createTestDatabase('cycle');
    await db.exec(PG);
    const dir = tempDir();
    createSqliteFile(dir.file('t.db'), SQLITE);
    const pair = await introspectPair({ sqlitePath: dir.file('t.db'), pgUrl: db.url });
    cycle = { pair, mappings: resolveMappings(pair.sqlite, pair.postgres, new Map()).mappings };
    cleanup = async () => {
      await db.drop();
      dir.remove();
    };
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('into SQLite, stores.manager_id (nullable there) is written in a second pass, and the plan says so', () => {
    const plan = buildRunPlan(cycle.pair, cycle.mappings, { direction: 'pg-to-sqlite' });
    expect(plan.cycles).toEqual([['stores', 'users']]);
    expect(plan.tables.map((t) => t.table)).toEqual(['stores', 'users']);
    const [stores, users] = plan.tables;
    expect(stores?.deferredColumns).toEqual(['manager_id']);
    expect(stores?.foreignKeys).toEqual([{ columns: ['manager_id'], refTable: 'users', refColumns: ['id'], deferred: true, selfReference: false }]);
    expect(users?.deferredColumns).toEqual([]);
    expect(users?.foreignKeys).toEqual([{ columns: ['store_id'], refTable: 'stores', refColumns: ['id'], deferred: false, selfReference: false }]);
    const text = renderRunPlan(plan);
    expect(text).toMatch(/^\s+1  stores\s.*\smanager_id\s/m);
    expect(text).toContain('  stores, users: deferred stores.manager_id -> users');
  });

  it('into PostgreSQL, where both FKs are NOT NULL, the cycle cannot be broken and the plan is refused naming both tables', () => {
    let error: unknown;
    try {
      buildRunPlan(cycle.pair, cycle.mappings, { direction: 'sqlite-to-pg' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlanError);
    expect((error as PlanError).tables).toEqual(['stores', 'users']);
    expect((error as PlanError).detail).toContain('stores.manager_id -> users');
  });
});

describe('a generated PostgreSQL column the terminal keeps a plain copy of', () => {
  // last: it changes the terminal database the other tests planned from
  it('is read from PostgreSQL into SQLite, and never written back to PostgreSQL', async () => {
    const db = new Database(pos.sqlitePath);
    try {
      db.exec('ALTER TABLE stock_levels ADD COLUMN available_quantity DECIMAL(12,3)');
    } finally {
      db.close();
    }
    const { pair, mappings } = await mapped(pos);
    // the user pairs it in mappings/stock_levels.yaml
    const edited = mappings.map((m): LoadedMapping =>
      m.mapping.table === 'stock_levels'
        ? {
            source: { kind: 'file', path: 'mappings/stock_levels.yaml' },
            mapping: {
              ...m.mapping,
              skipGenerated: [],
              columns: [...m.mapping.columns, { postgres: 'available_quantity', sqlite: 'available_quantity', type: 'numeric', transform: 'decimal-text' }],
            },
          }
        : m,
    );
    const columnsOf = (direction: Direction) => buildRunPlan(pair, edited, { direction }).tables.find((t) => t.table === 'stock_levels')?.columns.map((c) => c.pg);
    expect(columnsOf('pg-to-sqlite')).toContain('available_quantity');
    expect(columnsOf('sqlite-to-pg')).not.toContain('available_quantity');
    const notes = buildRunPlan(pair, edited, { direction: 'sqlite-to-pg' }).notes;
    expect(notes[0]).toBe(`no mapping file for ${POS_TABLES.filter((t) => t !== 'stock_levels').join(', ')}: using the generated mapping`);
  });
});
