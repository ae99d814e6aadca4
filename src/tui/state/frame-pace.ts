/**
 * How often the store publishes (and Ink draws) while a run is going. A frame at 120x40 costs
 * about 10-20 ms of main-thread CPU while the code is still cold (a run draws only a few dozen),
 * 3-5 ms once warm, and about 1.3 MB of short-lived garbage (Ink turning all 4,800 cells into
 * text; 25 ms and 7-9 MB before src/tui/ink-speedups), and every young-generation GC also
 * copies the run's batches in flight. With CPU to spare that costs the run nothing and progress moves every
 * second; when the machine's cores are all busy (a full load keeps the reader thread, the
 * main thread and PostgreSQL going), or the engine's own thread is (a pg-to-sqlite run's
 * SQLite writes, on a machine with cores to spare), every frame comes out of the run, so the
 * progress moves every two seconds instead. Not rarer: a rarer frame runs colder code and costs
 * more (node --cpu-prof of bench case f's run --tui: every 3 s, 14 ms a frame and 171-187 ms
 * of UI per run; every 2 s, 8 ms a frame and 167-169 ms), so every 3 s saved nothing.
 * Keys redraw at once either way (React state, not the store).
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';

export interface FramePaceOptions {
  /** least time between two snapshots while a run is going and the machine has CPU to spare */
  runningMs: number;
  /** the same while a run is going and every core is busy */
  busyMs: number;
  /** true when the machine's cores were (nearly) all busy since the last call */
  machineBusy?: () => boolean;
  /** true when this thread, the engine's, was (nearly) always busy since the last call */
  threadBusy?: () => boolean;
}

/**
 * Busy: this thread's event loop was idle under a tenth of the time since the previous call
 * (the first call: since the process started). The engine's main thread then is the run's
 * bottleneck, on a machine with idle cores too: every frame drawn on it is time the run waits.
 */
export function threadBusySampler(busyAbove = 0.9): () => boolean {
  let last = performance.eventLoopUtilization();
  return () => {
    const since = performance.eventLoopUtilization(last);
    last = performance.eventLoopUtilization();
    return since.utilization > busyAbove;
  };
}

/**
 * Busy: under a quarter of the machine's CPU time idle since the previous call (the first call:
 * not busy). A full load on 2 cores leaves about a fifth idle, in the gaps where its threads
 * wait on each other: a frame drawn then still delays whichever of them is next.
 */
export function machineBusySampler(idleBelow = 0.25): () => boolean {
  let last: { idle: number; total: number } | null = null;
  return () => {
    let idle = 0;
    let total = 0;
    for (const c of cpus()) {
      const t = c.times;
      idle += t.idle;
      total += t.user + t.nice + t.sys + t.idle + t.irq;
    }
    const prev = last;
    last = { idle, total };
    if (!prev || total <= prev.total) return false;
    return (idle - prev.idle) / (total - prev.total) < idleBelow;
  };
}

/** The wait before a running run's next snapshot; asked once per snapshot (it samples the CPU since the last): the busy pace when the machine's cores or the engine's thread were busy. */
export function runningPace(o: FramePaceOptions): () => number {
  const machineBusy = o.machineBusy ?? machineBusySampler();
  const threadBusy = o.threadBusy ?? threadBusySampler();
  return () => {
    // both sampled every time, so each covers the time since the previous snapshot
    const machine = machineBusy();
    const thread = threadBusy();
    return machine || thread ? o.busyMs : o.runningMs;
  };
}
