/** The sample point-of-sale pair loaded into a fresh PostgreSQL database and SQLite file. */
import pg from 'pg';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { loadPosFixture, posFixturePaths } from '../../src/demo/pos-fixture.js';
import { createTestDatabase, type TestDatabase } from './pg.js';
import { tempDir, type TempDir } from './sqlite.js';

export interface PosPair {
  db: TestDatabase;
  dir: TempDir;
  sqlitePath: string;
  /** the connection flags a user would type */
  flags: string[];
  cleanup(): Promise<void>;
}

export async function setupPosPair(opts: { nullEmails?: boolean } = {}): Promise<PosPair> {
  const db = await createTestDatabase('pos');
  const dir = tempDir();
  const sqlitePath = dir.file('terminal.db');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await loadPosFixture({ sqlitePath, pg: client, withData: true });
  } finally {
    await client.end();
  }
  if (opts.nullEmails) {
    const s = new Database(sqlitePath);
    s.exec(readFileSync(posFixturePaths().sqliteNullEmails, 'utf8'));
    s.close();
  }
  return {
    db,
    dir,
    sqlitePath,
    flags: ['--sqlite', sqlitePath, '--pg', db.url],
    async cleanup() {
      await db.drop();
      dir.remove();
    },
  };
}
