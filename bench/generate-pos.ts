/**
 * Writes the benchmark's synthetic point-of-sale SQLite database: stores, terminals,
 * users, customers, self-referencing categories, products, orders, order lines and
 * payments, all FK-linked. Scale 1 is about 1,000,000 rows, most of them order lines.
 * Deterministic for a given seed; written in one transaction with journaling off
 * because only the result matters, not the generator's crash safety.
 */
import Database from 'better-sqlite3';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SeededRandom } from './seeded-random.js';

/** The tables in FK order: every parent before its children. */
export const POS_TABLES = [
  'stores', 'terminals', 'users', 'customers', 'categories', 'products', 'orders', 'order_items', 'payments',
] as const;
export type PosTable = (typeof POS_TABLES)[number];
export type PosCounts = Record<PosTable, number>;

export interface GenerateOptions {
  /** 1 = about a million rows; fractions are fine (0.1 for development, 0.001 for tests). */
  scale: number;
  seed?: number;
}

export interface GeneratedPos {
  path: string;
  scale: number;
  seed: number;
  counts: PosCounts;
  rows: number;
  ms: number;
}

export const DEFAULT_SEED = 20240101;
const TERMINALS_PER_STORE = 4;
const USERS_PER_STORE = 8;
const TOP_CATEGORIES = 12;
const CHILD_CATEGORIES = 48;
const DAY_MS = 86_400_000;
// bench/ and dist-bench/ sit side by side, so this resolves from the sources and the build.
const SQLITE_SCHEMA_URL = new URL('../bench/pos-sqlite.sql', import.meta.url);
const POSTGRES_SCHEMA_URL = new URL('../bench/pos-postgres.sql', import.meta.url);

export function posSqliteSchemaPath(): string {
  return fileURLToPath(SQLITE_SCHEMA_URL);
}

export function posPostgresSchemaPath(): string {
  return fileURLToPath(POSTGRES_SCHEMA_URL);
}

/** The SQLite schema split in two, so the generator can build the secondary indexes after the rows. */
function sqliteSchema(): { tables: string; indexes: string } {
  const lines = readFileSync(SQLITE_SCHEMA_URL, 'utf8').split('\n');
  const isIndex = (l: string): boolean => l.startsWith('CREATE INDEX');
  return { tables: lines.filter((l) => !isIndex(l)).join('\n'), indexes: lines.filter(isIndex).join('\n') };
}

/** Creates `path` holding the benchmark schema and no rows (a pg-to-sqlite target). */
export function createPosSqliteSchema(path: string): void {
  if (existsSync(path)) rmSync(path);
  const db = new Database(path);
  try {
    const schema = sqliteSchema();
    db.exec(schema.tables);
    db.exec(schema.indexes);
  } finally {
    db.close();
  }
}

