/**
 * Runs the replicate CLI the way a user does: in-process through main() with captured
 * streams (fast), or as the real bin/replicate child process (exit codes, argv parsing).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
}

const cleanEnv = (extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  // the harness's own PG_URL must not leak into a command under test
  delete env.PG_URL;
  delete env.SQLITE_PATH;
  return { ...env, ...extra };
};

export async function runCli(args: string[], opts: CliOptions): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await main(args, { stdout, stderr, env: cleanEnv(opts.env), cwd: opts.cwd });
  return { code, stdout: out, stderr: err };
}

export const BIN = fileURLToPath(new URL('../../bin/replicate', import.meta.url));

/** A bin/replicate child process watched while it runs: its output so far and its exit code (null when killed by a signal). */
export interface LiveCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Starts bin/replicate; `onLine` sees each line of its stdout as it comes (to answer it: a signal, a change between runs). */
export function spawnLiveCli(args: string[], opts: CliOptions, onLine?: (line: string, child: ChildProcess) => void): LiveCli {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: cleanEnv(opts.env) });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  if (onLine) createInterface({ input: child.stdout }).on('line', (line) => onLine(line, child));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

export async function spawnCli(args: string[], opts: CliOptions): Promise<CliResult> {
  const live = spawnLiveCli(args, opts);
  const code = await live.exited;
  return { code: code ?? -1, stdout: live.stdout(), stderr: live.stderr() };
}
