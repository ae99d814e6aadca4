/**
 * A user generates mapping files, corrects a guess by hand, and keeps their edit when
 * the schema grows and `replicate map` runs again; a broken file is named with its line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../src/verify/finding.js';
import { runCli } from './harness/cli.js';
import { setupPosPair, type PosPair } from './harness/pos.js';

let pos: PosPair;
let mappingsDir: string;

beforeAll(async () => {
  pos = await setupPosPair();
  mappingsDir = join(pos.dir.path, 'mappings');
});
afterAll(() => pos.cleanup());

async function verifyJson(): Promise<{ code: number; issues: Finding[] }> {
  const r = await runCli(['verify', ...pos.flags, '--json'], { cwd: pos.dir.path });
  return { code: r.code, issues: (JSON.parse(r.stdout) as { issues: Finding[] }).issues };
}

describe('replicate map writes mapping files the user owns', () => {
  it('writes one YAML file per table and says what it guessed', async () => {
    const r = await runCli(['map', ...pos.flags], { cwd: pos.dir.path });
    expect(r.code).toBe(0);
    const files = readdirSync(mappingsDir).sort();
    expect(files).toHaveLength(14);
    expect(files).toContain('products.yaml');
    expect(r.stdout).toContain('rename: SQLite stock_quantity <-> PostgreSQL master_stock_quantity');
    expect(r.stdout).toContain("key translation: SQLite key local_id; server_id holds PostgreSQL's id");
    const products = readFileSync(join(mappingsDir, 'products.yaml'), 'utf8');
    expect(products).toMatch(/postgres: master_stock_quantity, sqlite: stock_quantity/);
    expect(products).toMatch(/^cursor: updated_at/m);
    expect(products).toMatch(/fingerprint:\n\s+sqlite: sha256:[0-9a-f]{16}\n\s+postgres: sha256:[0-9a-f]{16}/);
  });

  it('verify with the files reports the same drift as the defaults, the rename included', async () => {
    const { code, issues } = await verifyJson();
    expect(code).toBe(1);
    expect(issues.filter((f) => f.kind === 'unmapped_column')).toEqual([]);
    expect(issues.filter((f) => f.column === 'master_stock_quantity' || f.column === 'stock_quantity')).toEqual([]);
  });

  it('a hand edit marking legacy_code local survives a regeneration that adds a new PostgreSQL column', async () => {
    const file = join(mappingsDir, 'products.yaml');
    const original = readFileSync(file, 'utf8');
    const edited = original
      .replace(/^\s+- \{ ?postgres: legacy_code, sqlite: legacy_code.*\n/m, '')
      .replace(/^local_only:\n\s+sqlite: \[\]/m, 'local_only:\n  # the old vendor code stays on the terminal\n  sqlite: [legacy_code]')
      .replace(/^conflict: latest-wins/m, 'conflict: pg-wins');
    expect(edited).not.toBe(original);
    expect(edited).toContain('sqlite: [legacy_code]');
    writeFileSync(file, edited);

    let v = await verifyJson();
    expect(v.issues.filter((f) => f.table === 'products' && f.column === 'legacy_code')).toEqual([]);

    await pos.db.exec('ALTER TABLE products ADD COLUMN shelf_label varchar(32)');
    v = await verifyJson();
    expect(v.issues).toContainEqual(expect.objectContaining({ table: 'products', kind: 'unmapped_column', column: 'shelf_label', side: 'postgres' }));

    const r = await runCli(['map', ...pos.flags], { cwd: pos.dir.path });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/products\.yaml\n.*column added: .*shelf_label/);
    const after = readFileSync(file, 'utf8');
    expect(after).toContain('# the old vendor code stays on the terminal');
    expect(after).toMatch(/sqlite: \[ ?legacy_code ?\]/);
    expect(after).toMatch(/^conflict: pg-wins/m);
    expect(after).toMatch(/postgres: shelf_label/);
    expect(after).not.toMatch(/postgres: legacy_code/);

    v = await verifyJson();
    expect(v.issues.filter((f) => f.kind === 'unmapped_column')).toEqual([]);
    expect(v.issues).toContainEqual(expect.objectContaining({ table: 'products', kind: 'missing_column', column: 'shelf_label', side: 'sqlite' }));
  });

  it('a broken mapping file stops verify with exit 2, naming file, line and key', async () => {
    const file = join(mappingsDir, 'orders.yaml');
    const lines = readFileSync(file, 'utf8').split('\n');
    const cursorLine = lines.findIndex((l) => l.startsWith('cursor:'));
    expect(cursorLine).toBeGreaterThan(0);
    lines[cursorLine] = 'cursr: updated_at';
    writeFileSync(file, lines.join('\n'));
    const r = await runCli(['verify', ...pos.flags], { cwd: pos.dir.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:${cursorLine + 1}`);
    expect(r.stderr).toContain('cursr');
    expect(r.stdout).toBe('');
    // map refuses to merge into it too, and leaves every file as it was
    const before = readFileSync(file, 'utf8');
    const m = await runCli(['map', ...pos.flags], { cwd: pos.dir.path });
    expect(m.code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(existsSync(join(mappingsDir, 'products.yaml'))).toBe(true);
  });
});
