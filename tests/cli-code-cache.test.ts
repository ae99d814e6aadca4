/**
 * On Node 20 (no module.enableCompileCache) a plain `replicate run` from the built CLI keeps
 * V8's compiled code of its bundle in a cache folder of the user's, and the next run starts
 * from it. The cache is only ever a shortcut: a corrupt one, one of another build, a folder
 * others may write to or one that cannot be made change nothing in what a run does.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWithCodeCache } from '../src/cli/code-cache.js';
import { spawnCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';
import { tempDir, type TempDir } from './harness/sqlite.js';

const cachesIn = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.v8cache'));

describe.runIf(!('enableCompileCache' in module))('the built CLI run with its code cache (Node 20)', () => {
  let pair: ReplicationPair;
  let cacheDir: string;
  beforeAll(async () => {
    pair = await createReplicationPair(
      'CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL, updated_at timestamptz NOT NULL);',
      'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, updated_at TEXT NOT NULL);',
    );
    cacheDir = pair.dir.file('code-cache');
  });
  afterAll(() => pair.cleanup());

  let note = 0;
  /** Adds a note on the SQLite side, runs the built CLI with `cache` as its cache folder, and checks the note arrived. */
  const runCopiesANote = async (cache: string): Promise<string> => {
    note++;
    pair.sqlite().prepare('INSERT INTO notes VALUES (?, ?, ?)').run(note, `note ${note}`, `2025-11-0${note}T10:00:00.000Z`);
    const r = await spawnCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--json'], { cwd: pair.dir.path, env: { REPLICATE_CODE_CACHE_DIR: cache } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(await pair.db.query('SELECT id::int, body FROM notes ORDER BY id')).toEqual(Array.from({ length: note }, (_, i) => ({ id: i + 1, body: `note ${i + 1}` })));
    return r.stdout;
  };

  it('writes the cache after the first run and starts the next run from it', async () => {
    await runCopiesANote(cacheDir);
    const [cache] = cachesIn(cacheDir);
    expect(cachesIn(cacheDir)).toHaveLength(1);
    expect(statSync(cacheDir).mode & 0o077).toBe(0);
    const before = readFileSync(join(cacheDir, cache!));
    await runCopiesANote(cacheDir);
    // taken as it was: a cache V8 turned down would have been written again
    expect(readFileSync(join(cacheDir, cache!)).equals(before)).toBe(true);
  });

  it('runs as before from a corrupt cache, and replaces it', async () => {
    const [cache] = cachesIn(cacheDir);
    const file = join(cacheDir, cache!);
    const garbage = Buffer.from(readFileSync(file).map((b, i) => (i > 64 ? b ^ 0x5a : b)));
    writeFileSync(file, garbage);
    await runCopiesANote(cacheDir);
    expect(readFileSync(file).equals(garbage)).toBe(false);
    writeFileSync(file, garbage.subarray(0, 100));
    await runCopiesANote(cacheDir);
    expect(statSync(file).size).toBeGreaterThan(100);
  });

  it('keeps no cache with REPLICATE_CODE_CACHE=off', async () => {
    const unused = pair.dir.file('unused-cache');
    note++;
    pair.sqlite().prepare('INSERT INTO notes VALUES (?, ?, ?)').run(note, `note ${note}`, `2025-11-0${note}T10:00:00.000Z`);
    const r = await spawnCli(['run', '--direction', 'sqlite-to-pg', ...pair.flags, '--json'], { cwd: pair.dir.path, env: { REPLICATE_CODE_CACHE_DIR: unused, REPLICATE_CODE_CACHE: 'off' } });
    expect(r.code, r.stderr).toBe(0);
    expect(await pair.db.query('SELECT count(*)::int AS n FROM notes')).toEqual([{ n: note }]);
    expect(existsSync(unused)).toBe(false);
  });

  it('runs as before when the cache folder cannot be made', async () => {
    const notAFolder = pair.dir.file('plain-file');
    writeFileSync(notAFolder, 'not a folder');
    await runCopiesANote(join(notAFolder, 'cache'));
  });
});

