/**
 * A terminal that drops off the network in the middle of a run leaves its PostgreSQL
 * session behind, and with it the pair's run lock. Every session a run opens asks the
 * server to probe a silent connection after 30 s, every 10 s, three times, so the server
 * ends it (and the lock is free for the next run) in about a minute, not after the
 * system's default two hours.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { openPostgresSession, sessionSettings } from '../src/connect/postgres-session.js';
import { createTestDatabase, type TestDatabase } from './harness/pg.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('keepalive');
});
afterAll(() => db.drop());

describe("a run's PostgreSQL sessions over TCP", () => {
  it.each(['sqlite-to-pg', 'pg-to-sqlite'] as const)('%s: the server gives up on a vanished terminal within about a minute', async (direction) => {
    expect(new URL(db.url).hostname).toBe('127.0.0.1');
    const session: pg.Client = await openPostgresSession(db.url, 'replicate run', sessionSettings(direction));
    try {
      const show = async (name: string): Promise<string> => ((await session.query<Record<string, string>>(`SHOW ${name}`)).rows[0] ?? {})[name] ?? '';
      expect(await show('tcp_keepalives_idle')).toBe('30');
      expect(await show('tcp_keepalives_interval')).toBe('10');
      expect(await show('tcp_keepalives_count')).toBe('3');
    } finally {
      await session.end();
    }
  });
});
