/**
 * The user's story: `replicate fix-script --apply` on the point-of-sale terminal
 * database. It backs the file up, aligns it with PostgreSQL in one transaction, and
 * afterwards verify finds no errors and every row is still there, value for value.
 * When the data stands in the way (customers without an email, which PostgreSQL
 * requires), it refuses, says which table, column and how many rows, and the file is
 * untouched, byte for byte.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPosFixture, posFixturePaths } from '../src/demo/pos-fixture.js';
import { FixFailedError, FixRefusedError } from '../src/errors.js';
import { introspectPair } from '../src/introspect/introspect-pair.js';
import { resolveMappings } from '../src/mapping/resolve-mappings.js';
import { applyFixScript } from '../src/schema-fix/apply-fix-script.js';
import { planSqliteFix } from '../src/schema-fix/plan-sqlite-fix.js';
import { readSqliteSchemaSource } from '../src/schema-fix/sqlite-schema-source.js';
import { diffSchemas } from '../src/verify/diff-schemas.js';
import { createTestDatabase, type TestDatabase } from './harness/pg.js';
import { createSqliteFile, tempDir, type TempDir } from './harness/sqlite.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  return db;
}

function folder(): TempDir {
  const dir = tempDir();
  cleanups.push(() => dir.remove());
  return dir;
}

async function posTerminal(dir: TempDir, db: TestDatabase, extraSqlite: string[] = []): Promise<string> {
  const file = dir.file('terminal.db');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await loadPosFixture({ sqlitePath: file, pg: client, withData: true });
  } finally {
    await client.end();
  }
  const sqlite = new Database(file);
  try {
    for (const sql of extraSqlite) sqlite.exec(sql);
  } finally {
    sqlite.close();
  }
  return file;
}

async function planFor(file: string, pgUrl: string) {
  const pair = await introspectPair({ sqlitePath: file, pgUrl });
  const { mappings } = resolveMappings(pair.sqlite, pair.postgres, new Map());
  return { pair, mappings, plan: planSqliteFix(pair, mappings, readSqliteSchemaSource(file)) };
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

type Row = Record<string, unknown>;

/** Every table's rows, in a stable order, as the app would read them. */
function snapshot(file: string): Map<string, { columns: string[]; rows: Row[] }> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`).all() as { name: string }[];
    return new Map(
      tables.map(({ name }) => {
        const columns = (db.prepare('SELECT name FROM pragma_table_info(?)').all(name) as { name: string }[]).map((c) => c.name);
        return [name, { columns, rows: readRows(db, name, columns) }];
      }),
    );
  } finally {
    db.close();
  }
}

function readRows(db: Database.Database, table: string, columns: string[]): Row[] {
  const list = columns.map((c) => `"${c.replaceAll('"', '""')}"`).join(', ');
  const rows = db.prepare(`SELECT ${list} FROM "${table.replaceAll('"', '""')}"`).all() as Row[];
  return rows.map((r) => JSON.stringify(r)).sort().map((r) => JSON.parse(r) as Row);
}

