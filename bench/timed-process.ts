/**
 * Runs one measured child process: wall time from spawn to exit, and its peak RSS and CPU
 * time through GNU time (`/usr/bin/time -f '%M %U %S'`: kilobytes, user and system
 * seconds) when the machine has it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TimedResult {
  code: number;
  ms: number;
  stdout: string;
  stderr: string;
  /** Peak resident set of the child in bytes, or null when it could not be measured. */
  peakRss: number | null;
  /** CPU time of the child (user and system, every thread and the processes it waited for), in ms, or null. */
  cpuMs: number | null;
}

export interface TimedOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Feed this file on stdin (sqlite3 scripts). */
  stdinFile?: string;
  /** Send stdout to this file instead of keeping it (CSV exports). */
  stdoutFile?: string;
  /** Kill the child's whole process group after this long (a hung or crashed-into-debugger tool). */
  timeoutMs?: number;
}

const KEEP_CHARS = 256 * 1024;
const GNU_TIME = '/usr/bin/time';
let gnuTimeWorks: boolean | null = null;

/** True when /usr/bin/time is GNU time (it accepts -f and -o). */
export function hasGnuTime(): boolean {
  if (gnuTimeWorks === null) {
    gnuTimeWorks = existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%M %U %S', 'true'], { encoding: 'utf8' }).status === 0;
  }
  return gnuTimeWorks;
}

function keepTail(acc: string, chunk: Buffer): string {
  const s = acc + chunk.toString();
  return s.length > KEEP_CHARS ? s.slice(s.length - KEEP_CHARS) : s;
}

export function runTimed(cmd: string, args: string[], options: TimedOptions = {}): Promise<TimedResult> {
  const rssFile = join(tmpdir(), `replicate-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const useTime = hasGnuTime();
  const [file, argv] = useTime ? [GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, cmd, ...args]] : [cmd, args];
  const stdinFd = options.stdinFile ? openSync(options.stdinFile, 'r') : null;
  const stdoutFd = options.stdoutFile ? openSync(options.stdoutFile, 'w') : null;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [stdinFd ?? 'ignore', stdoutFd ?? 'pipe', 'pipe'],
      // Its own process group, so a timeout kills the tool and not only the time wrapper.
      detached: options.timeoutMs !== undefined,
    });
    let timedOut = false;
    const timer = options.timeoutMs === undefined ? null : setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, options.timeoutMs);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout = keepTail(stdout, d)));
    child.stderr?.on('data', (d: Buffer) => (stderr = keepTail(stderr, d)));
    const closeFds = (): void => {
      if (stdinFd !== null) closeSync(stdinFd);
      if (stdoutFd !== null) closeSync(stdoutFd);
    };
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      closeFds();
      reject(e);
    });
    child.on('close', (code, signal) => {
      const ms = performance.now() - started;
      if (timer) clearTimeout(timer);
      closeFds();
      if (timedOut) stderr += `\n(killed after ${Math.round((options.timeoutMs ?? 0) / 1000)} s)`;
      let peakRss: number | null = null;
      let cpuMs: number | null = null;
      if (useTime && existsSync(rssFile)) {
        // GNU time writes "Command exited with non-zero status N" before the numbers on failure.
        const [kb, user, system] = (readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
        peakRss = kb !== undefined && Number.isFinite(kb) && kb > 0 ? kb * 1024 : null;
        cpuMs = user !== undefined && system !== undefined && Number.isFinite(user + system) ? (user + system) * 1000 : null;
        rmSync(rssFile, { force: true });
      }
      resolve({ code: code ?? (signal ? 128 : 1), ms, stdout, stderr, peakRss, cpuMs });
    });
  });
}
