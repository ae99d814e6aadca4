/**
 * The TUI's one source of truth. Folds the engine's events, verify results and the
 * state tables (status) into a TuiSnapshot, and publishes a new snapshot to subscribers
 * at most every ~400 ms, and every one or two seconds while a run is going. Event handling only
 * updates counters and small bounded maps;
 * the snapshot is built when published, so a run at full speed does not slow down
 * because it is watched. Unchanged tables keep their TableView object between snapshots.
 */
import type { ReplicationEvent } from '../../replicator/events.js';
import type { Direction } from '../../replicator/run-plan.js';
import type { PairStatus } from '../../replicator/engine/pair-status.js';
import type { VerifyResult } from '../../verify/verify-schemas.js';
import type { Finding } from '../../verify/finding.js';
import type { TableMapping } from '../../mapping/table-mapping.js';
import { renderMappingYaml } from '../../mapping/mapping-yaml.js';
import { formatCount } from '../format/count.js';
import { ledgerRetryText } from '../../cli/report/ledger-retry-text.js';
import { rewoundText } from '../../cli/report/rewound-text.js';
import { tableEndExtras } from '../../cli/report/table-end-text.js';
import { mappingOrder } from './fk-order.js';
import { runningPace } from './frame-pace.js';
import { createPublishClock } from './publish-clock.js';
import { applyOwed, newTableState, progressOf, rejectedRow, viewOf, waitingRow, type TableState } from './table-state.js';
import type { ConnectionView, OutputLine, RunState, RunView, TuiSnapshot } from './tui-snapshot.js';

export interface TuiStoreOptions {
  sqliteLabel: string;
  postgresLabel: string;
  /** least time between two published snapshots */
  publishEveryMs?: number;
  /** the same while a run is going (its progress is all that moves) */
  publishRunningEveryMs?: number;
  /** the same while a run is going and every core of the machine is busy */
  publishBusyEveryMs?: number;
  /** whether the cores were all busy since the last ask (default: sampled from the OS) */
  machineBusy?: () => boolean;
  /** whether this thread (the engine's) was nearly always busy since the last ask (default: its event loop's use) */
  threadBusy?: () => boolean;
  /** output lines kept */
  outputLimit?: number;
  now?: () => number;
}

export type Level = OutputLine['level'];

export interface TuiStore {
  getSnapshot(): TuiSnapshot;
  subscribe(listener: () => void): () => void;
  /** an engine event; cheap enough to be called for every event of a full-speed run */
  onEvent(event: ReplicationEvent): void;
  applyVerify(result: VerifyResult): void;
  applyStatus(status: PairStatus): void;
  /** the ledger rows shown, per table with its mapping, whose source values the Data tab could show */
  peekRequests(direction: Direction, limit: number): { mapping: TableMapping; keys: string[] }[];
  /** source values of ledger rows, by table and ledger key */
  applyRowValues(direction: Direction, values: ReadonlyMap<string, ReadonlyMap<string, Record<string, string>>>): void;
  setConnection(side: 'sqlite' | 'postgres', state: ConnectionView['state'], error?: string | null): void;
  runStarting(run: { direction: Direction | null; full: boolean; dryRun: boolean }): void;
  setRunState(state: RunState): void;
  setPlanText(text: string | null): void;
  log(level: Level, text: string): void;
  notify(level: Level, text: string): void;
  /** publish now if anything changed (end of a command, tests) */
  flush(): void;
  dispose(): void;
}

const ACTIVE: ReadonlySet<RunState> = new Set(['planning', 'running', 'stopping']);
const MAX_ROW_LINES = 20;

