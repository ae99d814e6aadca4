/**
 * When the TUI store publishes a snapshot: after a change at the idle pace (~400 ms), and
 * while a run goes on a clock of its own, since elapsed time and rates move without events,
 * at the running pace (frame-pace.ts). The plan and the run's end come at the idle pace, not
 * at the running view's next tick. Keys redraw at once through React state, not through this.
 */

export interface PublishClockOptions {
  now: () => number;
  /** least time between two snapshots when no run is going */
  idleMs: number;
  /** the wait before a running run's next snapshot (asked once per snapshot) */
  runningPace: () => number;
  /** the wait the running view starts with, before the pace has been asked */
  runningMs: number;
  /** is a run going (planning, running, stopping)? */
  active: () => boolean;
  /** build the snapshot and tell the subscribers */
  publish: () => void;
}

export interface PublishClock {
  /** something changed: publish at the next tick */
  changed(): void;
  /** publish at the idle pace, even while a run goes */
  soon(): void;
  /** publish now */
  flush(): void;
  dispose(): void;
}

export function createPublishClock(o: PublishClockOptions): PublishClock {
  let dirty = true;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastPublish = 0;
  let runningWait = o.runningMs;
  let disposed = false;
  const every = (): number => (o.active() ? runningWait : o.idleMs);

  const startTimer = (waitMs: number): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(tick, waitMs);
    timer.unref?.();
  };

  function tick(): void {
    timer = null;
    if (!dirty && !o.active()) return;
    dirty = false;
    lastPublish = o.now();
    o.publish();
    // the elapsed time and rates move while a run is going, events or not
    if (o.active() && !disposed) {
      runningWait = o.runningPace();
      startTimer(Math.max(every(), 1000));
    }
  }

  return {
    changed() {
      dirty = true;
      if (timer || disposed) return;
      startTimer(Math.max(0, every() - (o.now() - lastPublish)));
    },
    soon() {
      dirty = true;
      if (disposed) return;
      startTimer(Math.max(0, o.idleMs - (o.now() - lastPublish)));
    },
    flush() {
      if (timer) clearTimeout(timer);
      timer = null;
      dirty = true;
      tick();
    },
    dispose() {
      disposed = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
