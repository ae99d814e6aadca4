/**
 * Two tables that reference each other (employees.department_id -> departments, and
 * departments.manager_id -> employees, nullable) replicate into targets whose foreign keys
 * are live: the plan defers manager_id, the first pass writes it NULL, the second pass
 * sets it once the employees are in. An incremental run never NULLs a manager it does not
 * change, not even for a moment (an audit trigger on the target would see it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplicator } from '../src/replicator/create-replicator.js';
import { runCli } from './harness/cli.js';
import { createReplicationPair, diffContent, type ReplicationPair } from './harness/replication.js';

const DEPARTMENTS = 4;
const EMPLOYEES = 12;
const managerOf = (d: number): number => d * 3;
const departmentOf = (e: number): number => ((e - 1) % DEPARTMENTS) + 1;
const at = (s: number): string => `2025-11-05T10:00:${String(s).padStart(2, '0')}.000Z`;

const PG_SCHEMA = `
  CREATE TABLE departments (id integer PRIMARY KEY, name text NOT NULL, manager_id integer, updated_at timestamptz NOT NULL);
  CREATE TABLE employees (id integer PRIMARY KEY, name text NOT NULL, department_id integer NOT NULL REFERENCES departments(id), updated_at timestamptz NOT NULL);
  ALTER TABLE departments ADD FOREIGN KEY (manager_id) REFERENCES employees(id);
  CREATE INDEX ON departments (updated_at); CREATE INDEX ON employees (updated_at);`;
const SQLITE_SCHEMA = `
  CREATE TABLE departments (id INTEGER PRIMARY KEY, name TEXT NOT NULL, manager_id INTEGER REFERENCES employees(id), updated_at DATETIME NOT NULL);
  CREATE TABLE employees (id INTEGER PRIMARY KEY, name TEXT NOT NULL, department_id INTEGER NOT NULL REFERENCES departments(id), updated_at DATETIME NOT NULL);
  CREATE INDEX departments_updated ON departments (updated_at); CREATE INDEX employees_updated ON employees (updated_at);`;

/** Every change of a department's manager, as the target's own trigger sees it. */
const PG_AUDIT = `
  CREATE SCHEMA audit;
  CREATE TABLE audit.manager_changes (n serial, department_id integer, old_manager integer, new_manager integer);
  CREATE FUNCTION audit.log_manager() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.manager_id IS DISTINCT FROM OLD.manager_id THEN
        INSERT INTO audit.manager_changes (department_id, old_manager, new_manager) VALUES (NEW.id, OLD.manager_id, NEW.manager_id);
      END IF;
      RETURN NEW;
    END $$;
  CREATE TRIGGER departments_manager AFTER UPDATE ON departments FOR EACH ROW EXECUTE FUNCTION audit.log_manager();`;
const SQLITE_AUDIT = `
  CREATE TABLE manager_audit (n INTEGER PRIMARY KEY, department_id INTEGER, old_manager INTEGER, new_manager INTEGER);
  CREATE TRIGGER departments_manager AFTER UPDATE OF manager_id ON departments WHEN NEW.manager_id IS NOT OLD.manager_id
  BEGIN INSERT INTO manager_audit (department_id, old_manager, new_manager) VALUES (NEW.id, OLD.manager_id, NEW.manager_id); END;`;

function sqliteRows(): string {
  const out = ['PRAGMA foreign_keys = OFF;'];
  for (let d = 1; d <= DEPARTMENTS; d++) out.push(`INSERT INTO departments VALUES (${d}, 'Dept ${d}', ${managerOf(d)}, '${at(d)}');`);
  for (let e = 1; e <= EMPLOYEES; e++) out.push(`INSERT INTO employees VALUES (${e}, 'Employee ${e}', ${departmentOf(e)}, '${at(10 + e)}');`);
  return out.join('\n');
}

