/** The printed form of a benchmark run: machine, one table of runs and goals, baseline changes. */
import { isOurs, rowsPerSecond, type BenchResults, type Goal, type GoalId, type Measurement } from './results.js';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const dash = '-';

function pad(cells: string[], widths: number[], right: boolean[]): string {
  return cells.map((c, i) => (right[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
}

function grid(header: string[], rows: string[][], right: boolean[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [pad(header, widths, right), pad(widths.map((w) => '-'.repeat(w)), widths, right), ...rows.map((r) => pad(r, widths, right))];
}

export function goalValueText(g: Goal): string {
  if (g.value === null) return dash;
  if (g.id === 'd' || g.id === 'f') return `${(g.value * 100).toFixed(1)}%`;
  if (g.id === 'e') return `${int(g.value)} MB`;
  return `${g.value.toFixed(2)}x`;
}

/** CPU seconds of the tool, then of the server meanwhile: '8.9 + 2.4' */
function cpuText(cpu: Measurement['cpu']): string {
  if (!cpu || cpu.tool === null) return dash;
  return cpu.server === null ? cpu.tool.toFixed(1) : `${cpu.tool.toFixed(1)} + ${cpu.server.toFixed(1)}`;
}

const verdict = (g: Goal | undefined): string => (!g || g.pass === null ? 'n/a' : g.pass ? 'PASS' : 'MISS');

function measurementCells(m: Measurement, goal: Goal | undefined, isReference: boolean): string[] {
  const rps = rowsPerSecond(m);
  const shown = m.status === 'ok';
  return [
    m.case,
    m.label,
    shown && m.rows !== null ? int(m.rows) : m.status,
    shown && m.seconds !== null ? m.seconds.toFixed(2) : dash,
    shown ? cpuText(m.cpu) : dash,
    rps !== null ? int(rps) : dash,
    m.peakRssMb !== null && shown ? `${int(m.peakRssMb)} MB` : dash,
    isReference ? 'ref' : goal ? goalValueText(goal) : '',
    isReference ? '' : (goal?.goal ?? ''),
    isReference ? '' : verdict(goal),
  ];
}

const PROFILE_TEXT: Record<string, string> = { default: 'server defaults', fast: 'fast settings (as the test harness)' };

/** Busy: before the benchmark started anything, other processes already kept every core loaded. */
const busy = (r: BenchResults): boolean => r.machine.loadAverage.start >= r.machine.cores;

export function machineLines(r: BenchResults): string[] {
  const m = r.machine;
  const settings = Object.entries(m.postgresSettings).map(([k, v]) => `${k}=${v}`).join(' ');
  return [
    `replicate benchmark: scale ${r.scale}, ${int(r.dataset.rows)} rows (seed ${r.seed}; generated in ${r.dataset.generateSeconds.toFixed(1)} s, ${int(r.dataset.sqliteBytes / 1e6)} MB SQLite file)${r.batchSize ? `, --batch-size ${r.batchSize}` : ''}`,
    `machine: ${m.cores} cores (${m.cpu}), ${m.memoryGb} GiB RAM, ${m.os}, node ${m.node}, ${m.sqlite3}, ${m.pgloader ?? 'pgloader not installed'}`,
    `postgres: ${m.postgres}, ${PROFILE_TEXT[m.postgresProfile] ?? m.postgresProfile}: ${settings}`,
    `load average (1 min): ${m.loadAverage.start} at start, ${m.loadAverage.end} at end (the run itself adds 1 to 2)${busy(r) ? '; the machine was busy with other work at the start: every number is depressed and noisy' : ''}`,
  ];
}

export function renderResults(r: BenchResults): string {
  const goal = (id: GoalId): Goal | undefined => r.goals.find((g) => g.id === id);
  const rows: string[][] = [];
  const full = r.measurements.find((m) => m.key === 'b.replicate');
  const pullFull = r.measurements.find((m) => m.key === 'c.replicate');
  for (const m of r.measurements) {
    const isReference = !isOurs(m.key);
    if (m.key === 'd.scheduled' || m.key === 'd.pull') {
      // beside the goal, not for it: d's goal is judged on the one-shot command; a pull is compared with c's full run
      const whole = m.key === 'd.pull' ? pullFull : full;
      const share = m.status === 'ok' && m.seconds !== null && whole?.status === 'ok' && whole.seconds ? m.seconds / whole.seconds : null;
      const cells = measurementCells(m, undefined, false);
      rows.push([...cells.slice(0, 7), share === null ? dash : `${(share * 100).toFixed(1)}%`, '(<= 3%)', 'info']);
      continue;
    }
    rows.push(measurementCells(m, isReference ? undefined : goal(m.case), isReference));
  }
  const e = goal('e');
  if (e) rows.push(['e', 'peak RSS, largest replicate run', '', '', '', '', e.value === null ? dash : `${int(e.value)} MB`, '', e.goal, verdict(e)]);
  const header = ['case', 'run', 'rows', 'seconds', 'CPU s', 'rows/s', 'peak RSS', 'ratio', 'goal', 'result'];
  const lines = [...machineLines(r), '', ...grid(header, rows, [false, false, true, true, true, true, true, true, false, false])];
  lines.push('', 'ratio: replicate rows/s over the reference run just below it (same data, same run); d: median incremental time over case b\'s full run time (the goal is judged on the one-shot command; "info": the same runs in one `run --schedule` process, and d.pull: the same the other way, pg-to-sqlite after 0.1% changed in PostgreSQL, over case c\'s full run time); f: rows/s lost with the TUI attached (median run of each side).');
  lines.push(`CPU s: CPU seconds of the run's own process(es) (every thread), + those of the PostgreSQL server meanwhile (when the benchmark started it); ${r.machine.cores} cores give ${r.machine.cores} CPU seconds per second.`);
  const notes = r.measurements.filter((m) => m.note).map((m) => `  ${m.case} ${m.label}: ${m.note}`);
  if (notes.length) lines.push('notes:', ...notes);
  lines.push(
    'issue 3 reference (2 cores, PostgreSQL 15 defaults, 1M rows): pgloader ~78k rows/s; psql \\copy with live FKs ~52k rows/s;',
    '  \\copy TO CSV + sqlite3 .import ~70k rows/s.',
  );
  return lines.join('\n');
}

function change(now: number | null, before: number | null): string {
  if (now === null || before === null || before === 0) return dash;
  const pct = ((now - before) / before) * 100;
  if (Math.abs(pct) < 0.05) return '0.0%';
  return `${pct > 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

/** Each number next to the baseline's, with the change. */
export function renderBaseline(r: BenchResults, base: BenchResults, file: string): string {
  const rows: string[][] = [];
  for (const m of r.measurements) {
    const b = base.measurements.find((x) => x.key === m.key);
    const now = rowsPerSecond(m);
    const was = rowsPerSecond(b);
    rows.push([
      `${m.case} ${m.label}`,
      now === null ? dash : int(now), was === null ? dash : int(was), change(now, was),
      m.peakRssMb === null ? dash : `${int(m.peakRssMb)} MB`, b?.peakRssMb == null ? dash : `${int(b.peakRssMb)} MB`, change(m.peakRssMb, b?.peakRssMb ?? null),
    ]);
  }
  for (const g of r.goals) {
    const b = base.goals.find((x) => x.id === g.id);
    rows.push([`goal ${g.id}: ${g.label}`, goalValueText(g), b ? goalValueText(b) : dash, change(g.value, b?.value ?? null), '', '', '']);
  }
  const header = ['run', 'rows/s', 'baseline', 'change', 'peak RSS', 'baseline', 'change'];
  const differs = [
    base.scale !== r.scale ? `scale ${base.scale}` : '',
    base.batchSize !== r.batchSize ? `batch size ${base.batchSize ?? 'default'}` : '',
    base.machine.postgresProfile !== r.machine.postgresProfile ? `${base.machine.postgresProfile} PostgreSQL settings` : '',
    base.machine.cores !== r.machine.cores ? `${base.machine.cores} cores` : '',
  ].filter(Boolean);
  return [
    `compared with ${file} (${base.startedAt}, scale ${base.scale}, ${base.machine.cores} cores, ${base.machine.postgres}, ${base.machine.postgresProfile} settings):`,
    ...(differs.length ? [`  the baseline differs in ${differs.join(', ')}: compare the ratios, not the raw numbers`] : []),
    ...grid(header, rows, [false, true, true, true, true, true, true]),
  ].join('\n');
}
