/**
 * PostgreSQL goes away in the middle of a run and stays away longer than the run's
 * reconnect attempts (a server restart that takes a while, a network that is down). The
 * run ends with exit 1 and says so in its own words: which server was lost, that what
 * committed is checkpointed, and that running again resumes there. The rerun, once the
 * server is back, does resume and ends with every row once.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from './harness/cli.js';
import { createReplicationPair, diffContent, type ReplicationPair } from './harness/replication.js';

const PG = 'CREATE TABLE readings (id bigint PRIMARY KEY, sensor integer NOT NULL, updated_at timestamptz NOT NULL);';
const SQLITE = 'CREATE TABLE readings (id INTEGER PRIMARY KEY, sensor INTEGER NOT NULL, updated_at DATETIME NOT NULL);';
const ROWS = 60000;

/** A TCP relay to the test server that can vanish: its connections cut, its port refusing new ones. */
interface Relay {
  port: number;
  vanish(): Promise<void>;
}

async function startRelay(target: URL): Promise<Relay> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    async vanish() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

let pair: ReplicationPair;
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
  const s = pair.sqlite();
  const insert = s.prepare('INSERT INTO readings VALUES (?, ?, ?)');
  s.transaction(() => {
    for (let i = 1; i <= ROWS; i++) insert.run(i, i % 50, `2025-11-05T10:${String(Math.floor(i / 6000) % 60).padStart(2, '0')}:00.${String(i % 1000).padStart(3, '0')}Z`);
  })();
  s.close();
});
afterAll(() => pair.cleanup());

const landed = async (): Promise<number> => Number((await pair.db.query<{ n: string }>('SELECT count(*)::text AS n FROM readings'))[0]?.n ?? 0);

describe('PostgreSQL gone for longer than the reconnect attempts', () => {
  it('ends the run with exit 1, naming the lost server and how to resume; the rerun resumes and completes', async () => {
    const direct = new URL(pair.db.url);
    const relay = await startRelay(direct);
    const viaRelay = new URL(direct);
    viaRelay.port = String(relay.port);
    const run = spawnCli(['run', '--direction', 'sqlite-to-pg', '--sqlite', pair.sqlitePath, '--pg', viaRelay.toString(), '--batch-size', '500'], { cwd: pair.dir.path });
    let cutAt = 0;
    for (let i = 0; i < 1000 && cutAt < 5000; i++) {
      cutAt = await landed();
      if (cutAt < 5000) await new Promise((r) => setTimeout(r, 20));
    }
    await relay.vanish();
    const r = await run;

    expect(cutAt).toBeGreaterThanOrEqual(5000);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const where = `postgres://${direct.username}@127.0.0.1:${relay.port}/${pair.db.name}`;
    expect(r.stderr).toContain(`replicate: lost the connection to PostgreSQL (${where}) while copying readings; gave up after 4 attempts to reconnect`);
    expect(r.stderr).toContain('every batch that committed is checkpointed: run the same command again once PostgreSQL is back and it resumes from there');
    expect(r.stderr + r.stdout).not.toContain('not queryable');
    expect(r.stderr + r.stdout).not.toContain(direct.password);
    const kept = await landed();
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(ROWS);

    // the server is back (here: reached without the relay): the same run resumes from its checkpoint
    const again = await spawnCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--batch-size', '500'], { cwd: pair.dir.path });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/readings: \w+ from checkpoint/);
    const diff = await diffContent(pair.db, pair.sqlitePath, { pg: 'readings', sqlite: 'readings' }, ['id', 'sensor', 'updated_at'].map((c) => ({ pg: c, sqlite: c })));
    expect(diff).toEqual({ onlyInSqlite: [], onlyInPostgres: [] });
  }, 60_000);
});
