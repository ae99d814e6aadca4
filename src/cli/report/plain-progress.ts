/**
 * The plain reporter: one consumer of the engine's events (the TUI is another). Prints a
 * line per table start and end, progress at most once a second per table, and every
 * skipped or rejected row with its exact key, so a log says why a row did not land.
 */
import type { ReplicationEvent, RunSummary } from '../../replicator/events.js';
import { displayKey } from '../../replicator/engine/position-codec.js';
import { print, type Style } from '../io.js';
import { ledgerRetryText } from './ledger-retry-text.js';
import { rewoundText } from './rewound-text.js';
import { tableEndExtras } from './table-end-text.js';

/**
 * 1234567 -> '1,234,567', as toLocaleString('en-US') writes it; whole numbers (all the
 * counts here) skip Intl, whose number formatter costs about 10 ms to set up per process.
 */
const fmt = (n: number): string => (Number.isSafeInteger(n) ? String(n).replace(/\B(?=(\d{3})+$)/g, ',') : n.toLocaleString('en-US'));
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/**
 * compact: for a log of many runs (`run --schedule`): no line at a table's start, progress
 * only once a table has taken a second, and no line at the end of a table that read
 * nothing and has nothing waiting.
 */
export function plainReporter(out: NodeJS.WritableStream, style: Style, now: () => number = Date.now, compact = false): (e: ReplicationEvent) => void {
  const lastProgress = new Map<string, number>();
  const MAX_LISTED = 20;
  const listed = { skip: 0, reject: 0 };
  return (e) => {
    switch (e.type) {
      case 'plan':
        print(out, `run ${e.plan.direction}: ${e.plan.tables.length} tables`);
        for (const note of e.plan.notes) print(out, style.dim(`  note: ${note}`));
        break;
      case 'table-start':
        // compact: a table's progress only once it has taken a second
        if (compact) {
          lastProgress.set(e.table, now());
          break;
        }
        print(out, `  ${e.table}: ${e.mode}${e.resumedFrom ? ' from checkpoint' : ''}${e.estimatedRows === null ? '' : `, ~${fmt(e.estimatedRows)} rows at the source`}`);
        if (e.rewound) print(out, `  ${rewoundText(e.table, e.rewound)}`);
        break;
      case 'ledger-retry':
        print(out, `  ${ledgerRetryText(e, fmt)}`);
        break;
      case 'batch': {
        const t = now();
        if (t - (lastProgress.get(e.table) ?? 0) < 1000) break;
        lastProgress.set(e.table, t);
        print(out, style.dim(`  ${e.table}: ${fmt(e.totalRead)} read, ${fmt(e.totalWritten)} written, ${fmt(e.rowsPerSecond)} rows/s`));
        break;
      }
      case 'skip':
        if (++listed.skip <= MAX_LISTED) {
          print(out, style.yellow(`  ${e.table} [${displayKey(e.rowKey)}] waits for ${e.parentTable} [${displayKey(e.parentKey)}] (${e.fkColumns.join(', ')})`));
        } else if (listed.skip === MAX_LISTED + 1) print(out, style.yellow('  ... more rows wait for parents: see `replicate status`'));
        break;
      case 'reject':
        if (++listed.reject <= MAX_LISTED) {
          print(out, style.red(`  ${e.table} [${displayKey(e.rowKey)}] rejected${e.column ? ` (${e.column})` : ''}: ${e.reason}`));
        } else if (listed.reject === MAX_LISTED + 1) print(out, style.red('  ... more rows rejected: see `replicate status`'));
        break;
      case 'retry':
        print(out, style.yellow(`  retry ${e.attempt} in ${e.delayMs} ms: ${e.reason}`));
        break;
      case 'table-end': {
        const s = e.stats;
        if (compact && s.read === 0 && s.skipped === 0 && s.rejected === 0 && !s.error) break;
        const extra = tableEndExtras(s, fmt).join(', ');
        print(out, `  ${s.table}: ${fmt(s.read)} read, ${fmt(s.written)} written${extra ? `, ${extra}` : ''} in ${secs(s.ms)}`);
        break;
      }
      case 'deferred-pass': {
        const cols = e.columns.join(', ');
        const extra = [e.skipped ? `${fmt(e.skipped)} waiting for parents` : '', e.rejected ? `${fmt(e.rejected)} rejected` : ''].filter(Boolean).join(', ');
        print(out, `  ${e.table}: ${cols} written in a second pass (FK cycle), ${fmt(e.updated)} row${e.updated === 1 ? '' : 's'} updated${extra ? `, ${extra}` : ''} in ${secs(e.ms)}`);
        break;
      }
      case 'error':
        print(out, style.red(`  ${e.table ?? 'run'}: ${e.message}`));
        break;
      case 'run-end':
        print(out, summaryLine(e.summary, style));
        break;
    }
  };
}

export function summaryLine(s: RunSummary, style: Style): string {
  const read = s.tables.reduce((n, t) => n + t.read, 0);
  const written = s.tables.reduce((n, t) => n + t.written, 0);
  const rate = s.ms > 0 ? Math.round((read * 1000) / s.ms) : read;
  const base = `${s.status === 'interrupted' ? 'stopped' : 'done'} in ${secs(s.ms)}: ${fmt(read)} rows read, ${fmt(written)} written (${fmt(rate)} rows/s)`;
  if (s.status === 'interrupted') return style.yellow(`${base}; interrupted after a checkpoint, run again to continue`);
  if (s.waiting.skipped + s.waiting.rejected === 0) return style.green(base);
  const rows = (n: number): string => `${fmt(n)} row${n === 1 ? '' : 's'}`;
  return style.yellow(`${base}; ${rows(s.waiting.skipped)} waiting for parents, ${rows(s.waiting.rejected)} rejected (see \`replicate status\`)`);
}

/** The --json summary: {"direction", "tables": [{"name", "read", "written", "skipped", "rejected", "ms"}], "ms"}; a table's "keptNewer" when some rows were. */
export function jsonSummary(s: RunSummary): string {
  return JSON.stringify(summaryFields(s));
}

/** jsonSummary's fields, for a line that adds its own (`run --schedule --json`: the run's number and start). */
export function summaryFields(s: RunSummary): Record<string, unknown> {
  return {
    direction: s.direction,
    status: s.status,
    tables: s.tables.map((t) => ({
      name: t.table,
      read: t.read,
      written: t.written,
      skipped: t.skipped,
      rejected: t.rejected,
      ...(t.keptNewer ? { keptNewer: t.keptNewer } : {}),
      ms: t.ms,
      ...(t.error ? { error: t.error } : {}),
      ...(t.secondPass ? { secondPass: t.secondPass } : {}),
    })),
    waiting: s.waiting,
    ms: s.ms,
  };
}
