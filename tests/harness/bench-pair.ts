/**
 * The benchmark's data at a tiny scale for its tests: a generated point-of-sale SQLite file
 * and a fresh PostgreSQL database with the bench's schema, loaded from the file by the
 * built CLI. The caller drops the database and removes the folder.
 */
import { expect } from 'vitest';
import { generatePos, posPostgresSchemaPath, type GeneratedPos } from '../../bench/generate-pos.js';
import { runSqlFile } from '../../bench/pg-admin.js';
import { spawnCli } from './cli.js';
import { createTestDatabase, type TestDatabase } from './pg.js';
import { tempDir, type TempDir } from './sqlite.js';

export interface BenchPair {
  dir: TempDir;
  db: TestDatabase;
  pos: GeneratedPos;
}

export async function loadedBenchPair(prefix: string, scale = 0.002): Promise<BenchPair> {
  const dir = tempDir(`replicate-bench-${prefix}-`);
  const pos = generatePos(dir.file('pos.db'), { scale });
  const db = await createTestDatabase(`b${prefix}`);
  await runSqlFile(db.url, posPostgresSchemaPath());
  const full = await spawnCli(['run', '--direction', 'sqlite-to-pg', '--sqlite', pos.path, '--pg', db.url, '--json'], { cwd: dir.path });
  expect(full.code, full.stderr).toBe(0);
  return { dir, db, pos };
}
