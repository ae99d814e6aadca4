/**
 * The benchmark's CPU column: a measured process's CPU time is what it burnt, and the
 * server's CPU time grows by the work a session made it do, so a run's cost shows on both
 * sides of the 2 cores they share.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { serverCpu } from '../bench/server-cpu.js';
import { hasGnuTime, runTimed } from '../bench/timed-process.js';
import { withAdmin } from './harness/pg.js';

/** `sql` on a session that has ended (and so reported its CPU time) by the time this returns */
const query = <T extends pg.QueryResultRow>(sql: string): Promise<T[]> => withAdmin(async (c) => (await c.query<T>(sql)).rows);

describe('the benchmark CPU column', () => {
  it('reports the CPU time a measured process burnt', async () => {
    const r = await runTimed(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 400) {}']);
    expect(r.code).toBe(0);
    if (!hasGnuTime()) {
      expect(r.cpuMs).toBeNull();
      return;
    }
    expect(r.cpuMs).not.toBeNull();
    expect(r.cpuMs ?? 0).toBeGreaterThanOrEqual(300);
    // a busy loop's CPU time is at most its wall time, plus Node's own start
    expect(r.cpuMs ?? 0).toBeLessThanOrEqual(r.ms + 200);
  });

  it('counts the server CPU a session used, once the session has ended', async () => {
    const [{ data_directory: dir }] = (await query<{ data_directory: string }>('SHOW data_directory')) as [{ data_directory: string }];
    const sampler = serverCpu(dir);
    const before = await sampler.sample();
    if (!existsSync(join(dir, 'postmaster.pid'))) {
      // a server on another machine (PG_URL): nothing to read
      expect(before).toBeNull();
      return;
    }
    expect(before).not.toBeNull();
    const [plan] = await query<{ 'QUERY PLAN': { 'Execution Time': number }[] }>(
      'EXPLAIN (ANALYZE, FORMAT JSON) SELECT sum(i) FROM generate_series(1, 4000000) AS i',
    );
    const executionMs = plan?.['QUERY PLAN'][0]?.['Execution Time'] ?? 0;
    const after = await sampler.sample();
    expect(executionMs).toBeGreaterThan(200);
    // other test files' sessions share the server, so only a floor holds: most of the query's time was CPU
    expect(((after ?? 0) - (before ?? 0)) * 1000).toBeGreaterThanOrEqual(executionMs * 0.3);
  });
});
