/** Command-line options of `npm run bench -- ...`. */
import { parseArgs } from 'node:util';
import { DEFAULT_SEED } from './generate-pos.js';
import type { PgSettingsProfile } from './postgres-server.js';

export interface BenchOptions {
  scale: number;
  seed: number | null;
  skipPgloader: boolean;
  skipTui: boolean;
  /** the cases to measure (a, b, c, d, f); all by default */
  cases: ReadonlySet<CaseLetter>;
  baseline: string | null;
  /** Where --save-baseline writes, or null when not asked. */
  saveBaseline: string | null;
  json: boolean;
  batchSize: number | null;
  /** cases a, b, c: pairs of (replicate, reference) runs, order alternating; the median of each side counts */
  rounds: number;
  /** case d: incremental rounds, each after a fresh 0.1% change; the median counts */
  dRounds: number;
  /** case f: rounds of (plain, TUI) runs, order alternating; the median of each side counts */
  fRounds: number;
  pgSettings: PgSettingsProfile;
  pgUrl: string | null;
  workDir: string | null;
  keep: boolean;
  help: boolean;
}

export type CaseLetter = 'a' | 'b' | 'c' | 'd' | 'f';
const CASE_LETTERS: readonly CaseLetter[] = ['a', 'b', 'c', 'd', 'f'];

export const DEFAULT_BASELINE = 'bench/baseline.json';
export const DEFAULT_D_ROUNDS = 7;
export const DEFAULT_F_ROUNDS = 3;

export const USAGE = `npm run bench -- [options]

Generates a synthetic point-of-sale SQLite database and measures, in one run on the same
data: replicate against pgloader, psql \\copy and sqlite3 .import (see bench/README.md).

  --scale N           1 = about 1,000,000 rows (default 1); 0.1 for a quick run
  --seed N            generator seed (default ${DEFAULT_SEED})
  --skip-pgloader     do not run pgloader (also skipped, with a note, when not installed)
  --skip-tui          do not measure case f (the same load with and without the TUI attached)
  --cases LIST        measure only these cases, e.g. a or b,d (default a,b,c,d,f); c loads its
                      source with psql \copy (case b's floor) first, d runs case b first
                      (with c too, d also pulls changes made in PostgreSQL into c's file)
  --baseline FILE     show every number next to this earlier run's and the change
  --save-baseline     write this run's results to the --baseline file (default ${DEFAULT_BASELINE})
  --json              print the results as JSON instead of the table
  --batch-size N      passed to replicate run
  --rounds N          cases a, b, c: pairs of runs (replicate and its reference, order alternating,
                      each on fresh copies); the median of each side counts (default 1)
  --d-rounds N        case d: incremental runs, each after a fresh 0.1% change; the median
                      counts (default ${DEFAULT_D_ROUNDS})
  --f-rounds N        case f: pairs of runs without and with the TUI, order alternating; the
                      median of each side counts (default ${DEFAULT_F_ROUNDS}; each run is a full load)
  --pg-settings P     default (server defaults, as the issue's reference numbers) or fast
                      (fsync=off, synchronous_commit=off, full_page_writes=off, as the test harness)
  --pg-url URL        use this server (superuser URL) instead of starting one; creates and drops bench_* databases
  --work-dir DIR      where the SQLite files and CSVs go (default: a temp folder, removed afterwards)
  --keep              keep the work folder (and, with --pg-url, the bench_* databases)
  -h, --help`;

function positiveNumber(name: string, value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number; got '${value}'`);
  return n;
}

export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      scale: { type: 'string' },
      seed: { type: 'string' },
      'skip-pgloader': { type: 'boolean' },
      'skip-tui': { type: 'boolean' },
      cases: { type: 'string' },
      baseline: { type: 'string' },
      'save-baseline': { type: 'boolean' },
      json: { type: 'boolean' },
      'batch-size': { type: 'string' },
      rounds: { type: 'string' },
      'd-rounds': { type: 'string' },
      'f-rounds': { type: 'string' },
      'pg-settings': { type: 'string' },
      'pg-url': { type: 'string' },
      'work-dir': { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const pgSettings = values['pg-settings'] ?? 'default';
  if (pgSettings !== 'default' && pgSettings !== 'fast') throw new Error(`--pg-settings must be default or fast; got '${pgSettings}'`);
  const batchSize = positiveNumber('batch-size', values['batch-size']);
  if (batchSize !== null && !Number.isInteger(batchSize)) throw new Error(`--batch-size must be an integer; got ${batchSize}`);
  const rounds = (name: 'rounds' | 'd-rounds' | 'f-rounds', fallback: number): number => {
    const n = positiveNumber(name, values[name]) ?? fallback;
    if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer; got ${n}`);
    return n;
  };
  const seed = values.seed === undefined ? null : Number(values.seed);
  if (seed !== null && !Number.isInteger(seed)) throw new Error(`--seed must be an integer; got '${values.seed}'`);
  const baseline = values.baseline ?? null;
  const cases = new Set<CaseLetter>();
  for (const c of (values.cases ?? CASE_LETTERS.join(',')).split(',').map((x) => x.trim()).filter(Boolean)) {
    if (!CASE_LETTERS.includes(c as CaseLetter)) throw new Error(`--cases takes letters from ${CASE_LETTERS.join(',')}; got '${c}'`);
    cases.add(c as CaseLetter);
  }
  return {
    scale: positiveNumber('scale', values.scale) ?? 1,
    seed,
    skipPgloader: values['skip-pgloader'] ?? false,
    skipTui: (values['skip-tui'] ?? false) || !cases.has('f'),
    cases,
    baseline,
    saveBaseline: values['save-baseline'] ? (baseline ?? DEFAULT_BASELINE) : null,
    json: values.json ?? false,
    batchSize,
    rounds: rounds('rounds', 1),
    dRounds: rounds('d-rounds', DEFAULT_D_ROUNDS),
    fRounds: rounds('f-rounds', DEFAULT_F_ROUNDS),
    pgSettings,
    pgUrl: values['pg-url'] ?? null,
    workDir: values['work-dir'] ?? null,
    keep: values.keep ?? false,
    help: values.help ?? false,
  };
}
