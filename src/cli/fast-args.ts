/**
 * The common, well-formed `replicate run`, `status` and `verify` command lines,
 * parsed without yargs. Loading and building the yargs CLI costs about 0.3 s of node
 * startup, which is a third of an incremental run (bench case d). Anything this parser
 * does not fully understand (help, an unknown or repeated option, a bad value, a missing
 * --direction, positionals, camelCase spellings) returns null and goes through yargs, so
 * every error message and every --help text still comes from the one definition in main.ts.
 */
import { parseArgs } from 'node:util';
import { DIRECTIONS } from '../replicator/run-plan.js';
import type { RunArgs } from './commands/run.js';
import type { StatusArgs } from './commands/status.js';

type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean };

const CONNECTION: Record<string, OptionSpec> = {
  sqlite: { type: 'string' },
  pg: { type: 'string' },
  schema: { type: 'string' },
  mappings: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
};

const RUN: Record<string, OptionSpec> = {
  ...CONNECTION,
  direction: { type: 'string' },
  full: { type: 'boolean' },
  tables: { type: 'string' },
  'batch-size': { type: 'string' },
  param: { type: 'string', multiple: true },
  'create-missing': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  tui: { type: 'boolean' },
};


export type FastCommand = { command: 'run'; args: RunArgs } | { command: 'status' | 'verify'; args: StatusArgs };

type Values = Record<string, string | boolean | string[] | undefined>;

/** Options parsed strictly, each at most once (except repeatable ones); null when yargs should decide. */
function strictValues(args: string[], options: Record<string, OptionSpec>): Values | null {
  try {
    const { values, tokens } = parseArgs({ args, options, strict: true, allowPositionals: false, allowNegative: true, tokens: true });
    const seen = new Set<string>();
    for (const t of tokens) {
      if (t.kind !== 'option') continue;
      if (seen.has(t.name) && !options[t.name]?.multiple) return null;
      seen.add(t.name);
    }
    return values as Values;
  } catch {
    return null;
  }
}

const str = (v: Values[string]): string | undefined => (typeof v === 'string' ? v : undefined);
const bool = (v: Values[string]): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

function connection(v: Values): StatusArgs {
  return { sqlite: str(v.sqlite), pg: str(v.pg), schema: str(v.schema), mappings: str(v.mappings), config: str(v.config), json: bool(v.json) };
}

export function parseFastCommand(argv: readonly string[]): FastCommand | null {
  const [command, ...rest] = argv;
  if (command === 'status' || command === 'verify') {
    const v = strictValues(rest, CONNECTION);
    return v ? { command, args: connection(v) } : null;
  }
  if (command !== 'run') return null;
  const v = strictValues(rest, RUN);
  if (!v) return null;
  const direction = str(v.direction);
  if (direction === undefined || !(DIRECTIONS as readonly string[]).includes(direction)) return null;
  const batch = str(v['batch-size']);
  if (batch !== undefined && !/^[0-9]+$/.test(batch)) return null;
  const param = v.param;
  return {
    command,
    args: {
      ...connection(v),
      direction,
      full: bool(v.full),
      tables: str(v.tables),
      batchSize: batch === undefined ? undefined : Number(batch),
      param: Array.isArray(param) ? param : undefined,
      createMissing: bool(v['create-missing']),
      dryRun: bool(v['dry-run']),
      tui: bool(v.tui),
    },
  };
}
