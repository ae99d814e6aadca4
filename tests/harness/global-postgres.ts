/**
 * Vitest global setup: one throwaway PostgreSQL server for the whole run (or the
 * server PG_URL points at). Each test then creates its own database, see pg.ts.
 */
import type { TestProject } from 'vitest/node';
import { startLocalPostgres, type LocalPostgres } from '../../src/pgserver/local-server.js';

let server: LocalPostgres | null = null;

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export async function setup(project: TestProject): Promise<void> {
  const external = process.env.PG_URL;
  if (external) {
    project.provide('pgAdminUrl', external);
    return;
  }
  server = await startLocalPostgres();
  project.provide('pgAdminUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
