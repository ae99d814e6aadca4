/**
 * The terminal's schema is aligned the way a careful operator would do it: write the
 * script, read it, apply it (backup first), and verify comes back clean with every row
 * still there. When the data stands in the way, nothing changes and the message says why.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from './harness/cli.js';
import { setupPosPair, type PosPair } from './harness/pos.js';

let pos: PosPair | undefined;
afterEach(async () => {
  await pos?.cleanup();
  pos = undefined;
});

type Row = Record<string, unknown>;

function snapshot(path: string): Map<string, Row[]> {
  const db = new Database(path, { readonly: true });
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[];
  const out = new Map(tables.map((t) => [t.name, db.prepare(`SELECT * FROM "${t.name}" ORDER BY rowid`).all() as Row[]]));
  db.close();
  return out;
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('replicate fix-script on the drifted terminal', () => {
  it('writes a commented script and changes nothing without --apply', async () => {
    pos = await setupPosPair();
    const before = sha256(pos.sqlitePath);
    const r = await runCli(['fix-script', ...pos.flags], { cwd: pos.dir.path });
    expect(r.code).toBe(0);
    const script = readFileSync(join(pos.dir.path, 'scripts/fix-sqlite-schema.sql'), 'utf8');
    expect(script).toMatch(/CREATE TABLE IF NOT EXISTS "system_settings"/);
    expect(script).toMatch(/ALTER TABLE "products" ADD COLUMN "supplier_id"/);
    expect(script).toMatch(/CREATE TABLE "_replicate_new_payments"/);
    expect(script).toMatch(/CREATE INDEX IF NOT EXISTS "orders_updated_at_idx"/);
    expect(script).not.toContain(new URL(pos.db.url).password);
    expect(r.stdout).toMatch(/rebuild\s+payments/);
    expect(r.stdout).toContain('--apply');
    expect(sha256(pos.sqlitePath)).toBe(before);
  });

  it('--apply backs up, aligns the schema, keeps every row, and verify then passes', async () => {
    pos = await setupPosPair();
    const before = snapshot(pos.sqlitePath);
    const r = await runCli(['fix-script', ...pos.flags, '--apply'], { cwd: pos.dir.path });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const backup = /backup: (.+)/.exec(r.stdout)?.[1];
    expect(backup && existsSync(backup)).toBe(true);
    expect(r.stdout).toMatch(/verify after fix: 0 errors/);

    const v = await runCli(['verify', ...pos.flags, '--json'], { cwd: pos.dir.path });
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).summary.errors).toBe(0);

    // every original row, every original value, still there (new columns are extra)
    const after = snapshot(pos.sqlitePath);
    for (const [table, rows] of before) {
      const now = after.get(table) ?? [];
      expect(now.length, table).toBe(rows.length);
      const key = (row: Row): string => String(row.local_id ?? row.id ?? JSON.stringify(row));
      const byKey = new Map(now.map((row) => [key(row), row]));
      for (const row of rows) expect(byKey.get(key(row)), `${table} ${key(row)}`).toMatchObject(row);
    }
    // the backup holds the database as it was
    expect(snapshot(backup ?? '')).toEqual(before);
  });

  it('refuses when rows stand in the way, names them, and changes nothing', async () => {
    pos = await setupPosPair({ nullEmails: true });
    const before = sha256(pos.sqlitePath);
    const r = await runCli(['fix-script', ...pos.flags, '--apply'], { cwd: pos.dir.path });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nothing was changed');
    expect(r.stderr).toContain('customers');
    expect(r.stderr).toContain('email');
    expect(r.stderr).toMatch(/\b3 rows?\b/);
    expect(sha256(pos.sqlitePath)).toBe(before);
  });
});
