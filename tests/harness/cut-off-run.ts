/**
 * A run cut off the way a user cuts one off: the built CLI as a child process, sent
 * SIGKILL (a crash) or SIGINT (Ctrl+C) once the test sees it far enough along.
 */
import { spawn } from 'node:child_process';
import { BIN } from './cli.js';
import type { ReplicationPair } from './replication.js';

/** `run --direction sqlite-to-pg` as a child process, stopped by `signal` once `ready` says so; its exit code and output. */
export function cutOffRun(pair: ReplicationPair, extra: string[], signal: NodeJS.Signals, ready: (out: string) => Promise<boolean>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'run', '--direction', 'sqlite-to-pg', ...pair.flags, ...extra], {
      cwd: pair.dir.path,
      env: { ...process.env, NO_COLOR: '1', PG_URL: '' },
    });
    let out = '';
    let err = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const poll = async (): Promise<void> => {
      while (!sent && child.exitCode === null) {
        if (await ready(out)) {
          sent = true;
          child.kill(signal);
          return;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    void poll();
    child.on('exit', (code) => {
      sent = true;
      resolve({ code, out, err });
    });
  });
}
