/**
 * `replicate tui` (and `replicate run --tui`): the full-screen terminal UI on a pair.
 * Needs a terminal on stdin and stdout; without one it says so and exits 2 (use `run`
 * or `status` for plain output). With a run to start, the exit code is the run's.
 */
import { relative, resolve } from 'node:path';
import { describePostgresUrl } from '../../connect/postgres-connection.js';
import type { Direction } from '../../replicator/run-plan.js';
import type { RunSummary } from '../../replicator/events.js';
import { parseParams, resolveSettings, type ConnectionFlags } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { print, styleFor, type CliIO } from '../io.js';
import { summaryLine } from '../report/plain-progress.js';

export interface TuiArgs extends ConnectionFlags {
  batchSize?: number | undefined;
  /** NAME=VALUE for the :params of mappings' row filters */
  param?: string[] | undefined;
}

export interface TuiStart {
  run?: { direction: Direction; full: boolean; tables?: string[]; createMissing?: boolean };
}

/** stdin and stdout are both a terminal (the TUI reads keys and draws) */
export function hasTerminal(io: CliIO): boolean {
  return !!io.stdout.isTTY && !!process.stdin.isTTY;
}

const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

/**
 * Ink (through is-in-ci, read once when Ink is imported) draws only the last frame when CI or
 * CONTINUOUS_INTEGRATION is set: a TUI opened in such a shell (a CI job's terminal, a runner's
 * debug shell) would stay blank until quit. We checked for a terminal ourselves, so Ink is
 * imported with them hidden and they are put back at once.
 * React and its reconciler choose their build from NODE_ENV when imported, once: unless it says
 * `production` they load the development build, whose checks made each frame several times
 * dearer and added about 20 MB to a run's peak RSS (bench case f). The UI is the product, not a
 * React app under development, so it always gets the production build.
 */
async function withInkEnvironment<T>(load: () => Promise<T>): Promise<T> {
  const names = [...CI_VARIABLES, 'NODE_ENV'] as const;
  const saved = names.map((name) => [name, process.env[name]] as const);
  for (const name of CI_VARIABLES) process.env[name] = 'false';
  process.env['NODE_ENV'] = 'production';
  try {
    return await load();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

export async function runTui(args: TuiArgs, io: CliIO, start: TuiStart = {}): Promise<number> {
  if (!hasTerminal(io)) {
    print(io.stderr, 'replicate tui: needs a terminal (stdin and stdout must be a TTY); for plain output use `replicate run`, `replicate status` or `replicate verify`');
    return EXIT.badInput;
  }
  const flagParams = parseParams(args.param);
  const s = await resolveSettings(args, io);
  // the UI's modules load only when it opens: plain commands do not pay for React and Ink
  const [{ createTuiStore }, { createTuiController }] = await Promise.all([import('../../tui/state/tui-store.js'), import('../../tui/controller/tui-controller.js')]);
  const store = createTuiStore({ sqliteLabel: relative(io.cwd, s.sqlitePath) || s.sqlitePath, postgresLabel: describePostgresUrl(s.pgUrl) });
  const controller = createTuiController({
    sqlitePath: s.sqlitePath,
    pgUrl: s.pgUrl,
    schema: s.schema,
    mappingsDir: s.mappingsDir,
    params: { ...s.params, ...flagParams },
    store,
    fixScriptPath: resolve(io.cwd, 'scripts/fix-sqlite-schema.sql'),
    ...(args.batchSize ? { batchSize: args.batchSize } : {}),
  });
  let summary: RunSummary | null = null;
  let ran = false;
  let closed = false;
  // a run asked for on the command line starts at once, before React and Ink load (about half
  // a second of compiling, done while the run connects and reads both schemas); its plan fills
  // the explorer; verify and the ledgers load after it, so watching costs the run nothing at its start
  const started = (async () => {
    if (start.run) {
      ran = true;
      const { direction, full, tables, createMissing } = start.run;
      summary = await controller.run(direction, full, { ...(tables ? { tables } : {}), ...(createMissing ? { createMissing } : {}) });
    }
    if (!closed) await controller.load();
  })();
  try {
    const [{ renderTui }, { detectColors }] = await withInkEnvironment(() => Promise.all([import('../../tui/render-tui.js'), import('../../tui/theme.js')]));
    await renderTui({ source: store, actions: controller, stdin: process.stdin, stdout: io.stdout as NodeJS.WriteStream, stderr: io.stderr as NodeJS.WriteStream, colors: detectColors(io.env, io.stdout) });
  } finally {
    closed = true;
    // a job still going (verify, a stopped run) ends before the connections close with the process
    await controller.stop(true);
    await controller.idle();
    store.dispose();
  }
  if (!start.run) return EXIT.ok;
  await started.catch(() => undefined);
  const result = summary as RunSummary | null;
  if (!ran || !result) return EXIT.failed;
  print(io.stdout, summaryLine(result, styleFor(io.stdout, io.env)));
  if (result.status === 'interrupted') return EXIT.interrupted;
  return result.status === 'waiting' ? EXIT.waiting : result.status === 'done' ? EXIT.ok : EXIT.failed;
}
