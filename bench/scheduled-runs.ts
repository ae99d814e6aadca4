/**
 * Case d once more, the way a terminal syncing every few minutes runs it: one
 * `replicate run --schedule ... --json` process that stays up, each of its runs after the
 * app changed another 0.1% of rows. Its runs pay for their rows, not for starting Node,
 * loading and compiling modules (the one-shot command's fixed cost, d's note). The time
 * of a run is the one its summary line gives (`ms`: from the run's start to its summary,
 * connecting, planning and the lock included); the one-shot rounds are timed from spawn
 * to exit. The peak RSS is the process's own high-water mark over all its runs
 * (`VmHWM`), and the note says how far its RSS grew from the first round to the last.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { changeFraction } from './change-rows.js';
import { CLI, replicateArgs, runPlace, type ReplicateSummary } from './replicate-run.js';
import { processCpuSeconds } from './server-cpu.js';

/** a run every 5 seconds: room for the change and a CHECKPOINT between two runs at scale 5 */
export const BENCH_SCHEDULE = '*/5 * * * * *';

export interface ScheduledRounds {
  /** each round's run time (ms), from its summary */
  ms: number[];
  /** rows each round's run wrote, and the rows changed before it */
  written: number[];
  changed: number[];
  /** VmHWM and VmRSS of the process (bytes) after the first and the last round; null off Linux */
  peakRss: number | null;
  rssFirst: number | null;
  rssLast: number | null;
  /** CPU seconds of the process over all its rounds (the first run at start excluded), or null */
  cpuSeconds: number | null;
  /** the server's CPU seconds from each round's CHECKPOINT to its run's summary, summed (null where not sampled) */
  serverSeconds: number | null;
}

type Line = ReplicateSummary & { run: number; error?: { message: string } };

/** A /proc/<pid>/status field in bytes, or null. */
function statusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * `rounds` rounds of (change 0.1% of rows, CHECKPOINT, the scheduled process's next run)
 * on the pair, `firstRound` numbering the changes on from case d's one-shot rounds.
 */
export async function scheduledRounds(
  sqlitePath: string,
  pgUrl: string,
  rounds: number,
  firstRound: number,
  fraction: number,
  checkpoint: () => Promise<void>,
  timeoutMs: number,
  schedule = BENCH_SCHEDULE,
  serverCpu: () => Promise<number | null> = async () => null,
): Promise<ScheduledRounds> {
  const { cwd, env } = runPlace();
  const child = spawn(process.execPath, [CLI, ...replicateArgs({ sqlitePath, pgUrl, direction: 'sqlite-to-pg' }), '--schedule', schedule], { cwd, env });
  const lines: Line[] = [];
  const waiters: (() => void)[] = [];
  let err = '';
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    lines.push(JSON.parse(line) as Line);
    for (const w of waiters.splice(0)) w();
  });
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  exited.then(() => waiters.splice(0).forEach((w) => w())).catch(() => undefined);
  const nextLine = async (count: number): Promise<Line> => {
    const until = Date.now() + timeoutMs;
    while (lines.length < count) {
      if (child.exitCode !== null) throw new Error(`the scheduled run exited (${child.exitCode}): ${err.trim().slice(-600)}`);
      if (Date.now() > until) throw new Error(`no run line from the scheduled run within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 1000);
      });
    }
    const line = lines[count - 1] as Line;
    if (line.status === 'failed') throw new Error(`scheduled run ${line.run} failed: ${line.error?.message ?? ''}`);
    return line;
  };
  const out: ScheduledRounds = { ms: [], written: [], changed: [], peakRss: null, rssFirst: null, rssLast: null, cpuSeconds: null, serverSeconds: null };
  let server: number | null = 0;
  try {
    await nextLine(1); // the run at start: nothing changed since case d
    const pid = child.pid ?? 0;
    const cpuBefore = processCpuSeconds(pid);
    for (let r = 0; r < rounds; r++) {
      // right after a run: the next is seconds away, so the change and the CHECKPOINT land between the two
      out.changed.push(changeFraction(sqlitePath, fraction, firstRound + r).total);
      await checkpoint();
      const before = await serverCpu();
      const line = await nextLine(r + 2);
      const after = await serverCpu();
      server = server === null || before === null || after === null ? null : server + (after - before);
      out.ms.push(line.ms);
      out.written.push(line.tables.reduce((n, t) => n + t.written, 0));
      if (r === 0) out.rssFirst = statusBytes(pid, 'VmRSS');
    }
    out.rssLast = statusBytes(pid, 'VmRSS');
    out.peakRss = statusBytes(pid, 'VmHWM');
    const cpuAfter = processCpuSeconds(pid);
    out.cpuSeconds = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
    out.serverSeconds = server;
    child.kill('SIGTERM');
    const code = await exited;
    if (code !== 130) throw new Error(`the scheduled run exited ${code} on SIGTERM, not 130: ${err.trim().slice(-600)}`);
    return out;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  }
}
