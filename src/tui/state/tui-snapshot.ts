/**
 * What the TUI shows, as one immutable value. The store (tui-store.ts) folds the
 * engine's typed events and the verify/status results into it and publishes a new
 * snapshot a few times a second; every component renders from a slice of it and
 * never talks to the engine. See DESIGN.md "Interfaces".
 */
import type { Finding, Severity } from '../../verify/finding.js';
import type { Table } from '../../model/schema.js';
import type { LoadedMapping } from '../../mapping/table-mapping.js';
import type { Direction } from '../../replicator/run-plan.js';
import type { OwedConstraint } from '../../replicator/state/owed-constraints.js';

/** One badge in the explorer; a table can carry several (drift and waiting, say). */
export type TableBadge =
  | { kind: 'in-sync' }
  | { kind: 'pending'; rows: number }
  | { kind: 'running'; percent: number | null }
  | { kind: 'waiting'; rows: number }
  | { kind: 'rejected'; rows: number }
  | { kind: 'drift'; severity: Exclude<Severity, 'info'>; count: number }
  | { kind: 'conflict'; rows: number };

export interface TableProgress {
  state: 'queued' | 'running' | 'done' | 'failed';
  mode: 'incremental' | 'full' | null;
  /** rows read this run, and the planner's estimate (null when unknown) */
  done: number;
  total: number | null;
  written: number;
  skipped: number;
  rejected: number;
  rowsPerSecond: number;
  elapsedMs: number;
  /** null when the total or the rate is unknown */
  etaMs: number | null;
  error: string | null;
}

/** A row waiting on its parent (the skip ledger), as the Problems panel and Data tab show it. */
export interface WaitingRow {
  table: string;
  /** the waiting row's key as JSON with column names, '{"id":17}' ('[17]' when the names are unknown); state/key-text.ts */
  rowKey: string;
  fkColumns: string[];
  parentTable: string;
  /** the missing parent's key, same form: '{"id":999}' */
  parentKey: string;
  /** ISO text */
  firstSeen: string;
  attempts: number;
  /** the row's values as read from the source, when the TUI peeked them (Data tab); column -> display text */
  values: Record<string, string> | null;
}

export interface RejectedRow {
  table: string;
  rowKey: string;
  column: string | null;
  reason: string;
  code: string | null;
  firstSeen: string;
  values: Record<string, string> | null;
}

export interface TableView {
  /** PostgreSQL (mapped) name; the id used everywhere in the TUI */
  name: string;
  sqliteName: string;
  /** position in FK order (0 = loaded first) */
  order: number;
  badges: TableBadge[];
  /** the two sides' columns, for the Schema tab; null where the table is missing on that side */
  sqlite: Table | null;
  postgres: Table | null;
  findings: Finding[];
  /** the mapping the tool reads (file or generated default), and its YAML text */
  mapping: LoadedMapping | null;
  mappingYaml: string | null;
  progress: TableProgress | null;
  waiting: WaitingRow[];
  rejected: RejectedRow[];
  /** foreign keys and indexes `run --create-missing` still owes this table (PostgreSQL side; the next sqlite-to-pg run adds them) */
  owed: OwedConstraint[];
}

export interface ConnectionView {
  /** display text: a path, or a URL with the password masked */
  label: string;
  state: 'unknown' | 'connecting' | 'connected' | 'failed';
  error: string | null;
}

export type RunState = 'idle' | 'planning' | 'running' | 'stopping' | 'done' | 'waiting' | 'failed' | 'interrupted';

export interface RunView {
  state: RunState;
  direction: Direction | null;
  full: boolean;
  dryRun: boolean;
  startedAt: number | null;
  elapsedMs: number;
  rowsPerSecond: number;
  totalRead: number;
  totalEstimated: number | null;
  /** the dry-run plan text, when the last command was a dry run */
  planText: string | null;
}

export interface OutputLine {
  /** ms since epoch */
  at: number;
  level: 'info' | 'warn' | 'error';
  text: string;
}

export interface TuiSnapshot {
  /** increases with every published snapshot */
  version: number;
  /** ms since epoch when this snapshot was published: "waited 2m" is measured from it (components fall back to Date.now()) */
  publishedAt?: number;
  connections: { sqlite: ConnectionView; postgres: ConnectionView };
  run: RunView;
  /** every mapped table, in FK order */
  tables: TableView[];
  /** drift findings not tied to one mapped table (rare) */
  otherFindings: Finding[];
  counts: { errors: number; warnings: number; waiting: number; rejected: number };
  /** another file with this file's id pushed since it last did (PairStatus.sharedId): its pushes are refused until `reset --new-id` or `--adopt` */
  pushesRefused: boolean;
  /** the run log, bounded (newest last) */
  output: OutputLine[];
  /** a one-line message for the status bar (last command's result), or null */
  notice: { level: 'info' | 'warn' | 'error'; text: string } | null;
}
