/**
 * A realistic TuiSnapshot for component tests: a small shop pair in FK order
 * (customers -> products -> orders -> order_items -> audit_log), built from real schema
 * models through the real mapping generator, with the situations the TUI exists to show:
 * - orders: one row {"id":17} waiting on its parent customers {"id":999} (customer_id),
 *   and a drift error (status is NOT NULL in PostgreSQL, missing in SQLite);
 * - order_items: running at 40%, one reject {"id":5} (qty NULL into NOT NULL) with a wide
 *   row whose last column (`gift_message`) only shows after scrolling right;
 * - products: a drift warning (price REAL vs numeric(12,2)) and a rename
 *   (stock_quantity -> master_stock_quantity);
 * - customers: SQLite keyed by local_id with server_id (key translation), sync_status local-only;
 * - audit_log: PostgreSQL only, pending.
 * Times are fixed relative to FIXTURE_NOW so "waited 2m" is stable.
 */
import type { Column, SchemaModel, Table } from '../../src/model/schema.js';
import { generateMappings } from '../../src/mapping/generate-mapping.js';
import { renderMappingYaml } from '../../src/mapping/mapping-yaml.js';
import { parsePostgresType } from '../../src/mapping/types/postgres-types.js';
import { parseSqliteType } from '../../src/mapping/types/sqlite-types.js';
import type { Finding } from '../../src/verify/finding.js';
import type { OutputLine, TableProgress, TableView, TuiSnapshot } from '../../src/tui/state/tui-snapshot.js';

/** "now" for the fixture: the waiting row was first seen 2 minutes before. */
export const FIXTURE_NOW = Date.parse('2026-11-30T12:00:00Z');
const ago = (ms: number): string => new Date(FIXTURE_NOW - ms).toISOString();

type ColSpec = [name: string, declared: string, opts?: { notNull?: boolean; generated?: string; identity?: boolean; def?: string }];

function columns(side: 'sqlite' | 'postgres', specs: ColSpec[]): Column[] {
  return specs.map(([name, declaredType, o = {}], i) => ({
    name,
    ordinal: i + 1,
    declaredType,
    type: side === 'sqlite' ? parseSqliteType(declaredType) : parsePostgresType({ formatted: declaredType }),
    nullable: !o.notNull,
    default: o.def ?? null,
    generated: o.generated ? { storage: 'stored', expression: o.generated } : null,
    identity: o.identity ? 'by default' : null,
  }));
}

function table(name: string, side: 'sqlite' | 'postgres', specs: ColSpec[], pk: string[], fks: Table['foreignKeys'] = []): Table {
  return { name, columns: columns(side, specs), primaryKey: pk, uniques: [], foreignKeys: fks, indexes: [], checks: [] };
}

const fk = (column: string, refTable: string, refColumn = 'id'): Table['foreignKeys'][number] => ({
  name: null,
  columns: [column],
  refTable,
  refColumns: [refColumn],
  onDelete: 'NO ACTION',
  onUpdate: 'NO ACTION',
});

const ITEM_EXTRA = ['unit_price', 'discount', 'tax_rate', 'line_total', 'warehouse', 'picked_by', 'gift_message'] as const;

const sqliteTables: Table[] = [
  table(
    'customers',
    'sqlite',
    [['local_id', 'INTEGER', { identity: true }], ['server_id', 'INTEGER'], ['name', 'TEXT', { notNull: true }], ['email', 'TEXT'], ['sync_status', 'TEXT'], ['updated_at', 'DATETIME']],
    ['local_id'],
  ),
  table('products', 'sqlite', [['id', 'INTEGER', { identity: true }], ['sku', 'TEXT', { notNull: true }], ['price', 'REAL'], ['stock_quantity', 'INTEGER'], ['updated_at', 'DATETIME']], ['id']),
  table(
    'orders',
    'sqlite',
    [['id', 'INTEGER', { identity: true }], ['customer_id', 'INTEGER'], ['total', 'DECIMAL(12,2)'], ['created_at', 'DATETIME'], ['updated_at', 'DATETIME']],
    ['id'],
    [fk('customer_id', 'customers', 'local_id')],
  ),
  table(
    'order_items',
    'sqlite',
    [['id', 'INTEGER', { identity: true }], ['order_id', 'INTEGER'], ['product_id', 'INTEGER'], ['qty', 'INTEGER'], ...ITEM_EXTRA.map((c): ColSpec => [c, 'TEXT']), ['updated_at', 'DATETIME']],
    ['id'],
    [fk('order_id', 'orders'), fk('product_id', 'products')],
  ),
];