function pgRows(): string {
  const out: string[] = [];
  for (let d = 1; d <= DEPARTMENTS; d++) out.push(`INSERT INTO departments VALUES (${d}, 'Dept ${d}', NULL, '${at(d)}');`);
  for (let e = 1; e <= EMPLOYEES; e++) out.push(`INSERT INTO employees VALUES (${e}, 'Employee ${e}', ${departmentOf(e)}, '${at(10 + e)}');`);
  for (let d = 1; d <= DEPARTMENTS; d++) out.push(`UPDATE departments SET manager_id = ${managerOf(d)} WHERE id = ${d};`);
  return out.join('\n');
}

/** The source's changes for the incremental run: a new hire managing department 2, a renamed department 1, a renamed employee. */
const CHANGES = [
  `INSERT INTO employees VALUES (13, 'New manager', 2, '2025-11-06T09:00:00.000Z')`,
  `UPDATE departments SET manager_id = 13, updated_at = '2025-11-06T09:00:01.000Z' WHERE id = 2`,
  `UPDATE departments SET name = 'Dept 1 (renamed)', updated_at = '2025-11-06T09:00:02.000Z' WHERE id = 1`,
  `UPDATE employees SET name = 'Employee 5 (renamed)', updated_at = '2025-11-06T09:00:03.000Z' WHERE id = 5`,
];

async function expectSameContent(pair: ReplicationPair): Promise<void> {
  const departments = await diffContent(pair.db, pair.sqlitePath, { pg: 'departments', sqlite: 'departments' }, ['id', 'name', 'manager_id', 'updated_at'].map((c) => ({ pg: c, sqlite: c })));
  expect(departments, 'departments').toEqual({ onlyInSqlite: [], onlyInPostgres: [] });
  const employees = await diffContent(pair.db, pair.sqlitePath, { pg: 'employees', sqlite: 'employees' }, ['id', 'name', 'department_id', 'updated_at'].map((c) => ({ pg: c, sqlite: c })));
  expect(employees, 'employees').toEqual({ onlyInSqlite: [], onlyInPostgres: [] });
}

const firstLoadChanges = Array.from({ length: DEPARTMENTS }, (_, i) => ({ department_id: i + 1, old_manager: null, new_manager: managerOf(i + 1) }));

describe('an FK cycle, sqlite-to-pg into PostgreSQL with both FKs live', () => {
  let pair: ReplicationPair;
  beforeAll(async () => {
    pair = await createReplicationPair(PG_SCHEMA + PG_AUDIT, SQLITE_SCHEMA + sqliteRows());
  });
  afterAll(() => pair.cleanup());
  const audit = () => pair.db.query<{ department_id: number; old_manager: number | null; new_manager: number | null }>('SELECT department_id, old_manager, new_manager FROM audit.manager_changes ORDER BY n');

  it('the dry run says manager_id is written in a second pass', async () => {
    const dry = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--dry-run'], { cwd: pair.dir.path });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('departments, employees: deferred departments.manager_id -> employees');
    expect(dry.stdout).toContain('deferred columns are written NULL first, then set in a second pass');
  });

  it('copies every row with its manager and department, and exits 0', async () => {
    const r = await pair.run('sqlite-to-pg', '--batch-size', '3');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json.waiting).toEqual({ skipped: 0, rejected: 0 });
    await expectSameContent(pair);
    // inserted with NULL, then set once the employees were in
    expect(await audit()).toEqual(firstLoadChanges);
  });

  it('an incremental run that changes one manager leaves the others untouched, and says so', async () => {
    await pair.db.exec('TRUNCATE audit.manager_changes');
    const s = pair.sqlite();
    for (const sql of CHANGES) s.prepare(sql).run();
    const r = await runCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--batch-size', '3'], { cwd: pair.dir.path });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/departments: manager_id written in a second pass \(FK cycle\), 1 row updated/);
    await expectSameContent(pair);
    // department 1 was rewritten by the first pass, yet its manager never went through NULL
    expect(await audit()).toEqual([{ department_id: 2, old_manager: managerOf(2), new_manager: 13 }]);
  });
});

