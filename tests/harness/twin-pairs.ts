/**
 * Two replication pairs made from the same schemas and rows, created before a file's tests and
 * cleaned up after them: `threaded` for a run of the built CLI (reader threads run only from
 * dist), `inProcess` for the same run from the TypeScript sources, so a test can compare them.
 */
import { afterAll, beforeAll } from 'vitest';
import { createReplicationPair, type ReplicationPair } from './replication.js';

export interface TwinPairs {
  threaded: ReplicationPair;
  inProcess: ReplicationPair;
}

export function twinPairs(pgSql: string, sqliteSql: string): TwinPairs {
  const twins = {} as TwinPairs;
  beforeAll(async () => {
    twins.threaded = await createReplicationPair(pgSql, sqliteSql);
    twins.inProcess = await createReplicationPair(pgSql, sqliteSql);
  });
  afterAll(async () => {
    await twins.threaded?.cleanup();
    await twins.inProcess?.cleanup();
  });
  return twins;
}
