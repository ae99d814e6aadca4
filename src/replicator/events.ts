/**
 * The typed events a replication run emits. The engine knows nothing of who listens:
 * the plain reporter, the JSON reporter and the TUI are consumers of the same stream.
 */
import type { Direction, RunPlan } from './run-plan.js';
import type { TableRunStats, RunRecord } from './state/state-store.js';

export interface RunSummary {
  runId: string;
  direction: Direction;
  /** a run that returns a summary was not cut off */
  status: Exclude<RunRecord['status'], 'cut-off'>;
  tables: TableRunStats[];
  ms: number;
  /** rows waiting in the ledgers after this run (all tables) */
  waiting: { skipped: number; rejected: number };
}

export type ReplicationEvent =
  | { type: 'plan'; plan: RunPlan }
  /**
   * estimatedRows: the source table's row count (rows passing its row filter), or null when an incremental run goes on
   * from a checkpoint: then the count says nothing of what the run reads, and counting a
   * large table would cost more than reading its few changed rows.
   */
  | {
      type: 'table-start';
      table: string;
      mode: 'incremental' | 'full';
      estimatedRows: number | null;
      resumedFrom: string | null;
      /**
       * a pull reading again below its checkpoint, because other terminals pushed rows
       * stamped there since it last ran (state/push-marks.ts): from this cursor (as
       * PostgreSQL writes it), or from the start (null); absent: no rewind
       */
      rewound?: { to: string | null };
    }
  | {
      /** the ledgers' rows retried at a table's start (ledger-retry.ts) */
      type: 'ledger-retry';
      table: string;
      /** rows retried: waiting for a parent (the skip ledger), and rejected */
      retried: { waiting: number; rejected: number };
      /** written now */
      landed: number;
      /** deleted at the source since: dropped from the ledgers, not written */
      gone: number;
      /** after the retry: still (or now) waiting for a parent, and rejected */
      waiting: number;
      rejected: number;
    }
  | {
      type: 'batch';
      table: string;
      read: number;
      written: number;
      skipped: number;
      rejected: number;
      /** totals for the table so far in this run */
      totalRead: number;
      totalWritten: number;
      rowsPerSecond: number;
      elapsedMs: number;
    }
  | { type: 'skip'; table: string; rowKey: string; fkColumns: string[]; parentTable: string; parentKey: string }
  | { type: 'reject'; table: string; rowKey: string; column: string | null; reason: string; code: string | null }
  | { type: 'retry'; table: string | null; attempt: number; delayMs: number; reason: string }
  | { type: 'table-end'; stats: TableRunStats }
  | {
      /** a table's deferred FK columns (an FK cycle) written in the second pass, after every table's rows are in */
      type: 'deferred-pass';
      table: string;
      /** PostgreSQL names */
      columns: string[];
      /** rows re-read from the source */
      read: number;
      /** rows whose columns changed in the target */
      updated: number;
      /** rows whose deferred parent is still missing (skip ledger) */
      skipped: number;
      rejected: number;
      ms: number;
    }
  | { type: 'run-end'; summary: RunSummary }
  | { type: 'error'; table: string | null; message: string }
  /** `run --schedule` (schedule/run-on-schedule.ts): run number `run` (from 1) starts; its own events follow */
  | { type: 'schedule-run'; run: number; startedAt: string }
  /** that run failed (the schedule goes on); error: what it threw, typed (a ReplicateError carries its code and context) */
  | { type: 'schedule-run-failed'; run: number; error: Error }
  /** the schedule waits for `next` (its time plus any jitter); missed: scheduled times run `run` outlasted (skipped, not queued) */
  | { type: 'schedule-wait'; run: number; next: string; missed: number };

export type ReplicationEventType = ReplicationEvent['type'];
export type EventOf<T extends ReplicationEventType> = Extract<ReplicationEvent, { type: T }>;
export type EventListener = (event: ReplicationEvent) => void;