/** Row counts the generator aims for at a scale (order lines and payments are drawn, so only estimated). */
export function plannedCounts(scale: number): { stores: number; customers: number; products: number; orders: number } {
  if (!(scale > 0)) throw new Error(`scale must be a positive number; got ${scale}`);
  return {
    stores: Math.max(2, Math.round(20 * scale)),
    customers: Math.max(10, Math.round(25_000 * scale)),
    products: Math.max(10, Math.round(5_000 * scale)),
    orders: Math.max(10, Math.round(160_000 * scale)),
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const money = (cents: number): string => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

const FIRST = ['Ana', 'Ben', 'Chloe', 'Dmitri', 'Eva', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kofi', 'Lena', 'Mateo', 'Nadia', 'Omar', 'Priya'];
const LAST = ['Silva', 'Okafor', 'Müller', 'Nguyen', 'García', 'Kowalski', 'Haddad', 'Tanaka', 'Smith', 'Rossi', 'Dubois', 'Novak'];
const WORDS = ['Espresso', 'Latte', 'Bagel', 'Croissant', 'Muffin', 'Tea', 'Juice', 'Salad', 'Wrap', 'Soup', 'Cookie', 'Water', 'Scone', 'Panini'];
const SIZES = ['S', 'M', 'L', '250g', '500g', '1kg', '330ml', '1L'];
const MODIFIERS = ['{"extra_shot":true}', '{"milk":"oat"}', '{"milk":"soy","sugar":0}', '{"heated":true,"note":"no onions"}', '{"size":"L","syrup":["vanilla"]}'];
const NOTES = ['table 4', 'takeaway', 'birthday discount approved by manager', 'customer will pick up at 5pm', 'allergy: nuts'];
const METHODS = ['card', 'card', 'card', 'cash', 'gift_card'];

interface Statements {
  [table: string]: Database.Statement;
}

function prepareInserts(db: Database.Database): Statements {
  const stmts: Statements = {};
  for (const table of POS_TABLES) {
    const cols = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
    stmts[table] = db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
  }
  return stmts;
}

function stmt(stmts: Statements, table: PosTable): Database.Statement {
  const s = stmts[table];
  if (!s) throw new Error(`no insert statement for ${table}`);
  return s;
}

/** Generates the database at `path` (replacing any file there) and returns what it wrote. */
export function generatePos(path: string, options: GenerateOptions): GeneratedPos {
  const started = performance.now();
  const seed = options.seed ?? DEFAULT_SEED;
  const plan = plannedCounts(options.scale);
  const rnd = new SeededRandom(seed);
  if (existsSync(path)) rmSync(path);
  const db = new Database(path);
  const schema = sqliteSchema();
  const counts: PosCounts = { stores: 0, terminals: 0, users: 0, customers: 0, categories: 0, products: 0, orders: 0, order_items: 0, payments: 0 };
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('foreign_keys = OFF');
    db.pragma('cache_size = -262144');
    db.exec(schema.tables);
    const s = prepareInserts(db);
    const ins = (table: PosTable, values: unknown[]): void => {
      stmt(s, table).run(values);
      counts[table]++;
    };
    const base = Date.UTC(2024, 0, 1);
    db.transaction(() => {
      const storeCodes: string[] = [];
      const storeIds: string[] = [];
      const terminalIds: string[][] = [];
      const userIds: string[][] = [];
      for (let i = 0; i < plan.stores; i++) {
        const id = rnd.uuid();
        const code = `S${String(i + 1).padStart(4, '0')}`;
        const created = base - 400 * DAY_MS + i * DAY_MS;
        storeIds.push(id);
        storeCodes.push(code);
        const settings = `{"receipt_footer":"Thank you for visiting ${code}","tax_inclusive":${i % 3 === 0},"currency":"EUR"}`;
        ins('stores', [id, code, `Store ${rnd.pick(LAST)} ${i + 1}`, i % 2 ? 'Europe/Berlin' : 'UTC', settings, 1, iso(created), iso(created + DAY_MS)]);
        const terms: string[] = [];
        for (let t = 0; t < TERMINALS_PER_STORE; t++) {
          const tid = rnd.uuid();
          terms.push(tid);
          ins('terminals', [tid, id, `${code} till ${t + 1}`, `SN-${rnd.hex(12)}`, 1, iso(created), iso(created)]);
        }
        terminalIds.push(terms);
        const users: string[] = [];
        for (let u = 0; u < USERS_PER_STORE; u++) {
          const uid = rnd.uuid();
          users.push(uid);
          const role = u === 0 ? 'manager' : u === 1 && i === 0 ? 'admin' : 'cashier';
          ins('users', [uid, id, `${code.toLowerCase()}.user${u + 1}`, `${rnd.pick(FIRST)} ${rnd.pick(LAST)}`, role, `$2b$10$${rnd.hex(53)}`, u < 7 ? 1 : 0, iso(created), iso(created)]);
        }
        userIds.push(users);
      }

      const customerIds: string[] = [];
      for (let i = 0; i < plan.customers; i++) {
        const id = rnd.uuid();
        customerIds.push(id);
        const created = base - 365 * DAY_MS + Math.floor((i * 365 * DAY_MS) / plan.customers) + rnd.int(0, 3_599_999);
        const updated = rnd.chance(0.2) ? created + rnd.int(1, 200) * DAY_MS : created;
        const email = rnd.chance(0.85) ? `customer${i + 1}@example.com` : null;
        const phone = rnd.chance(0.6) ? `+49 30 ${rnd.int(1000000, 9999999)}` : null;
        ins('customers', [id, `${rnd.pick(FIRST)} ${rnd.pick(LAST)}`, email, phone, rnd.int(0, 5000), rnd.chance(0.3) ? 1 : 0, iso(created), iso(updated)]);
      }

      const catCreated = iso(base - 500 * DAY_MS);
      for (let i = 1; i <= TOP_CATEGORIES + CHILD_CATEGORIES; i++) {
        const parent = i <= TOP_CATEGORIES ? null : 1 + ((i - 1) % TOP_CATEGORIES);
        ins('categories', [i, parent, `${rnd.pick(WORDS)} ${i <= TOP_CATEGORIES ? 'range' : 'line'} ${i}`, i % 10, catCreated, catCreated]);
      }

      const productIds: string[] = [];
      const productPrices: number[] = [];
      for (let i = 0; i < plan.products; i++) {
        const id = rnd.uuid();
        const price = rnd.int(99, 4999);
        productIds.push(id);
        productPrices.push(price);
        const created = base - 300 * DAY_MS + rnd.int(0, 250) * DAY_MS;
        const category = rnd.chance(0.95) ? rnd.int(TOP_CATEGORIES + 1, TOP_CATEGORIES + CHILD_CATEGORIES) : null;
        const cost = rnd.chance(0.9) ? money(Math.round(price * 0.55)) : null;
        const attributes = `{"size":"${rnd.pick(SIZES)}","vegan":${rnd.chance(0.3)},"origin":"${rnd.pick(LAST)}"}`;
        ins('products', [id, category, `SKU-${String(i + 1).padStart(7, '0')}`, `${rnd.pick(WORDS)} ${rnd.pick(SIZES)}`, money(price), cost, rnd.pick(['0.0000', '0.0700', '0.1900']), attributes, rnd.chance(0.97) ? 1 : 0, iso(created), iso(created + rnd.int(0, 30) * DAY_MS)]);
      }

      const span = 365 * DAY_MS;
      const lineProduct: number[] = [];
      const lineQty: number[] = [];
      const lineDiscount: number[] = [];
      const lineTotal: number[] = [];
      let itemId = 0;
      for (let i = 0; i < plan.orders; i++) {
        const id = rnd.uuid();
        const placed = base + Math.floor((i * span) / plan.orders) + rnd.int(0, 59_999);
        const store = rnd.int(0, plan.stores - 1);
        const lines = rnd.int(1, 7);
        let subtotal = 0;
        for (let l = 0; l < lines; l++) {
          const p = rnd.int(0, plan.products - 1);
          const qty = rnd.chance(0.7) ? 1 : rnd.int(2, 6);
          const gross = qty * (productPrices[p] ?? 0);
          const discount = rnd.chance(0.1) ? Math.round(gross * 0.1) : 0;
          lineProduct[l] = p;
          lineQty[l] = qty;
          lineDiscount[l] = discount;
          lineTotal[l] = gross - discount;
          subtotal += gross - discount;
        }
        const tax = Math.round(subtotal * 0.07);
        const total = subtotal + tax;
        const r = rnd.next();
        const status = r < 0.9 ? 'paid' : r < 0.95 ? 'refunded' : r < 0.98 ? 'cancelled' : 'open';
        const placedIso = iso(placed);
        const updatedIso = status === 'refunded' ? iso(placed + rnd.int(1, 72) * 3_600_000) : placedIso;
        const customer = rnd.chance(0.7) ? rnd.pick(customerIds) : null;
        ins('orders', [
          id, `${storeCodes[store]}-${String(i + 1).padStart(9, '0')}`, storeIds[store], rnd.pick(terminalIds[store] ?? []), rnd.pick(userIds[store] ?? []),
          customer, status, money(subtotal), money(tax), money(total), rnd.chance(0.05) ? rnd.pick(NOTES) : null, placedIso, placedIso, updatedIso,
        ]);
        for (let l = 0; l < lines; l++) {
          const p = lineProduct[l] ?? 0;
          ins('order_items', [
            ++itemId, id, productIds[p], lineQty[l], money(productPrices[p] ?? 0), money(lineDiscount[l] ?? 0), money(lineTotal[l] ?? 0),
            rnd.chance(0.2) ? rnd.pick(MODIFIERS) : null, placedIso, placedIso,
          ]);
        }
        if (status === 'paid' || status === 'refunded') {
          const split = rnd.chance(0.1) ? Math.floor(total / 2) : total;
          for (const amount of split === total ? [total] : [split, total - split]) {
            const method = rnd.pick(METHODS);
            ins('payments', [rnd.uuid(), id, method, money(amount), method === 'card' ? String(rnd.int(0, 9999)).padStart(4, '0') : null, 0, placedIso, placedIso, placedIso]);
          }
          if (status === 'refunded') ins('payments', [rnd.uuid(), id, 'card', money(total), null, 1, updatedIso, updatedIso, updatedIso]);
        }
      }
    })();
    db.exec(schema.indexes);
  } finally {
    db.close();
  }
  const rows = POS_TABLES.reduce((sum, t) => sum + counts[t], 0);
  return { path, scale: options.scale, seed, counts, rows, ms: performance.now() - started };
}
