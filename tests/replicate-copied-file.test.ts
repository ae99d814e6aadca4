/**
 * A terminal's file carries its id, so a moved file keeps its checkpoints. A copied file
 * (a cloned till, a backup restored onto a second till) carries it too: once the other file
 * has pushed, the copy's push is refused (exit 2) before it reads anything, instead of going
 * on from the other file's checkpoints and passing over its own new sales. `reset --new-id`
 * makes the copy a terminal of its own (a full push); `reset --adopt` lets a restored backup
 * go on as the original it replaces. A run killed midway through its claim is not refused.
 */
import Database from 'better-sqlite3';
import { copyFileSync, renameSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { describePostgresUrl } from '../src/connect/postgres-connection.js';
import { runCli, spawnLiveCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';

const PG = `CREATE TABLE sales (id bigint PRIMARY KEY, what text NOT NULL, updated_at timestamptz NOT NULL);`;
const SQLITE = `CREATE TABLE sales (id INTEGER PRIMARY KEY, what TEXT NOT NULL, updated_at DATETIME NOT NULL);`;

let pair: ReplicationPair;
afterEach(() => pair.cleanup());

/** A sale rung up on the till whose file is at `path`, stamped `second` seconds past 10:00 on a past day. */
function sell(path: string, id: number, what: string, second: number): void {
  const db = new Database(path);
  try {
    db.prepare('INSERT INTO sales (id, what, updated_at) VALUES (?, ?, ?)').run(id, what, `2025-06-01 10:00:${String(second).padStart(2, '0')}`);
  } finally {
    db.close();
  }
}

const fileId = (path: string): string => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT value FROM _replicate_meta WHERE key = 'database_id'`).get() as { value: string }).value;
  } finally {
    db.close();
  }
};

const salesInPostgres = async (): Promise<{ id: string; what: string }[]> => pair.db.query<{ id: string; what: string }>('SELECT id::text AS id, what FROM sales ORDER BY id');

const cli = (...args: string[]) => runCli(args, { cwd: pair.dir.path });
const push = (path: string, ...extra: string[]) => cli('run', '--direction', 'sqlite-to-pg', '--sqlite', path, '--pg', pair.db.url, '--json', ...extra);
const summary = (stdout: string): { tables: { read: number; written: number }[] } => JSON.parse(stdout.trim().split('\n').pop() ?? '') as { tables: { read: number; written: number }[] };

function refusal(path: string): string {
  return (
    `replicate: ${path}: this file shares its id ${fileId(path)} with another file that synced with ${describePostgresUrl(pair.db.url)}, schema public ` +
    'since it last did (a copy of it, or a restored backup); nothing was sent\n' +
    '  hint: run `replicate reset --new-id` on a copy (it becomes a new terminal: its next push is a full one) or `replicate reset --adopt` on a restored backup that replaces the original\n'
  );
}

describe('a till set up from a copy of another till’s file', () => {
  it('is refused once the original has pushed, loses nothing, and after reset --new-id pushes its own sales', async () => {
    pair = await createReplicationPair(PG, SQLITE);
    const original = pair.sqlitePath;
    const copy = pair.dir.file('till-2.db');
    for (const i of [1, 2, 3]) sell(original, i, `sale ${i}`, i);
    expect((await push(original)).code).toBe(0);

    copyFileSync(original, copy);
    sell(copy, 4, 'sold offline on the copy', 4);
    sell(original, 5, 'sold on the original', 5);
    expect((await push(original)).code).toBe(0);
    const checkpoints = await pair.db.query('SELECT * FROM replicate.checkpoints');

    // before the fix: exit 0, and sale 4 (below the original's checkpoint at :05) was never sent
    const refused = await push(copy);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(refusal(copy));
    expect(refused.stdout).toBe('');
    const dryRun = await push(copy, '--dry-run');
    expect([dryRun.code, dryRun.stderr]).toEqual([2, refusal(copy)]);
    // the original's state is as its push left it, and the copy's sale is still on the copy
    expect(await pair.db.query('SELECT * FROM replicate.checkpoints')).toEqual(checkpoints);
    expect((await salesInPostgres()).map((s) => s.id)).toEqual(['1', '2', '3', '5']);
    // a pull keeps its state in the file itself: the copy may still pull
    expect((await cli('run', '--direction', 'pg-to-sqlite', '--sqlite', copy, '--pg', pair.db.url, '--json')).code).toBe(0);
    // status says so on the copy, and only there
    const copyStatus = await cli('status', '--sqlite', copy, '--pg', pair.db.url);
    expect(copyStatus.code, copyStatus.stderr).toBe(0);
    expect(copyStatus.stdout).toContain('  pushes refused: another file with this id (a copy of it, or the original of a restored backup) has pushed since this one last did');
    expect(JSON.parse((await cli('status', '--sqlite', copy, '--pg', pair.db.url, '--json')).stdout)).toMatchObject({ sharedId: true });
    expect((await cli('status', '--sqlite', original, '--pg', pair.db.url)).stdout).not.toContain('pushes refused');

    const oldId = fileId(copy);
    const both = await cli('reset', '--new-id', '--adopt', '--sqlite', copy, '--pg', pair.db.url);
    expect([both.code, both.stderr]).toEqual([2, 'replicate: reset --new-id is about the whole file and goes alone: leave out --adopt\n']);
    expect(fileId(copy)).toBe(oldId);
    const reset = await cli('reset', '--new-id', '--sqlite', copy, '--pg', pair.db.url);
    expect(reset.code, reset.stderr).toBe(0);
    const newId = fileId(copy);
    expect(newId).not.toBe(oldId);
    expect(reset.stdout).toContain(`gave ${copy} the new id ${newId}: it is a terminal of its own now (id ${oldId} and its checkpoints stay with the file it was copied from)\n`);
    expect(reset.stdout).toContain('copies every row in full, by upsert');

    expect((await cli('status', '--sqlite', copy, '--pg', pair.db.url)).stdout).not.toContain('pushes refused');
    const fullPush = await push(copy);
    expect(fullPush.code, fullPush.stderr).toBe(0);
    expect(summary(fullPush.stdout).tables[0]?.read).toBe(5);
    expect(await salesInPostgres()).toEqual([
      { id: '1', what: 'sale 1' },
      { id: '2', what: 'sale 2' },
      { id: '3', what: 'sale 3' },
      { id: '4', what: 'sold offline on the copy' },
      { id: '5', what: 'sold on the original' },
    ]);
    // both tills go on incrementally from their own checkpoints, pulls included
    const originalAgain = await push(original);
    expect([originalAgain.code, summary(originalAgain.stdout).tables[0]?.read]).toEqual([0, 0]);
    const copyPull = await cli('run', '--direction', 'pg-to-sqlite', '--sqlite', copy, '--pg', pair.db.url, '--json');
    expect([copyPull.code, summary(copyPull.stdout).tables[0]?.read]).toEqual([0, 0]);
  });
});

describe('a backup restored onto the till after its disk failed', () => {
  it('is refused, and after reset --adopt goes on from the checkpoints the original left', async () => {
    pair = await createReplicationPair(PG, SQLITE);
    const till = pair.sqlitePath;
    const backup = pair.dir.file('nightly-backup.db');
    for (const i of [1, 2, 3]) sell(till, i, `sale ${i}`, i);
    expect((await push(till)).code).toBe(0);
    copyFileSync(till, backup);
    sell(till, 4, 'sold after the backup', 4);
    expect((await push(till)).code).toBe(0);

    // the disk dies; last night's backup is put back in its place, and the till sells on
    copyFileSync(backup, till);
    sell(till, 5, 'sold after the restore', 5);
    const refused = await push(till);
    expect([refused.code, refused.stderr]).toEqual([2, refusal(till)]);

    const adopt = await cli('reset', '--adopt', '--sqlite', till, '--pg', pair.db.url);
    expect(adopt.code, adopt.stderr).toBe(0);
    expect(adopt.stdout).toBe(
      `${till} goes on as the file that syncs as id ${fileId(till)} with ${describePostgresUrl(pair.db.url)}, schema public: its next push goes on from the id's checkpoints ` +
        '(if the file it replaces still syncs too, whichever of the two pushes second is refused)\n',
    );
    const again = await push(till);
    expect(again.code, again.stderr).toBe(0);
    // only the sale made since the restore is read: the checkpoints stayed
    expect(summary(again.stdout).tables[0]?.read).toBe(1);
    expect((await salesInPostgres()).map((s) => s.id)).toEqual(['1', '2', '3', '4', '5']);
  });
});