describe('an FK cycle, pg-to-sqlite into SQLite with both FKs live (foreign_keys ON)', () => {
  let pair: ReplicationPair;
  beforeAll(async () => {
    pair = await createReplicationPair(PG_SCHEMA + pgRows(), SQLITE_SCHEMA + SQLITE_AUDIT);
  });
  afterAll(() => pair.cleanup());
  const audit = () =>
    pair
      .sqlite()
      .prepare('SELECT department_id, old_manager, new_manager FROM manager_audit ORDER BY n')
      .safeIntegers(false)
      .all() as { department_id: number; old_manager: number | null; new_manager: number | null }[];

  it('copies every row with its manager and department, and exits 0', async () => {
    const r = await pair.run('pg-to-sqlite', '--batch-size', '3');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json.waiting).toEqual({ skipped: 0, rejected: 0 });
    await expectSameContent(pair);
    expect(audit()).toEqual(firstLoadChanges);
    const violations = pair.sqlite().prepare('PRAGMA foreign_key_check').all();
    expect(violations).toEqual([]);
  });

  it('an incremental run that changes one manager leaves the others untouched', async () => {
    pair.sqlite().prepare('DELETE FROM manager_audit').run();
    for (const sql of CHANGES) await pair.db.exec(sql);
    const r = await pair.run('pg-to-sqlite', '--batch-size', '3');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json.waiting).toEqual({ skipped: 0, rejected: 0 });
    await expectSameContent(pair);
    expect(audit()).toEqual([{ department_id: 2, old_manager: managerOf(2), new_manager: 13 }]);
  });
});

describe('a manager missing at the source', () => {
  let pair: ReplicationPair;
  beforeAll(async () => {
    // department 4's manager, employee 99, does not exist (the terminal's FKs were off)
    pair = await createReplicationPair(PG_SCHEMA, SQLITE_SCHEMA + sqliteRows() + '\nUPDATE departments SET manager_id = 99 WHERE id = 4;');
  });
  afterAll(() => pair.cleanup());

  it('waits in the skip ledger with its parent key while the rest lands, and the run exits 3', async () => {
    const r = await pair.run('sqlite-to-pg', '--batch-size', '3');
    expect(r.code).toBe(3);
    expect(r.json.waiting).toEqual({ skipped: 1, rejected: 0 });
    // the --json summary counts the row the second pass held back, and says which pass did
    expect(r.json.tables.find((t) => t.name === 'departments')).toMatchObject({
      read: 4,
      written: 4,
      skipped: 1,
      rejected: 0,
      secondPass: { columns: ['manager_id'], read: 4, updated: 3, skipped: 1, rejected: 0 },
    });
    expect(r.json.tables.find((t) => t.name === 'employees')).toMatchObject({ skipped: 0 });
    const departments = await pair.db.query<{ id: number; manager_id: number | null }>('SELECT id, manager_id FROM departments ORDER BY id');
    expect(departments).toEqual([
      { id: 1, manager_id: 3 },
      { id: 2, manager_id: 6 },
      { id: 3, manager_id: 9 },
      { id: 4, manager_id: null },
    ]);
    const ledger = await pair.db.query<{ table_name: string; row_key: string; fk_columns: unknown; parent_table: string; parent_key: string }>(
      'SELECT table_name, row_key, fk_columns, parent_table, parent_key FROM replicate.skipped_rows',
    );
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ table_name: 'departments', parent_table: 'employees' });
    expect(JSON.stringify(ledger[0]?.fk_columns)).toContain('manager_id');
    expect(ledger[0]?.row_key).toContain('4');
    expect(ledger[0]?.parent_key).toContain('99');
  });

  it('lands in the next run once the manager exists, and the ledger empties', async () => {
    pair.sqlite().prepare(`INSERT INTO employees VALUES (99, 'Late manager', 4, '2025-11-06T09:00:00.000Z')`).run();
    const r = await pair.run('sqlite-to-pg', '--batch-size', '3');
    expect(r.code).toBe(0);
    expect(r.json.waiting).toEqual({ skipped: 0, rejected: 0 });
    await expectSameContent(pair);
    expect(await pair.db.query('SELECT * FROM replicate.skipped_rows')).toEqual([]);
  });
});