describe('loading a CommonJS bundle with a code cache', () => {
  let dir: TempDir;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => dir.remove());

  const bundle = (name: string, hash: string, body: string): string => {
    const file = dir.file(name);
    writeFileSync(file, `${body}\n// bundle-hash: ${hash}\n`);
    return file;
  };
  const body = "const { join } = require('node:path'); exports.answer = (n) => join('a', String(n * 2));";
  const answer = (loaded: ReturnType<typeof loadWithCodeCache>): string => (loaded?.exports as { answer(n: number): string }).answer(21);

  it('compiles from source first, then from the cache it saved', () => {
    const cache = dir.file('c1');
    const file = bundle('b1.cjs', 'aaaaaaaaaaaaaaaa', body);
    const first = loadWithCodeCache(file, cache);
    expect(answer(first)).toBe(join('a', '42'));
    expect(first?.cacheUsed).toBe(false);
    first?.saveCache();
    expect(cachesIn(cache)).toEqual([`b1-aaaaaaaaaaaaaaaa-${process.version}-${process.arch}.v8cache`]);
    const second = loadWithCodeCache(file, cache);
    expect(second?.cacheUsed).toBe(true);
    expect(answer(second)).toBe(join('a', '42'));
  });

  it('never hands V8 a damaged cache (its deserializer would crash the process), and saves a sound one in its place', () => {
    const cache = dir.file('c6');
    const file = bundle('b6.cjs', 'eeeeeeeeeeeeeeee', body);
    loadWithCodeCache(file, cache)?.saveCache();
    const [name] = cachesIn(cache);
    const sound = readFileSync(join(cache, name!));
    for (const damaged of [Buffer.from(sound.map((b, i) => (i >= 40 ? b ^ 0xff : b))), sound.subarray(0, sound.length - 8), Buffer.alloc(0)]) {
      writeFileSync(join(cache, name!), damaged);
      const loaded = loadWithCodeCache(file, cache);
      expect(loaded?.cacheUsed).toBe(false);
      expect(answer(loaded)).toBe(join('a', '42'));
      loaded?.saveCache();
      expect(loadWithCodeCache(file, cache)?.cacheUsed).toBe(true);
    }
  });

  it("never takes another build's cache, and drops it once its own is saved", () => {
    const cache = dir.file('c2');
    const old = loadWithCodeCache(bundle('b2.cjs', 'bbbbbbbbbbbbbbbb', "exports.answer = () => 'old';"), cache);
    old?.saveCache();
    const file = bundle('b2.cjs', 'cccccccccccccccc', body);
    const loaded = loadWithCodeCache(file, cache);
    expect(loaded?.cacheUsed).toBe(false);
    expect(answer(loaded)).toBe(join('a', '42'));
    loaded?.saveCache();
    expect(cachesIn(cache)).toEqual([`b2-cccccccccccccccc-${process.version}-${process.arch}.v8cache`]);
  });

  it('neither reads nor writes a cache in a folder others may write to, or through a link', () => {
    const cache = dir.file('c3');
    const file = bundle('b3.cjs', 'dddddddddddddddd', body);
    loadWithCodeCache(file, cache)?.saveCache();
    chmodSync(cache, 0o777);
    const loaded = loadWithCodeCache(file, cache);
    expect(loaded?.cacheUsed).toBe(false);
    expect(answer(loaded)).toBe(join('a', '42'));
    const shared = dir.file('c4');
    mkdirSync(shared, { mode: 0o777 });
    chmodSync(shared, 0o777);
    loadWithCodeCache(file, shared)?.saveCache();
    expect(cachesIn(shared)).toEqual([]);
    // a link in place of the folder (in a shared temp folder anyone may make one) is not followed
    const target = dir.file('c3-target');
    mkdirSync(target, { mode: 0o700 });
    const link = dir.file('c3-link');
    symlinkSync(target, link);
    loadWithCodeCache(file, link)?.saveCache();
    expect(cachesIn(target)).toEqual([]);
  });

  it('reads a bundle that is not ASCII as the UTF-8 it is, from source and from its cache', () => {
    const cache = dir.file('c7');
    const file = bundle('b7.cjs', 'ffffffffffffffff', "exports.answer = (n) => `caf\u00e9 \u2713 ${n}` + ' café ✓';");
    const first = loadWithCodeCache(file, cache);
    expect(answer(first)).toBe('café ✓ 21 café ✓');
    first?.saveCache();
    const second = loadWithCodeCache(file, cache);
    expect(second?.cacheUsed).toBe(true);
    expect(answer(second)).toBe('café ✓ 21 café ✓');
  });

  it('is null for a bundle that is not there, and runs one without a hash line uncached', () => {
    expect(loadWithCodeCache(dir.file('missing.cjs'), dir.file('c5'))).toBeNull();
    const file = dir.file('plain.cjs');
    writeFileSync(file, body);
    const loaded = loadWithCodeCache(file, dir.file('c5'));
    loaded?.saveCache();
    expect(answer(loaded)).toBe(join('a', '42'));
    expect(() => readdirSync(dir.file('c5'))).toThrow();
  });
});