describe('a till file moved to a new disk', () => {
  it('is not refused and keeps its checkpoints', async () => {
    pair = await createReplicationPair(PG, SQLITE);
    for (const i of [1, 2]) sell(pair.sqlitePath, i, `sale ${i}`, i);
    expect((await push(pair.sqlitePath)).code).toBe(0);
    const moved = pair.dir.file('new-disk.db');
    renameSync(pair.sqlitePath, moved);
    sell(moved, 3, 'sold after the move', 3);
    const again = await push(moved);
    expect(again.code, again.stderr).toBe(0);
    expect(summary(again.stdout).tables[0]?.read).toBe(1);
    expect((await salesInPostgres()).map((s) => s.id)).toEqual(['1', '2', '3']);
  });
});

describe('a push killed after writing its new token into the file, before PostgreSQL made it current', () => {
  it('is not refused on the next push, which sends what the killed one did not', async () => {
    pair = await createReplicationPair(PG, SQLITE);
    sell(pair.sqlitePath, 1, 'sale 1', 1);
    expect((await push(pair.sqlitePath)).code).toBe(0);
    // the statement that makes the token current waits on a lock this test holds
    await pair.db.exec(`
      CREATE FUNCTION public.hold_current() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock(4242); RETURN NEW; END $$;
      CREATE TRIGGER hold_current BEFORE UPDATE ON replicate.generations FOR EACH ROW
        WHEN (NEW.current_token = NEW.pending_token AND NEW.current_token IS DISTINCT FROM OLD.current_token) EXECUTE FUNCTION public.hold_current();
      SELECT pg_advisory_lock(4242);`);
    sell(pair.sqlitePath, 2, 'sale 2', 2);
    const run = spawnLiveCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags], { cwd: pair.dir.path });
    let waiting: string | undefined;
    for (let i = 0; i < 200 && !waiting; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const rows = await pair.db.query<{ pid: string }>(`SELECT pid::text AS pid FROM pg_stat_activity WHERE wait_event = 'advisory' AND query LIKE '%current_token = pending_token%'`);
      waiting = rows[0]?.pid;
    }
    expect(waiting, run.stderr()).toBeDefined();
    // killed there: the process, and its server session with the statement it was waiting on
    run.child.kill('SIGKILL');
    expect(await run.exited).toBeNull();
    await pair.db.query('SELECT pg_terminate_backend($1::int)', [waiting]);
    await pair.db.exec(`SELECT pg_advisory_unlock(4242); DROP TRIGGER hold_current ON replicate.generations;`);

    const [stored] = await pair.db.query<{ current_token: string; pending_token: string }>('SELECT current_token, pending_token FROM replicate.generations');
    const file = new Database(pair.sqlitePath, { readonly: true });
    const held = (file.prepare(`SELECT value FROM _replicate_meta WHERE key LIKE 'generation:%'`).get() as { value: string }).value;
    file.close();
    expect(held).toBe(stored?.pending_token);
    expect(held).not.toBe(stored?.current_token);
    expect((await salesInPostgres()).map((s) => s.id)).toEqual(['1']);

    const next = await push(pair.sqlitePath);
    expect(next.code, next.stderr).toBe(0);
    expect(summary(next.stdout).tables[0]?.read).toBe(1);
    expect((await salesInPostgres()).map((s) => s.id)).toEqual(['1', '2']);
  });
});