export function createTuiStore(options: TuiStoreOptions): TuiStore {
  const now = options.now ?? Date.now;
  // While a run goes its progress shows every second, or every two when all cores are busy
  // (frame-pace.ts); keys re-render at once (React state), not on this.
  const idleEvery = options.publishEveryMs ?? 400;
  const runningEvery = options.publishRunningEveryMs ?? Math.max(idleEvery, 1000);
  const pace = runningPace({ runningMs: runningEvery, busyMs: options.publishBusyEveryMs ?? Math.max(runningEvery, 2000), ...(options.machineBusy ? { machineBusy: options.machineBusy } : {}), ...(options.threadBusy ? { threadBusy: options.threadBusy } : {}) });
  const outputLimit = options.outputLimit ?? 500;
  const listeners = new Set<() => void>();
  const connections = {
    sqlite: { label: options.sqliteLabel, state: 'unknown', error: null } as ConnectionView,
    postgres: { label: options.postgresLabel, state: 'unknown', error: null } as ConnectionView,
  };
  const run: RunView = { state: 'idle', direction: null, full: false, dryRun: false, startedAt: null, elapsedMs: 0, rowsPerSecond: 0, totalRead: 0, totalEstimated: null, planText: null };
  let runWritten = 0;
  let runErrors = 0;
  let listed = { skip: 0, reject: 0 };
  const tables = new Map<string, TableState>();
  let order: string[] = [];
  let otherFindings: Finding[] = [];
  let output: OutputLine[] = [];
  let notice: TuiSnapshot['notice'] = null;
  let pushesRefused = false;
  let version = 0;
  let snapshot: TuiSnapshot | null = null;
  const clock = createPublishClock({
    now,
    idleMs: idleEvery,
    runningMs: runningEvery,
    runningPace: pace,
    active: () => ACTIVE.has(run.state),
    publish: () => {
      snapshot = build();
      for (const l of [...listeners]) l();
    },
  });

  const tableOf = (name: string, sqliteName = name): TableState => {
    let t = tables.get(name);
    if (!t) {
      t = newTableState(name, sqliteName);
      tables.set(name, t);
      if (!order.includes(name)) order.push(name);
    }
    return t;
  };
  const touch = (t?: TableState): void => {
    if (t) t.view = null;
    clock.changed();
  };
  const direction = (): Direction => run.direction ?? 'sqlite-to-pg';
  function log(level: Level, text: string): void {
    output.push({ at: now(), level, text });
    // amortised O(1): trim in halves rather than shifting every line
    if (output.length > outputLimit * 2) output = output.slice(-outputLimit);
    touch();
  }

  function build(): TuiSnapshot {
    const views = order.map((name, i) => viewOf(tableOf(name), i));
    let waiting = 0;
    let rejected = 0;
    for (const t of tables.values()) for (const l of Object.values(t.ledgers)) (waiting += l.waitingCount), (rejected += l.rejectedCount);
    const findings = [...[...tables.values()].flatMap((t) => t.findings), ...otherFindings];
    const elapsedMs = run.startedAt === null ? run.elapsedMs : ACTIVE.has(run.state) ? now() - run.startedAt : run.elapsedMs;
    return {
      version: ++version,
      connections: { sqlite: { ...connections.sqlite }, postgres: { ...connections.postgres } },
      run: { ...run, elapsedMs, rowsPerSecond: elapsedMs > 0 ? Math.round((runWritten * 1000) / elapsedMs) : 0 },
      tables: views,
      otherFindings,
      counts: {
        errors: findings.filter((f) => f.severity === 'error').length + runErrors,
        warnings: findings.filter((f) => f.severity === 'warning').length,
        waiting,
        rejected,
      },
      pushesRefused,
      output: output.length > outputLimit ? output.slice(-outputLimit) : [...output],
      notice,
    };
  }

  /** the run's rows to read as far as known: tables done count what they read */
  function estimatedTotal(): number | null {
    let sum = 0;
    let known = false;
    for (const t of tables.values()) {
      const p = t.progress;
      if (!p) continue;
      const n = p.state === 'done' ? p.done : p.total;
      if (n !== null) (sum += n), (known = true);
    }
    return known ? sum : null;
  }

  function onEvent(e: ReplicationEvent): void {
    switch (e.type) {
      case 'plan': {
        const planned = e.plan.tables.map((p) => p.table);
        order = [...planned, ...order.filter((n) => !planned.includes(n))];
        for (const p of e.plan.tables) {
          const t = tableOf(p.table, p.sqliteTable);
          // a run's plan carries no estimate yet (0): each table-start brings its own
          t.progress = { state: 'queued', mode: p.mode, done: 0, total: p.estimatedRows > 0 ? p.estimatedRows : null, written: 0, skipped: 0, rejected: 0, rowsPerSecond: 0, elapsedMs: 0, etaMs: null, error: null };
          touch(t);
        }
        run.totalEstimated = estimatedTotal();
        if (e.plan.direction === 'sqlite-to-pg') applyOwed([...tables.values()], tableOf, e.plan.owed ?? []);
        for (const n of order) if (!planned.includes(n)) tableOf(n).view = null;
        run.state = 'running';
        log('info', `run ${e.plan.direction}: ${e.plan.tables.length} tables`);
        for (const note of e.plan.notes) log('info', `note: ${note}`);
        clock.soon();
        break;
      }
      case 'table-start': {
        const t = tableOf(e.table);
        const p = progressOf(t);
        Object.assign(p, { state: 'running', mode: e.mode, total: e.estimatedRows, done: 0, written: 0, skipped: 0, rejected: 0, error: null });
        run.totalEstimated = estimatedTotal();
        t.ledgers[direction()].startRetry();
        // formatCount, not toLocaleString: its first call loads ICU's number data, 25 ms on the engine's thread
        log('info', `${e.table}: ${e.mode}${e.resumedFrom ? ' from checkpoint' : ''}${e.estimatedRows === null ? '' : `, ~${formatCount(e.estimatedRows)} rows at the source`}`);
        if (e.rewound) log('info', rewoundText(e.table, e.rewound));
        touch(t);
        break;
      }
      case 'ledger-retry': {
        const t = tableOf(e.table);
        t.ledgers[direction()].endRetry(e.retried.waiting + e.retried.rejected > 0);
        log('info', ledgerRetryText(e, formatCount));
        touch(t);
        break;
      }
      case 'batch': {
        const t = tableOf(e.table);
        t.ledgers[direction()].endRetry(false);
        const p = progressOf(t);
        run.totalRead += e.read;
        runWritten += e.written;
        p.done = e.totalRead;
        p.written = e.totalWritten;
        p.skipped += e.skipped;
        p.rejected += e.rejected;
        p.rowsPerSecond = e.rowsPerSecond;
        p.elapsedMs = e.elapsedMs;
        const rate = e.elapsedMs > 0 ? (e.totalRead * 1000) / e.elapsedMs : 0;
        p.etaMs = p.total !== null && rate > 0 ? Math.max(0, Math.round(((p.total - p.done) * 1000) / rate)) : null;
        t.view = null;
        clock.changed();
        break;
      }
      case 'skip': {
        const t = tableOf(e.table);
        const row = waitingRow(t, direction(), e, new Date(now()).toISOString(), 1);
        t.ledgers[direction()].skip(row, e.rowKey);
        if (++listed.skip <= MAX_ROW_LINES) log('warn', `${e.table} ${row.rowKey} waits for ${e.parentTable} ${row.parentKey} (${e.fkColumns.join(', ')})`);
        else if (listed.skip === MAX_ROW_LINES + 1) log('warn', '... more rows wait for parents: see Problems');
        touch(t);
        break;
      }
      case 'reject': {
        const t = tableOf(e.table);
        const row = rejectedRow(t, direction(), e, new Date(now()).toISOString());
        t.ledgers[direction()].reject(row, e.rowKey);
        if (++listed.reject <= MAX_ROW_LINES) log('error', `${e.table} ${row.rowKey} rejected${e.column ? ` (${e.column})` : ''}: ${e.reason}`);
        else if (listed.reject === MAX_ROW_LINES + 1) log('error', '... more rows rejected: see Problems');
        touch(t);
        break;
      }
      case 'retry':
        log('warn', `${e.table ? `${e.table}: ` : ''}retry ${e.attempt} in ${e.delayMs} ms: ${e.reason}`);
        break;
      case 'table-end': {
        const s = e.stats;
        const t = tableOf(s.table);
        t.ledgers[direction()].endRetry(false);
        const p = progressOf(t);
        Object.assign(p, { state: s.error ? 'failed' : 'done', done: s.read, written: s.written, skipped: s.skipped, rejected: s.rejected, elapsedMs: s.ms, etaMs: 0, error: s.error });
        if (p.total !== null && p.total < s.read) p.total = s.read;
        run.totalEstimated = estimatedTotal();
        p.rowsPerSecond = s.ms > 0 ? Math.round((s.written * 1000) / s.ms) : s.written;
        const extra = tableEndExtras(s).join(', ');
        log(s.error ? 'error' : 'info', `${s.table}: ${s.read} read, ${s.written} written${extra ? `, ${extra}` : ''} in ${(s.ms / 1000).toFixed(1)}s${s.error ? `: ${s.error}` : ''}`);
        touch(t);
        break;
      }
      case 'deferred-pass':
        log('info', `${e.table}: ${e.columns.join(', ')} written in a second pass (FK cycle), ${e.updated} rows updated`);
        break;
      case 'error':
        runErrors++;
        if (e.table) {
          const t = tableOf(e.table);
          progressOf(t).error = e.message;
          touch(t);
        }
        log('error', `${e.table ?? 'run'}: ${e.message}`);
        break;
      case 'run-end': {
        const s = e.summary;
        run.state = s.status === 'running' ? 'done' : s.status;
        run.elapsedMs = s.ms;
        for (const t of tables.values()) if (t.progress?.state === 'running' || t.progress?.state === 'queued') (t.progress.state = s.status === 'interrupted' ? 'queued' : t.progress.state), (t.view = null);
        const read = s.tables.reduce((n, t) => n + t.read, 0);
        const written = s.tables.reduce((n, t) => n + t.written, 0);
        const level: Level = s.status === 'failed' ? 'error' : s.status === 'done' ? 'info' : 'warn';
        const what = s.status === 'interrupted' ? 'stopped after a checkpoint' : s.status;
        log(level, `${what} in ${(s.ms / 1000).toFixed(1)}s: ${read} rows read, ${written} written; ${s.waiting.skipped} waiting for parents, ${s.waiting.rejected} rejected`);
        notice = { level, text: `run ${s.direction}: ${what} (${written} rows written, ${s.waiting.skipped} waiting, ${s.waiting.rejected} rejected)` };
        clock.soon();
        break;
      }
    }
  }

  function applyVerify(result: VerifyResult): void {
    const names = mappingOrder(result.mappings);
    for (const m of result.mappings) {
      const t = tableOf(m.mapping.table, m.mapping.sqliteTable);
      t.sqliteName = m.mapping.sqliteTable;
      t.mapping = m;
      t.mappingYaml = renderMappingYaml(m.mapping);
      t.sqlite = result.schemas.sqlite.tables.find((x) => x.name === m.mapping.sqliteTable) ?? null;
      t.postgres = result.schemas.postgres.tables.find((x) => x.name === m.mapping.table) ?? null;
      t.findings = [];
      t.view = null;
    }
    for (const t of tables.values()) t.findings = [];
    otherFindings = [];
    for (const f of result.issues) {
      const t = tables.get(f.table);
      if (t) t.findings.push(f);
      else otherFindings.push(f);
    }
    for (const t of tables.values()) t.view = null;
    // mapped tables in FK order; tables only a plan named (none usually) after them
    order = [...names, ...order.filter((n) => !names.includes(n))];
    const { errors, warnings, infos } = result.summary;
    log(errors > 0 ? 'error' : warnings > 0 ? 'warn' : 'info', `verify: ${result.mappings.length} tables, ${errors} errors, ${warnings} warnings, ${infos} infos`);
    touch();
  }

  function applyStatus(status: PairStatus): void {
    pushesRefused = status.sharedId;
    for (const d of status.directions) {
      const counts = new Map<string, { waiting: number; rejected: number }>();
      for (const s of d.summary.skipped) counts.set(s.table, { waiting: s.count, rejected: 0 });
      for (const r of d.summary.rejected) counts.set(r.table, { waiting: counts.get(r.table)?.waiting ?? 0, rejected: r.count });
      const names = new Set([...counts.keys(), ...[...tables.values()].filter((t) => t.ledgers[d.direction].waitingCount + t.ledgers[d.direction].rejectedCount > 0).map((t) => t.name)]);
      for (const name of names) {
        const t = tableOf(name);
        t.ledgers[d.direction].replace(
          counts.get(name) ?? { waiting: 0, rejected: 0 },
          d.oldestWaiting.filter((w) => w.table === name).map((w) => ({ key: w.rowKey, row: waitingRow(t, d.direction, w, w.firstSeen, w.attempts) })),
          d.oldestRejected.filter((r) => r.table === name).map((r) => ({ key: r.rowKey, row: rejectedRow(t, d.direction, r, r.firstSeen) })),
        );
        t.view = null;
      }
      if (d.direction === 'sqlite-to-pg') applyOwed([...tables.values()], tableOf, d.owed);
    }
    touch();
  }

  return {
    getSnapshot: () => snapshot ?? (snapshot = build()),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onEvent,
    applyVerify,
    applyStatus,
    peekRequests(d, limit) {
      const out: { mapping: TableMapping; keys: string[] }[] = [];
      for (const t of tables.values()) {
        const keys = t.ledgers[d].keys().slice(0, limit);
        if (t.mapping && keys.length > 0) out.push({ mapping: t.mapping.mapping, keys });
      }
      return out;
    },
    applyRowValues(d, values) {
      for (const [name, rows] of values) {
        const t = tables.get(name);
        if (!t) continue;
        for (const [key, v] of rows) t.ledgers[d].setValues(key, v);
        t.view = null;
      }
      touch();
    },
    setConnection(side, state, error = null) {
      connections[side] = { ...connections[side], state, error };
      touch();
    },
    runStarting(r) {
      Object.assign(run, { state: 'planning', direction: r.direction, full: r.full, dryRun: r.dryRun, startedAt: now(), elapsedMs: 0, totalRead: 0, totalEstimated: null, planText: null });
      runWritten = 0;
      runErrors = 0;
      listed = { skip: 0, reject: 0 };
      for (const t of tables.values()) (t.progress = null), (t.view = null);
      clock.flush();
    },
    setRunState(state) {
      if (ACTIVE.has(run.state) && !ACTIVE.has(state) && run.startedAt !== null) run.elapsedMs = now() - run.startedAt;
      run.state = state;
      clock.flush();
    },
    setPlanText(text) {
      run.planText = text;
      touch();
    },
    log,
    notify(level, text) {
      notice = { level, text };
      log(level, text);
    },
    flush: () => clock.flush(),
    dispose() {
      clock.dispose();
      listeners.clear();
    },
  };
}
