/**
 * The benchmark's own throwaway PostgreSQL. The test harness's server runs with fsync
 * off; the reference numbers were taken at the server's defaults, so by default
 * this one keeps every durability setting as initdb wrote it. `fast` reproduces the
 * harness settings for comparison. The server itself is the project's own starter.
 */
import { PostgresBinariesMissingError, startLocalPostgres } from '../dist/pgserver/local-server.js';

export type PgSettingsProfile = 'default' | 'fast';

export interface BenchPostgres {
  /** Admin URL to the `postgres` database. */
  url: string;
  profile: PgSettingsProfile;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startBenchPostgres(profile: PgSettingsProfile): Promise<BenchPostgres> {
  const server = await startLocalPostgres({ settings: profile }).catch((e: unknown) => {
    // the bench takes an existing server with --pg-url, not PG_URL
    throw e instanceof PostgresBinariesMissingError ? new Error('PostgreSQL server binaries (initdb, pg_ctl) not found; install postgresql or pass --pg-url') : e;
  });
  return { url: server.url, profile, dataDir: server.dataDir, stop: () => server.stop() };
}