describe('fix-script --apply aligns the terminal database with PostgreSQL, all or nothing', () => {
  it('applies the POS fix after a backup: verify finds no errors and every original row is intact', async () => {
    const db = await database();
    const dir = folder();
    const file = await posTerminal(dir, db);
    const before = snapshot(file);
    const { mappings, plan } = await planFor(file, db.url);
    expect(plan.tables.map((t) => t.action)).toEqual(expect.arrayContaining(['create', 'add_columns', 'rebuild']));

    const result = await applyFixScript(file, plan);

    expect(result.backupPath).toMatch(/terminal\.db\.backup-\d{14}$/);
    expect(result.tables).toEqual(plan.tables.map((t) => t.table));
    expect(result.statements).toBe(plan.tables.reduce((n, t) => n + t.statements.length, 0));
    const after = await introspectPair({ sqlitePath: file, pgUrl: db.url });
    const errors = diffSchemas(after.sqlite, after.postgres, mappings).filter((f) => f.severity === 'error');
    expect(errors).toEqual([]);
    for (const table of ['system_settings', 'audit_logs', 'terminal_stock_levels']) {
      expect(after.sqlite.tables.map((t) => t.name)).toContain(table);
    }
    // every row of every table, every column it had, the same values
    const now = new Database(file, { readonly: true });
    try {
      for (const [table, { columns, rows }] of before) {
        expect({ table, rows: readRows(now, table, columns) }).toEqual({ table, rows });
      }
    } finally {
      now.close();
    }
    // the backup is the database as it was
    const backup = snapshot(result.backupPath);
    expect([...backup.keys()]).toEqual([...before.keys()]);
    for (const [table, content] of before) expect({ table, ...backup.get(table) }).toEqual({ table, ...content });
  });

  it('refuses when customers.email holds NULLs PostgreSQL does not allow, and leaves the file byte for byte as it was', async () => {
    const db = await database();
    const dir = folder();
    const file = await posTerminal(dir, db, [readFileSync(posFixturePaths().sqliteNullEmails, 'utf8')]);
    const { plan } = await planFor(file, db.url);
    const hash = sha256(file);

    const refused = await applyFixScript(file, plan).catch((err: unknown) => err);

    expect(refused).toBeInstanceOf(FixRefusedError);
    const e = refused as FixRefusedError;
    expect([e.table, e.column, e.rows]).toEqual(['customers', 'email', 3]);
    expect(e.message).toContain('customers.email holds NULL but PostgreSQL declares it NOT NULL: 3 rows in the way');
    expect(e.message).toContain('nothing was changed');
    expect(sha256(file)).toBe(hash);
    expect(readdirSync(dir.path).filter((f) => f.includes('.backup-'))).toEqual([]);
  });

  it('rolls back everything when a statement fails midway, naming the table and the statement', async () => {
    const db = await database();
    const dir = folder();
    await db.exec(`CREATE TABLE stores (id integer PRIMARY KEY, name text NOT NULL);
                   CREATE TABLE tills (id integer PRIMARY KEY, store_id integer REFERENCES stores (id), label text);`);
    const file = dir.file('terminal.db');
    // '01' and '1' differ as text but are the same key once the column is INTEGER
    createSqliteFile(
      file,
      `CREATE TABLE stores (id TEXT NOT NULL, name TEXT NOT NULL);
       INSERT INTO stores VALUES ('1', 'High Street'), ('01', 'High Street (old import)');`,
    );
    const { plan } = await planFor(file, db.url);
    expect(plan.tables.map((t) => [t.table, t.action])).toEqual([
      ['stores', 'rebuild'],
      ['tills', 'create'],
    ]);
    const hash = sha256(file);

    const failed = await applyFixScript(file, plan, { backupPath: dir.file('before-fix.db') }).catch((err: unknown) => err);

    expect(failed).toBeInstanceOf(FixFailedError);
    const e = failed as FixFailedError;
    expect(e.table).toBe('stores');
    expect(e.statement).toMatch(/^INSERT INTO "_replicate_new_stores"/);
    expect(e.message).toMatch(/UNIQUE constraint failed/);
    expect(sha256(file)).toBe(hash);
    const after = snapshot(file);
    expect([...after.keys()]).toEqual(['stores']); // tills, created before the failure, is gone again
  });

  it('never loses a trigger: without the stored SQL to re-create it, the rebuild is refused and nothing changes', async () => {
    const db = await database();
    const dir = folder();
    await db.exec(`CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL);`);
    const file = dir.file('terminal.db');
    createSqliteFile(
      file,
      `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
       CREATE TABLE note_log (id INTEGER PRIMARY KEY, note_id INTEGER);
       CREATE TRIGGER notes_logged AFTER INSERT ON notes BEGIN INSERT INTO note_log (note_id) VALUES (new.id); END;
       INSERT INTO notes (body) VALUES ('first');`,
    );
    const pair = await introspectPair({ sqlitePath: file, pgUrl: db.url });
    const { mappings } = resolveMappings(pair.sqlite, pair.postgres, new Map());
    const hash = sha256(file);

    // planned from the schema model alone, the rebuild would drop the trigger with the old table
    const blind = planSqliteFix(pair, mappings);
    const refused = await applyFixScript(file, blind, { backupPath: dir.file('b1.db') }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(FixFailedError);
    expect((refused as FixFailedError).message).toContain('rebuilding notes would lose trigger notes_logged');
    expect(sha256(file)).toBe(hash);

    // with the stored SQL the trigger comes back after the copy (so copying fires nothing), and still fires
    await applyFixScript(file, planSqliteFix(pair, mappings, readSqliteSchemaSource(file)), { backupPath: dir.file('b2.db') });
    const sqlite = new Database(file);
    try {
      sqlite.exec(`INSERT INTO notes (body) VALUES ('second')`);
      expect(sqlite.prepare('SELECT note_id FROM note_log ORDER BY id').all()).toEqual([{ note_id: 1 }, { note_id: 2 }]);
      expect(sqlite.prepare(`SELECT "notnull" FROM pragma_table_info('notes') WHERE name = 'body'`).get()).toEqual({ notnull: 1 });
    } finally {
      sqlite.close();
    }
  });
});