describe('a run stopped between the two passes', () => {
  let pair: ReplicationPair;
  beforeAll(async () => {
    pair = await createReplicationPair(PG_SCHEMA, SQLITE_SCHEMA + sqliteRows());
  });
  afterAll(() => pair.cleanup());
  const managers = () => pair.db.query<{ id: number; manager_id: number | null }>('SELECT id, manager_id FROM departments ORDER BY id');

  it('leaves the managers owed, and the next run sets them though nothing changed at the source', async () => {
    const replicator = createReplicator({ sqlitePath: pair.sqlitePath, pgUrl: pair.db.url });
    // Ctrl-C right after the last table of the first pass
    let loaded = false;
    replicator.on('table-end', (e) => {
      if (e.stats.table === 'employees') loaded = true;
    });
    const stopped = await replicator.syncAll({ direction: 'sqlite-to-pg', batchSize: 3, stopRequested: () => loaded });
    expect(stopped.status).toBe('interrupted');
    expect((await managers()).map((d) => d.manager_id)).toEqual([null, null, null, null]);

    const r = await pair.run('sqlite-to-pg', '--batch-size', '3');
    expect(r.code).toBe(0);
    expect(r.json.tables.find((t) => t.name === 'departments')).toMatchObject({ read: 0, written: 0 });
    expect(await managers()).toEqual([1, 2, 3, 4].map((id) => ({ id, manager_id: managerOf(id) })));
    await expectSameContent(pair);
  });
});

describe('a department that waited for another parent', () => {
  // departments also belong to a building; department 4's building 99 is missing at first
  const withBuildings = (schema: string, integer: string, text: string): string =>
    `CREATE TABLE buildings (id ${integer} PRIMARY KEY, name ${text} NOT NULL);\n` +
    schema.replace('manager_id integer,', 'manager_id integer, building_id integer NOT NULL REFERENCES buildings(id),').replace('manager_id INTEGER REFERENCES employees(id),', 'manager_id INTEGER REFERENCES employees(id), building_id INTEGER NOT NULL REFERENCES buildings(id),');
  let pair: ReplicationPair;
  beforeAll(async () => {
    const rows = sqliteRows().replace(/INSERT INTO departments VALUES \((\d), ('[^']*'), (\d+),/g, (_m, id: string, name: string, manager: string) => `INSERT INTO departments VALUES (${id}, ${name}, ${manager}, ${id === '4' ? 99 : 1},`);
    pair = await createReplicationPair(withBuildings(PG_SCHEMA, 'integer', 'text'), withBuildings(SQLITE_SCHEMA, 'INTEGER', 'TEXT') + `INSERT INTO buildings VALUES (1, 'Main');\n` + rows);
  });
  afterAll(() => pair.cleanup());

  it('waits with its employees while the rest lands', async () => {
    const r = await pair.run('sqlite-to-pg', '--batch-size', '3');
    expect(r.code).toBe(3);
    expect(await pair.db.query('SELECT id FROM departments ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('lands with its manager once the building exists, and the ledger empties', async () => {
    pair.sqlite().prepare(`INSERT INTO buildings VALUES (99, 'Annex')`).run();
    const r = await pair.run('sqlite-to-pg', '--batch-size', '3');
    expect(r.code).toBe(0);
    expect(r.json.waiting).toEqual({ skipped: 0, rejected: 0 });
    expect(await pair.db.query('SELECT id, manager_id, building_id FROM departments WHERE id = 4')).toEqual([{ id: 4, manager_id: 12, building_id: 99 }]);
    await expectSameContent(pair);
    expect(await pair.db.query('SELECT * FROM replicate.skipped_rows')).toEqual([]);
  });
});
