/**
 * A team points `replicate verify` at their drifted terminal database and the central
 * PostgreSQL: every kind of drift the seeds describe is found, named and graded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../src/verify/finding.js';
import { runCli, spawnCli } from './harness/cli.js';
import { setupPosPair, type PosPair } from './harness/pos.js';

let pos: PosPair;
let report: { ok: boolean; summary: { errors: number; warnings: number; infos: number }; issues: Finding[] };
let exitCode: number;

beforeAll(async () => {
  pos = await setupPosPair();
  const r = await runCli(['verify', ...pos.flags, '--json'], { cwd: pos.dir.path });
  exitCode = r.code;
  report = JSON.parse(r.stdout) as typeof report;
});
afterAll(() => pos.cleanup());

const find = (table: string, kind: Finding['kind'], column: string | null = null): Finding | undefined =>
  report.issues.find((f) => f.table === table && f.kind === kind && (column === null || f.column === column));

describe('verify on the drifted point-of-sale pair', () => {
  it('exits 1 and prints the documented JSON shape', () => {
    expect(exitCode).toBe(1);
    expect(Object.keys(report).sort()).toEqual(['issues', 'ok', 'summary']);
    expect(report.ok).toBe(false);
    const count = (s: string): number => report.issues.filter((f) => f.severity === s).length;
    expect(report.summary).toEqual({ errors: count('error'), warnings: count('warning'), infos: count('info') });
    for (const f of report.issues) {
      expect(Object.keys(f).sort()).toEqual(['column', 'detail', 'kind', 'severity', 'side', 'table']);
    }
  });

  it('finds the three tables the terminal never got', () => {
    for (const t of ['system_settings', 'audit_logs', 'terminal_stock_levels']) {
      expect(find(t, 'missing_table')).toMatchObject({ severity: 'error', side: 'sqlite', column: null });
    }
  });

  it('grades missing columns by whether they block a write', () => {
    expect(find('orders', 'missing_column', 'store_id')).toMatchObject({ severity: 'error', side: 'sqlite' });
    expect(find('products', 'missing_column', 'supplier_id')).toMatchObject({ severity: 'warning', side: 'sqlite' });
    expect(find('products', 'missing_column', 'legacy_code')).toMatchObject({ severity: 'warning', side: 'postgres' });
  });

  it('pairs the renamed stock column and the translated terminal key without reporting them', () => {
    expect(report.issues.filter((f) => f.column === 'master_stock_quantity' || f.column === 'stock_quantity')).toEqual([]);
    expect(report.issues.filter((f) => f.table === 'terminals')).toEqual([]);
    expect(report.issues.filter((f) => ['local_id', 'server_id', 'sync_status', 'last_sync_at'].includes(f.column ?? ''))).toEqual([]);
  });

  it('explains type mismatches: lossy money, incompatible epoch dates', () => {
    expect(find('payments', 'type_mismatch', 'amount')).toMatchObject({ severity: 'warning', side: 'both' });
    expect(find('payments', 'type_mismatch', 'amount')?.detail).toContain('REAL cannot hold numeric(12,2) exactly');
    expect(find('shifts', 'type_mismatch', 'opened_at')).toMatchObject({ severity: 'error' });
    expect(find('shifts', 'type_mismatch', 'closed_at')).toMatchObject({ severity: 'error' });
  });

  it('treats the generated PostgreSQL column as expected, not as drift', () => {
    expect(find('stock_levels', 'generated_column', 'available_quantity')).toMatchObject({ severity: 'info', side: 'postgres' });
    expect(find('stock_levels', 'missing_column', 'available_quantity')).toBeUndefined();
  });

  it('reports nullability, default, primary key, foreign key and cursor index drift', () => {
    expect(find('customers', 'nullability', 'email')).toMatchObject({ severity: 'warning', side: 'sqlite' });
    expect(find('orders', 'default', 'status')).toMatchObject({ severity: 'info' });
    expect(find('orders', 'default', 'status')?.detail).toContain("'open'");
    expect(find('payments', 'primary_key')).toMatchObject({ severity: 'error', side: 'sqlite' });
    expect(find('orders', 'foreign_key', 'customer_id')).toMatchObject({ severity: 'warning', side: 'sqlite' });
    expect(find('payments', 'foreign_key', 'order_id')?.detail).toMatch(/ON DELETE RESTRICT in PostgreSQL, CASCADE in SQLite/);
    expect(find('orders', 'missing_cursor_index', 'updated_at')).toMatchObject({ severity: 'warning', side: 'sqlite' });
  });

  it('reports nothing for pairs that mean the same (uuid text, jsonb text, enum text, identity)', () => {
    const noise = report.issues.filter((f) => ['id', 'attributes', 'tags', 'status'].includes(f.column ?? '') && f.kind === 'type_mismatch');
    expect(noise).toEqual([]);
  });

  it('prints a human report grouped by table, tables with errors first', async () => {
    const r = await runCli(['verify', ...pos.flags], { cwd: pos.dir.path });
    expect(r.code).toBe(1);
    const tableHeads = r.stdout.split('\n').filter((l) => /^[a-z_]+$/.test(l));
    const withErrors = new Set(report.issues.filter((f) => f.severity === 'error').map((f) => f.table));
    const lastErrorTable = Math.max(...[...withErrors].map((t) => tableHeads.indexOf(t)));
    const firstCleanTable = tableHeads.findIndex((t) => !withErrors.has(t));
    expect(withErrors.size).toBeGreaterThan(3);
    expect(lastErrorTable).toBeLessThan(firstCleanTable);
    expect(tableHeads.slice(0, withErrors.size)).toEqual([...withErrors].sort());
    expect(r.stdout).toMatch(/\d+ errors, \d+ warnings, \d+ infos: drift blocks replication/);
    expect(r.stdout).not.toContain(new URL(pos.db.url).password);
  });

  it('`replicate --verify-schemas` is the same command, from the real binary', async () => {
    const r = await spawnCli(['--verify-schemas', ...pos.flags, '--json'], { cwd: pos.dir.path });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual(report);
  });
});
