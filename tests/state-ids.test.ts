/**
 * The ids that key replication state: a terminal's SQLite file gets a stable id stored
 * inside it, so a moved file keeps its checkpoints and two terminals' files never share
 * state; a PostgreSQL database has one id per schema, the same from every connection.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { renameSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStateStore } from '../src/replicator/state/postgres-state-store.js';
import { postgresDatabaseId, resetSqliteDatabaseId, sqliteDatabaseId } from '../src/replicator/state/database-ids.js';
import type { PairScope } from '../src/replicator/state/state-store.js';
import { rawTextTypes } from '../src/replicator/values/pg-raw-types.js';
import { createTestDatabase, type TestDatabase } from './harness/pg.js';
import { createSqliteFile, tempDir, type TempDir } from './harness/sqlite.js';

describe('the ids that key the state', () => {
  let dir: TempDir;
  let db: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    dir = tempDir();
    db = await createTestDatabase('ids');
    client = new pg.Client({ connectionString: db.url, types: rawTextTypes });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
    dir.remove();
  });

  function withFile<T>(path: string, fn: (sqlite: Database.Database) => T): T {
    const sqlite = new Database(path);
    try {
      return fn(sqlite);
    } finally {
      sqlite.close();
    }
  }

  it('a terminal file keeps its id, and its checkpoints, when reopened and moved', async () => {
    const path = dir.file('pos-07.db');
    createSqliteFile(path, 'CREATE TABLE orders (id INTEGER PRIMARY KEY)');
    const id = withFile(path, sqliteDatabaseId);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(withFile(path, sqliteDatabaseId)).toBe(id);

    const scope: PairScope = { sqliteId: id, postgresId: await postgresDatabaseId(client, 'public'), direction: 'sqlite-to-pg' };
    const store = new PostgresStateStore(client, scope);
    await store.ensure();
    await store.saveCheckpoint('orders', 'where pos-07 got to');

    const moved = dir.file('moved-to-new-disk.db');
    renameSync(path, moved);
    const idAfterMove = withFile(moved, sqliteDatabaseId);
    expect(idAfterMove).toBe(id);
    const again = new PostgresStateStore(client, { ...scope, sqliteId: idAfterMove });
    expect((await again.getCheckpoint('orders'))?.position).toBe('where pos-07 got to');
  });

  it('two terminal files get different ids, and a copied file can be given a fresh one', () => {
    const one = dir.file('pos-01.db');
    const two = dir.file('pos-02.db');
    createSqliteFile(one, 'CREATE TABLE orders (id INTEGER PRIMARY KEY)');
    createSqliteFile(two, 'CREATE TABLE orders (id INTEGER PRIMARY KEY)');
    const idOne = withFile(one, sqliteDatabaseId);
    const idTwo = withFile(two, sqliteDatabaseId);
    expect(idOne).not.toBe(idTwo);

    const fresh = withFile(two, resetSqliteDatabaseId);
    expect(fresh).not.toBe(idTwo);
    expect(fresh).not.toBe(idOne);
    expect(withFile(two, sqliteDatabaseId)).toBe(fresh);
  });

  it('a PostgreSQL database has one id per schema, the same from every connection', async () => {
    const publicId = await postgresDatabaseId(client, 'public');
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      expect(await postgresDatabaseId(other, 'public')).toBe(publicId);
      const storeTwo = await postgresDatabaseId(other, 'store_two');
      expect(storeTwo).not.toBe(publicId);
      expect(await postgresDatabaseId(client, 'store_two')).toBe(storeTwo);
    } finally {
      await other.end();
    }
  });
});
