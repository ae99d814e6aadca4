/**
 * CPU time the benchmark's own PostgreSQL server spends, from /proc (Linux): each session
 * has a backend process of its own, a child of the postmaster, whose CPU time the kernel
 * adds to the postmaster's cutime/cstime when it exits; the long-lived children
 * (checkpointer, WAL writer, ...) are counted as they run. The difference across a
 * measured process is the server's share of that process's work: on a 2-core machine the
 * server and the tool share the cores, so the tool's own CPU alone does not say what the
 * run cost.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ServerCpu {
  /** CPU seconds the server has used so far, once the sessions that ended have been reaped; null where it cannot be read */
  sample(): Promise<number | null>;
}

/** /proc/<pid>/stat after the command name: state, ppid, ... utime (14th field of the line), stime, cutime, cstime. */
interface ProcStat {
  ppid: number;
  /** utime + stime, in clock ticks */
  own: number;
  /** cutime + cstime: the children it has reaped */
  reaped: number;
}

function procStat(pid: number): ProcStat | null {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = line.slice(line.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
  } catch {
    return null;
  }
}

let ticks: number | null = null;
function clockTicks(): number {
  if (ticks === null) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(r.stdout?.trim());
    ticks = r.status === 0 && n > 0 ? n : 100;
  }
  return ticks;
}

/** CPU seconds a live process has used so far (every thread), or null where /proc cannot tell. */
export function processCpuSeconds(pid: number): number | null {
  const s = procStat(pid);
  return s === null ? null : s.own / clockTicks();
}

/** The postmaster's children and their CPU, by pid. */
function children(postmaster: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const s = procStat(pid);
    if (s?.ppid === postmaster) out.set(pid, s.own);
  }
  return out;
}

/**
 * The sampler for the server whose data directory is `dataDir` (its postmaster.pid names
 * the postmaster), or one that says null: a server the benchmark did not start, or no /proc.
 */
export function serverCpu(dataDir: string | null): ServerCpu {
  const unknown: ServerCpu = { sample: async () => null };
  if (dataDir === null || process.platform !== 'linux') return unknown;
  let postmaster: number;
  try {
    postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return unknown;
  }
  if (!Number.isInteger(postmaster) || procStat(postmaster) === null) return unknown;
  /** children seen at the last sample: a backend of the measured process that still runs is waited for */
  let known: Set<number> | null = null;
  return {
    async sample() {
      // a session the measured process closed ends its backend a moment later: wait (at most 2 s) until those seen last time, and no others, remain
      for (let waited = 0; ; waited += 20) {
        const now = children(postmaster);
        const extra = known === null ? 0 : [...now.keys()].filter((pid) => !known?.has(pid)).length;
        if (extra === 0 || waited >= 2000) {
          const pm = procStat(postmaster);
          if (pm === null) return null;
          known = new Set(now.keys());
          const live = [...now.values()].reduce((a, b) => a + b, 0);
          return (pm.own + pm.reaped + live) / clockTicks();
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
