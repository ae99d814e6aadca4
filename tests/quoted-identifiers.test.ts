/**
 * Tables and columns named with spaces, quotes and non-ASCII letters go through verify,
 * map and fix-script like any other: no SQL breaks, every name comes back intact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Finding } from '../src/verify/finding.js';
import { runCli } from './harness/cli.js';
import { createTestDatabase, type TestDatabase } from './harness/pg.js';
import { createSqliteFile, tempDir, type TempDir } from './harness/sqlite.js';

let db: TestDatabase;
let dir: TempDir;
let flags: string[];
let sqlitePath: string;

beforeAll(async () => {
  db = await createTestDatabase('quoted');
  await db.exec(`
    CREATE TABLE "Branch Notes" (
      id integer PRIMARY KEY,
      "note's text" text NOT NULL,
      "café" text,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX ON "Branch Notes" (updated_at);
    CREATE TABLE "ünïcode_表" (
      "ключ" integer PRIMARY KEY,
      note_id integer NOT NULL REFERENCES "Branch Notes"(id),
      "wert ""quoted""" numeric(10,2)
    );`);
  dir = tempDir();
  sqlitePath = dir.file('quoted.db');
  createSqliteFile(
    sqlitePath,
    `CREATE TABLE "Branch Notes" (id INTEGER PRIMARY KEY, "note's text" TEXT NOT NULL, updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);
     CREATE INDEX "Branch Notes_updated_at" ON "Branch Notes"(updated_at);
     INSERT INTO "Branch Notes" (id, "note's text", updated_at) VALUES (1, 'it''s "fine"', '2025-11-05T10:00:00.000Z'), (2, 'ünï', '2025-11-05T10:00:01.000Z');`,
  );
  flags = ['--sqlite', sqlitePath, '--pg', db.url];
});
afterAll(async () => {
  await db.drop();
  dir.remove();
});

async function verify(): Promise<{ code: number; issues: Finding[] }> {
  const r = await runCli(['verify', ...flags, '--json'], { cwd: dir.path });
  return { code: r.code, issues: (JSON.parse(r.stdout) as { issues: Finding[] }).issues };
}

describe('quoted and unicode identifiers', () => {
  it('verify names them exactly', async () => {
    const { code, issues } = await verify();
    expect(code).toBe(1);
    expect(issues).toContainEqual(expect.objectContaining({ table: 'Branch Notes', kind: 'missing_column', column: 'café', side: 'sqlite' }));
    expect(issues).toContainEqual(expect.objectContaining({ table: 'ünïcode_表', kind: 'missing_table', side: 'sqlite', severity: 'error' }));
    expect(issues.filter((f) => f.column === "note's text")).toEqual([]);
  });

  it('map writes a file per table under its own name', async () => {
    const r = await runCli(['map', ...flags], { cwd: dir.path });
    expect(r.code).toBe(0);
    const notes = join(dir.path, 'mappings', 'Branch Notes.yaml');
    expect(existsSync(notes)).toBe(true);
    expect(readFileSync(notes, 'utf8')).toContain("note's text");
    expect(existsSync(join(dir.path, 'mappings', 'ünïcode_表.yaml'))).toBe(true);
  });

  it('fix-script --apply creates and alters them, keeps the rows, and verify is clean after', async () => {
    const r = await runCli(['fix-script', ...flags, '--apply'], { cwd: dir.path });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { code, issues } = await verify();
    expect(issues.filter((f) => f.severity === 'error')).toEqual([]);
    expect(code).toBe(0);
    const s = new Database(sqlitePath, { readonly: true });
    const rows = s.prepare(`SELECT id, "note's text" AS t FROM "Branch Notes" ORDER BY id`).all();
    const cols = s.prepare(`SELECT name FROM pragma_table_info('ünïcode_表')`).all();
    s.close();
    expect(rows).toEqual([
      { id: 1, t: 'it\'s "fine"' },
      { id: 2, t: 'ünï' },
    ]);
    expect(cols.map((c) => (c as { name: string }).name)).toEqual(['ключ', 'note_id', 'wert "quoted"']);
  });
});
