/**
 * replicate as a library: `createReplicator(config)` with syncAll(), syncTable(),
 * status(), verifySchemas() and an event emitter. The CLI and the TUI use the same.
 */
import { EventEmitter } from 'node:events';
import { verifySchemas, type VerifyResult } from '../verify/verify-schemas.js';
import type { EventListener, EventOf, ReplicationEvent, ReplicationEventType, RunSummary } from './events.js';
import { planReplication, runReplication, type PairConfig, type RunOptions } from './engine/run-replication.js';
import type { Direction, RunPlan } from './run-plan.js';
import { readStatus, type PairStatus } from './engine/pair-status.js';
import { resetCheckpoints } from './engine/reset-checkpoints.js';
import { adoptFileId, giveFileNewId } from './engine/reset-file-id.js';
import { parseSchedule } from './schedule/schedule-pattern.js';
import { runOnSchedule, type ScheduleSummary } from './schedule/run-on-schedule.js';

export interface Replicator {
  /** every planned table, in FK order */
  syncAll(options: Omit<RunOptions, 'tables'>): Promise<RunSummary>;
  syncTable(name: string, direction: Direction, options?: Omit<RunOptions, 'tables' | 'direction'>): Promise<RunSummary>;
  /**
   * syncAll now and then at each time the cron pattern names, one run at a time, until
   * `signal` is aborted (a run going on stops after its batch); a failed run is reported
   * by a 'schedule-run-failed' event and the next goes ahead; `jitterMs` starts each
   * scheduled run a random 0..jitterMs after its time. Throws a ConfigError for a
   * pattern croner refuses, and the first run's error when it is bad input.
   */
  syncOnSchedule(pattern: string, options: Omit<RunOptions, 'stopRequested'>, signal: AbortSignal, schedule?: { jitterMs?: number }): Promise<ScheduleSummary>;
  plan(options: RunOptions): Promise<RunPlan>;
  status(): Promise<PairStatus>;
  reset(table?: string, direction?: Direction): Promise<number>;
  /** `reset --new-id`: a copied file (refused with SharedDatabaseIdError) becomes a terminal of its own; its next push is a full one */
  resetNewId(): Promise<{ oldId: string; newId: string }>;
  /** `reset --adopt`: a restored backup that replaces the original goes on from the checkpoints the original left */
  resetAdopt(): Promise<{ sqliteId: string; outcome: 'adopted' | 'already' | 'nothing' }>;
  verifySchemas(): Promise<VerifyResult>;
  on<T extends ReplicationEventType>(type: T, fn: (event: EventOf<T>) => void): this;
  on(type: '*', fn: EventListener): this;
  off(type: ReplicationEventType | '*', fn: (event: never) => void): this;
}

export function createReplicator(config: PairConfig): Replicator {
  const emitter = new EventEmitter();
  const emit = (e: ReplicationEvent): void => {
    emitter.emit(e.type, e);
    emitter.emit('*', e);
  };
  const replicator: Replicator = {
    syncAll: (options) => runReplication(config, options, emit),
    syncTable: (name, direction, options = {}) => runReplication(config, { ...options, direction, tables: [name] }, emit),
    syncOnSchedule: async (pattern, options, signal, { jitterMs } = {}) => {
      const schedule = parseSchedule(pattern);
      return runOnSchedule(schedule, (stopRequested) => runReplication(config, { ...options, stopRequested }, emit), emit, { signal, ...(jitterMs ? { jitterMs } : {}) });
    },
    plan: (options) => planReplication(config, options),
    status: () => readStatus(config),
    reset: (table, direction) => resetCheckpoints(config, table, direction),
    resetNewId: () => giveFileNewId(config),
    resetAdopt: () => adoptFileId(config),
    verifySchemas: () => verifySchemas({ sqlitePath: config.sqlitePath, pgUrl: config.pgUrl, ...(config.schema ? { schema: config.schema } : {}), ...(config.mappingsDir ? { mappingsDir: config.mappingsDir } : {}) }),
    on(type: string, fn: (event: never) => void) {
      emitter.on(type, fn as (e: ReplicationEvent) => void);
      return replicator;
    },
    off(type: string, fn: (event: never) => void) {
      emitter.off(type, fn as (e: ReplicationEvent) => void);
      return replicator;
    },
  };
  return replicator;
}
