/**
 * What one benchmark run measured, the goals of issue 3 judged on it, and the JSON
 * form kept as a baseline for later runs.
 */
import type { PosCounts } from './generate-pos.js';

export type CaseId = 'a' | 'b' | 'c' | 'd' | 'f';

export type MeasurementKey = 'a.replicate' | 'a.pgloader' | 'b.replicate' | 'b.copy' | 'c.replicate' | 'c.floor' | 'd.replicate' | 'd.scheduled' | 'd.pull' | 'f.replicate' | 'f.plain';

/** replicate's own runs (the rest are the references they are compared with) */
export const isOurs = (key: MeasurementKey): boolean => key.endsWith('.replicate') || key === 'd.scheduled' || key === 'd.pull';

export interface Measurement {
  key: MeasurementKey;
  case: CaseId;
  label: string;
  /** Rows that landed in the target (counted there afterwards; for d, rows the run wrote). */
  rows: number | null;
  seconds: number | null;
  /** Peak resident set of the measured process, in MB (10^6 bytes). */
  peakRssMb: number | null;
  /**
   * CPU seconds of the measured process(es) and of the PostgreSQL server meanwhile
   * (server-cpu.ts; null where not measured). Absent in results from before they were.
   */
  cpu?: { tool: number | null; server: number | null };
  status: 'ok' | 'failed' | 'skipped';
  note?: string;
  /**
   * Every timing when the case is measured in rounds (d, f, and a-c with --rounds): `seconds` is their median.
   * Absent in results from before rounds (their `seconds` is a single run, or f's best).
   */
  samplesSeconds?: number[];
}

export type GoalId = 'a' | 'b' | 'c' | 'd' | 'e' | 'f';

export interface Goal {
  id: GoalId;
  label: string;
  goal: string;
  /** The measured ratio (a-c: rows/s ratio, d: time fraction, e: MB, f: rows/s lost with the TUI attached, as a fraction). */
  value: number | null;
  pass: boolean | null;
}

export interface MachineInfo {
  cores: number;
  cpu: string;
  memoryGb: number;
  os: string;
  node: string;
  postgres: string;
  postgresSettings: Record<string, string>;
  postgresProfile: string;
  sqlite3: string;
  pgloader: string | null;
  /** 1-minute load average when the run started and when it ended: other work on the machine skews every number. */
  loadAverage: { start: number; end: number };
}

export interface BenchResults {
  version: 1;
  startedAt: string;
  scale: number;
  seed: number;
  batchSize: number | null;
  machine: MachineInfo;
  dataset: { rows: number; counts: PosCounts; generateSeconds: number; sqliteBytes: number; changedRows: number };
  measurements: Measurement[];
  goals: Goal[];
}

export const RSS_LIMIT_MB = 250;

export function rowsPerSecond(m: Measurement | undefined): number | null {
  if (!m || m.status !== 'ok' || m.rows === null || !m.seconds) return null;
  return m.rows / m.seconds;
}

function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : a / b;
}

/** Judges issue 3's goals on the measurements (null where a side was not measured). */
export function judgeGoals(measurements: readonly Measurement[]): Goal[] {
  const get = (k: MeasurementKey): Measurement | undefined => measurements.find((m) => m.key === k);
  const rps = (k: MeasurementKey): number | null => rowsPerSecond(get(k));
  const atLeast = (v: number | null, min: number): boolean | null => (v === null ? null : v >= min);
  const a = ratio(rps('a.replicate'), rps('a.pgloader'));
  const b = ratio(rps('b.replicate'), rps('b.copy'));
  const c = ratio(rps('c.replicate'), rps('c.floor'));
  const full = get('b.replicate');
  const inc = get('d.replicate');
  const d = full?.status === 'ok' && inc?.status === 'ok' ? ratio(inc.seconds, full.seconds) : null;
  const rss = measurements.filter((m) => isOurs(m.key) && m.peakRssMb !== null).map((m) => m.peakRssMb ?? 0);
  const e = rss.length ? Math.max(...rss) : null;
  const tui = ratio(rps('f.replicate'), rps('f.plain'));
  const f = tui === null ? null : 1 - tui;
  return [
    { id: 'a', label: 'create-missing vs pgloader', goal: '>= 1.5x', value: a, pass: atLeast(a, 1.5) },
    { id: 'b', label: 'existing schema vs psql \\copy', goal: '>= 0.9x', value: b, pass: atLeast(b, 0.9) },
    { id: 'c', label: 'pg-to-sqlite vs \\copy + .import', goal: '>= 1.3x', value: c, pass: atLeast(c, 1.3) },
    { id: 'd', label: 'incremental (0.1%) / full time', goal: '<= 3%', value: d, pass: d === null ? null : d <= 0.03 },
    { id: 'e', label: 'peak RSS of replicate runs', goal: `< ${RSS_LIMIT_MB} MB`, value: e, pass: e === null ? null : e < RSS_LIMIT_MB },
    { id: 'f', label: 'rows/s lost with the TUI attached', goal: '< 5%', value: f, pass: f === null ? null : f < 0.05 },
  ];
}

/** Reads a results file written by `--save-baseline` (or `--json`). */
export function parseBaseline(text: string, file: string): BenchResults {
  const v: unknown = JSON.parse(text);
  if (typeof v !== 'object' || v === null || !('version' in v) || v.version !== 1 || !('measurements' in v) || !Array.isArray(v.measurements)) {
    throw new Error(`${file}: not a benchmark results file (expected {"version":1,"measurements":[...]})`);
  }
  return v as BenchResults;
}