const postgresTables: Table[] = [
  table('customers', 'postgres', [['id', 'integer', { notNull: true, identity: true }], ['name', 'text', { notNull: true }], ['email', 'text'], ['updated_at', 'timestamp with time zone']], ['id']),
  table(
    'products',
    'postgres',
    [['id', 'integer', { notNull: true, identity: true }], ['sku', 'text', { notNull: true }], ['price', 'numeric(12,2)'], ['master_stock_quantity', 'integer'], ['updated_at', 'timestamp with time zone']],
    ['id'],
  ),
  table(
    'orders',
    'postgres',
    [
      ['id', 'integer', { notNull: true, identity: true }],
      ['customer_id', 'integer'],
      ['total', 'numeric(12,2)'],
      ['total_with_tax', 'numeric(12,2)', { generated: '(total * 1.2)' }],
      ['status', 'text', { notNull: true }],
      ['created_at', 'timestamp with time zone'],
      ['updated_at', 'timestamp with time zone'],
    ],
    ['id'],
    [fk('customer_id', 'customers')],
  ),
  table(
    'order_items',
    'postgres',
    [
      ['id', 'integer', { notNull: true, identity: true }],
      ['order_id', 'integer'],
      ['product_id', 'integer'],
      ['qty', 'integer', { notNull: true }],
      ...ITEM_EXTRA.map((c): ColSpec => [c, 'text']),
      ['updated_at', 'timestamp with time zone'],
    ],
    ['id'],
    [fk('order_id', 'orders'), fk('product_id', 'products')],
  ),
  table('audit_log', 'postgres', [['id', 'bigint', { notNull: true }], ['message', 'text'], ['at', 'timestamp with time zone']], ['id']),
];

export const fixtureSqliteModel: SchemaModel = { side: 'sqlite', schema: 'main', tables: sqliteTables };
export const fixturePostgresModel: SchemaModel = { side: 'postgres', schema: 'public', tables: postgresTables };

const findings: Finding[] = [
  { severity: 'error', kind: 'missing_column', table: 'orders', column: 'status', side: 'sqlite', detail: 'NOT NULL in PostgreSQL without a default, missing in SQLite: every row is rejected' },
  { severity: 'warning', kind: 'type_mismatch', table: 'products', column: 'price', side: 'sqlite', detail: 'REAL in SQLite, numeric(12,2) in PostgreSQL: values round through a double' },
  { severity: 'warning', kind: 'nullability', table: 'order_items', column: 'qty', side: 'sqlite', detail: 'NOT NULL in PostgreSQL but nullable in SQLite: SQLite rows with NULL here are rejected going to PostgreSQL' },
  { severity: 'warning', kind: 'missing_table', table: 'audit_log', column: null, side: 'sqlite', detail: 'exists in PostgreSQL only (3 columns); fix-script creates it in SQLite' },
];

const idle = (over: Partial<TableProgress>): TableProgress => ({
  state: 'done',
  mode: 'incremental',
  done: 0,
  total: 0,
  written: 0,
  skipped: 0,
  rejected: 0,
  rowsPerSecond: 0,
  elapsedMs: 0,
  etaMs: null,
  error: null,
  ...over,
});

const ORDER = ['customers', 'products', 'orders', 'order_items', 'audit_log'];

function tableViews(): TableView[] {
  const mappings = generateMappings(fixtureSqliteModel, fixturePostgresModel);
  const progress: Record<string, TableProgress | null> = {
    customers: idle({ done: 1_200_000, total: 1_200_000, written: 1_200_000, rowsPerSecond: 48_000, elapsedMs: 25_000 }),
    products: idle({ done: 310_000, total: 310_000, written: 310_000, rowsPerSecond: 31_000, elapsedMs: 10_000 }),
    orders: idle({ done: 5_000_000, total: 5_000_000, written: 4_999_999, skipped: 1, rowsPerSecond: 41_322, elapsedMs: 121_000 }),
    order_items: idle({ state: 'running', done: 8_000_000, total: 20_000_000, written: 7_999_999, rejected: 1, rowsPerSecond: 41_237, elapsedMs: 194_000, etaMs: 291_000 }),
    audit_log: idle({ state: 'queued', done: 0, total: null }),
  };
  return ORDER.map((name, order): TableView => {
    const mapping = mappings.find((m) => m.table === name) ?? null;
    const view: TableView = {
      name,
      sqliteName: mapping?.sqliteTable ?? name,
      order,
      badges: [],
      sqlite: sqliteTables.find((t) => t.name === name) ?? null,
      postgres: postgresTables.find((t) => t.name === name) ?? null,
      findings: findings.filter((f) => f.table === name),
      mapping: mapping ? (name === 'orders' ? { mapping, source: { kind: 'file', path: 'mappings/orders.yaml' } } : { mapping, source: { kind: 'generated' } }) : null,
      mappingYaml: mapping ? renderMappingYaml(mapping) : null,
      progress: progress[name] ?? null,
      waiting: [],
      rejected: [],
      owed: [],
    };
    return view;
  });
}

