import { describe, expect, it } from 'vitest';
import { createTestDatabase } from './harness/pg.js';

describe('the test harness gives each test a real PostgreSQL database', () => {
  it('creates, uses and drops a database', async () => {
    const db = await createTestDatabase();
    await db.exec('CREATE TABLE t (id int primary key); INSERT INTO t VALUES (1), (2)');
    const rows = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM t');
    expect(rows[0]?.n).toBe('2');
    const version = await db.query<{ server_version_num: string }>('SHOW server_version_num');
    expect(Number(version[0]?.server_version_num)).toBeGreaterThanOrEqual(150000);
    await db.drop();
  });
});
