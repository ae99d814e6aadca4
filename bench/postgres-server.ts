/**
 * The benchmark's own throwaway PostgreSQL. The test harness's server runs with fsync
 * off; the reference numbers were taken at the server's defaults, so by default
 * this one keeps every durability setting as initdb wrote it. `fast` reproduces the
 * harness settings for comparison.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPostgresBinDir, freePort } from '../dist/pgserver/local-server.js';

export type PgSettingsProfile = 'default' | 'fast';

/** Server options beyond where it listens, per profile. */
export const PROFILE_OPTIONS: Record<PgSettingsProfile, string[]> = {
  default: [],
  fast: ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'],
};

export interface BenchPostgres {
  /** Admin URL to the `postgres` database. */
  url: string;
  binDir: string;
  profile: PgSettingsProfile;
  stop(): Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
}

/** initdb refuses to run as root: use the postgres (or nobody) account then. */
function unprivilegedUser(): RunAs | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    const u = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (u.status === 0 && g.status === 0) return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
  }
  throw new Error('running as root and no unprivileged user (postgres, nobody) exists to run PostgreSQL as');
}

function run(cmd: string, args: string[], runAs: RunAs | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(runAs ?? {}), env: { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

export async function startBenchPostgres(profile: PgSettingsProfile): Promise<BenchPostgres> {
  const binDir = findPostgresBinDir();
  if (!binDir) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found; install postgresql or pass --pg-url');
  const runAs = unprivilegedUser();
  const base = mkdtempSync(join(tmpdir(), 'replicate-bench-pg-'));
  const dataDir = join(base, 'data');
  const password = `pw${Math.random().toString(36).slice(2, 12)}`;
  const pwfile = join(base, 'pwfile');
  writeFileSync(pwfile, password + '\n');
  if (runAs) {
    chownSync(base, runAs.uid, runAs.gid);
    chownSync(pwfile, runAs.uid, runAs.gid);
  }
  chmodSync(base, 0o700);
  const initdbArgs = ['-D', dataDir, '-U', 'replicate', `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8'];
  await run(join(binDir, 'initdb'), initdbArgs, runAs);
  const port = await freePort();
  const opts = [`-p ${port}`, `-k ${base}`, '-c listen_addresses=127.0.0.1', ...PROFILE_OPTIONS[profile]].join(' ');
  await run(join(binDir, 'pg_ctl'), ['-D', dataDir, '-o', opts, '-l', join(base, 'server.log'), '-w', '-t', '60', 'start'], runAs);
  let stopped = false;
  return {
    url: `postgres://replicate:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    binDir,
    profile,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await run(join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop'], runAs);
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    },
  };
}