function withProblems(tables: TableView[]): TableView[] {
  return tables.map((t) => {
    if (t.name === 'orders') {
      return {
        ...t,
        badges: [{ kind: 'waiting', rows: 1 }, { kind: 'drift', severity: 'error', count: 1 }],
        waiting: [
          {
            table: 'orders',
            rowKey: '{"id":17}',
            fkColumns: ['customer_id'],
            parentTable: 'customers',
            parentKey: '{"id":999}',
            firstSeen: ago(2 * 60_000 + 5_000),
            attempts: 3,
            values: { id: '17', customer_id: '999', total: '42.50', created_at: '2026-11-30 11:57:55', updated_at: '2026-11-30 11:57:55' },
          },
        ],
      };
    }
    if (t.name === 'order_items') {
      const values: Record<string, string> = { id: '5', order_id: '3', product_id: '12', qty: 'NULL' };
      for (const c of ITEM_EXTRA) values[c] = c === 'gift_message' ? 'HAPPY-BIRTHDAY-NORA' : `${c}-value`;
      values.updated_at = '2026-11-30 11:59:00';
      return {
        ...t,
        badges: [{ kind: 'running', percent: 40 }, { kind: 'rejected', rows: 1 }, { kind: 'drift', severity: 'warning', count: 1 }],
        rejected: [
          {
            table: 'order_items',
            rowKey: '{"id":5}',
            column: 'qty',
            reason: 'null value in column "qty" violates not-null constraint',
            code: '23502',
            firstSeen: ago(60_000),
            values,
          },
        ],
      };
    }
    if (t.name === 'products') return { ...t, badges: [{ kind: 'in-sync' }, { kind: 'drift', severity: 'warning', count: 1 }] };
    if (t.name === 'customers') return { ...t, badges: [{ kind: 'in-sync' }] };
    return { ...t, badges: [{ kind: 'pending', rows: 250 }, { kind: 'drift', severity: 'warning', count: 1 }] };
  });
}

function outputLines(): OutputLine[] {
  const at = (s: number): number => FIXTURE_NOW - s * 1000;
  return [
    { at: at(200), level: 'info', text: 'verify: 1 error, 3 warnings' },
    { at: at(195), level: 'info', text: 'run sqlite-to-pg (incremental) started' },
    { at: at(194), level: 'info', text: 'customers: 1,200,000 rows written' },
    { at: at(193), level: 'info', text: 'products: 310,000 rows written' },
    { at: at(125), level: 'warn', text: 'orders: row {"id":17} waits for customers {"id":999} (customer_id)' },
    { at: at(121), level: 'info', text: 'orders: 4,999,999 rows written, 1 waiting' },
    { at: at(60), level: 'error', text: 'order_items: row {"id":5} rejected: null value in column "qty" violates not-null constraint' },
  ];
}

/**
 * The fixture after a `--create-missing` run that was cut off: order_items still owes its
 * foreign key to orders and an index, recorded 5 minutes before FIXTURE_NOW.
 */
export function withOwedConstraints(snapshot: TuiSnapshot): TuiSnapshot {
  const since = ago(5 * 60_000);
  const owed = (name: string, kind: 'foreign key' | 'index', detail: string, parentTable: string | null, seq: number): TableView['owed'][number] => ({
    table: 'order_items',
    name,
    kind,
    statement: kind === 'index' ? `CREATE INDEX ${name} ...` : `ALTER TABLE order_items ADD CONSTRAINT ${name} ...`,
    detail,
    parentTable,
    seq,
    since,
  });
  return {
    ...snapshot,
    tables: snapshot.tables.map((t) =>
      t.name === 'order_items' ? { ...t, owed: [owed('order_items_order_id_fkey', 'foreign key', '(order_id) -> orders (id)', 'orders', 1), owed('order_items_sku_idx', 'index', '(warehouse, picked_by)', null, 2)] } : t,
    ),
  };
}

export interface FixtureOptions {
  /** extra output lines appended (newest last), e.g. to test a bounded, scrolled log */
  extraOutput?: number;
  /** extra plain tables appended after the fixture's five, e.g. to test scrolling */
  extraTables?: number;
}

/** The fixture snapshot; a new value each call, so a test may change it freely. */
export function tuiSnapshotFixture(options: FixtureOptions = {}): TuiSnapshot {
  let tables = withProblems(tableViews());
  for (let i = 0; i < (options.extraTables ?? 0); i++) {
    const name = `extra_${String(i + 1).padStart(3, '0')}`;
    tables = [
      ...tables,
      { name, sqliteName: name, order: tables.length, badges: [{ kind: 'in-sync' }], sqlite: null, postgres: null, findings: [], mapping: null, mappingYaml: null, progress: null, waiting: [], rejected: [], owed: [] },
    ];
  }
  const output = outputLines();
  for (let i = 0; i < (options.extraOutput ?? 0); i++) {
    output.push({ at: FIXTURE_NOW + i * 10, level: 'info', text: `log line ${i + 1}` });
  }
  return {
    version: 42,
    publishedAt: FIXTURE_NOW,
    connections: {
      sqlite: { label: 'terminal.db', state: 'connected', error: null },
      postgres: { label: 'postgres://app:***@localhost:5432/shop', state: 'connected', error: null },
    },
    run: {
      state: 'running',
      direction: 'sqlite-to-pg',
      full: false,
      dryRun: false,
      startedAt: FIXTURE_NOW - 350_000,
      elapsedMs: 350_000,
      rowsPerSecond: 41_234,
      totalRead: 14_510_000,
      totalEstimated: 26_510_000,
      planText: null,
    },
    tables,
    otherFindings: [],
    pushesRefused: false,
    counts: { errors: 1, warnings: 3, waiting: 1, rejected: 1 },
    output,
    notice: null,
  };
}
