/**
 * A terminal pulling the central database's changes (pg-to-sqlite, the built CLI, after its
 * first load): a pull of a few changed rows reads them on the run's one PostgreSQL session,
 * without starting the reader thread and its second session; a pull of more than a batch
 * reads the first batch there and the rest on the reader thread. Either way every changed
 * row lands with the values a run without any reader thread lands.
 */
import { describe, expect, it } from 'vitest';
import { spawnCli, type CliResult } from './harness/cli.js';
import type { TestDatabase } from './harness/pg.js';
import type { ReplicationPair } from './harness/replication.js';
import { twinPairs } from './harness/twin-pairs.js';

const PG = `
  CREATE TABLE prices (id bigint PRIMARY KEY, product text NOT NULL, price numeric(10,2), valid_from timestamptz,
    doc jsonb, raw bytea, updated_at timestamptz NOT NULL);
  INSERT INTO prices
  SELECT i, 'product ' || i || ' ünï 😀', i * 1.25, '2025-01-01 00:00:00.123456+00'::timestamptz + i * interval '1 hour',
         jsonb_build_object('i', i, 'tags', jsonb_build_array('a', i)), decode(lpad(to_hex(i), 4, '0'), 'hex'),
         '2025-06-01 00:00:00+00'::timestamptz + i * interval '1 minute'
    FROM generate_series(1, 12) AS i;`;
const SQLITE = `
  CREATE TABLE prices (id INTEGER PRIMARY KEY, product TEXT NOT NULL, price DECIMAL(10,2), valid_from DATETIME,
    doc TEXT, raw BLOB, updated_at DATETIME NOT NULL);`;

const twins = twinPairs(PG, SQLITE);

const pull = (pair: ReplicationPair): Promise<CliResult> => spawnCli(['run', '--direction', 'pg-to-sqlite', ...pair.flags, '--batch-size', '3', '--json'], { cwd: pair.dir.path });

async function waitUntil(what: string, done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting until ${what}`);
}

/**
 * Sessions the command opened on the test database: the server counts a session in its
 * statistics (pg_stat_database.sessions) once the backend has ended, so the count is read
 * once no backend but the test's own is left.
 */
async function sessionsOpenedBy(db: TestDatabase, command: () => Promise<CliResult>): Promise<{ cli: CliResult; sessions: number }> {
  const sessions = async (): Promise<number> => Number((await db.query<{ n: string }>('SELECT sessions AS n FROM pg_stat_database WHERE datname = current_database()'))[0]?.n);
  const othersGone = async (): Promise<boolean> =>
    Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()'))[0]?.n) === 0;
  await waitUntil('earlier sessions ended', othersGone);
  await sessions(); // the test's own session is counted by its first statement
  const before = await sessions();
  const cli = await command();
  await waitUntil("the command's sessions ended", othersGone);
  return { cli, sessions: (await sessions()) - before };
}

function contents(pair: ReplicationPair): unknown[] {
  const s = pair.sqlite();
  try {
    return s.prepare('SELECT typeof(price), quote(price), quote(product), quote(valid_from), quote(doc), quote(raw), quote(updated_at) FROM prices ORDER BY id').raw().all();
  } finally {
    s.close();
  }
}

async function change(sql: string): Promise<void> {
  await twins.threaded.db.exec(sql);
  await twins.inProcess.db.exec(sql);
}

const written = (cli: CliResult): number => (JSON.parse(cli.stdout.trim().split('\n').pop() ?? '') as { tables: { written: number }[] }).tables[0]?.written ?? -1;

describe('a terminal pulling changes from PostgreSQL', () => {
  it('reads a few changed rows on one session, and the rows of more than a batch partly on the reader thread, landing them all', async () => {
    const first = await pull(twins.threaded);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect((await twins.inProcess.run('pg-to-sqlite', '--batch-size', '3')).code).toBe(0);
    expect(contents(twins.threaded)).toEqual(contents(twins.inProcess));

    // one price changed centrally: one batch, read on the run's own session
    await change(`UPDATE prices SET price = 99.95, doc = '{"sale": true}', updated_at = '2025-07-01 00:00:00+00' WHERE id = 4`);
    const few = await sessionsOpenedBy(twins.threaded.db, () => pull(twins.threaded));
    expect(few.cli.code).toBe(0);
    expect(written(few.cli)).toBe(1);
    expect(few.sessions).toBe(1);

    // eight changed: the first batch of three on the run's session, the rest on the reader thread's
    await change(`UPDATE prices SET price = price + 0.01, product = product || ' (new)', raw = '\\x00ff'::bytea,
                   valid_from = '2025-08-01 12:00:00.000001+00', updated_at = '2025-08-01 00:00:00+00'::timestamptz + id * interval '1 second'
                 WHERE id BETWEEN 3 AND 10`);
    const many = await sessionsOpenedBy(twins.threaded.db, () => pull(twins.threaded));
    expect(many.cli.code).toBe(0);
    expect(written(many.cli)).toBe(8);
    expect(many.sessions).toBe(2);

    expect((await twins.inProcess.run('pg-to-sqlite', '--batch-size', '3')).code).toBe(0);
    expect((await twins.inProcess.run('pg-to-sqlite', '--batch-size', '3')).json.tables[0]?.written).toBe(0);
    const got = contents(twins.threaded);
    expect(got).toEqual(contents(twins.inProcess));
    expect(got[3]).toEqual(['real', '99.96', "'product 4 ünï 😀 (new)'", "'2025-08-01T12:00:00.000001Z'", `'{"sale": true}'`, "X'00FF'", "'2025-08-01T00:00:04.000Z'"]);
    expect(got[10]).toEqual(['real', '13.75', "'product 11 ünï 😀'", "'2025-01-01T11:00:00.123456Z'", `'{"i": 11, "tags": ["a", 11]}'`, "X'000B'", "'2025-06-01T00:11:00.000Z'"]);
  });
});
