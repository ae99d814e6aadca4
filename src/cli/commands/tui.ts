/**
 * `replicate tui` (and `replicate run --tui`): the full-screen terminal UI on a pair.
 * Needs a terminal on stdin and stdout; without one it says so and exits 2 (use `run`
 * or `status` for plain output). With a run to start, the exit code is the run's.
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { openPostgresSession, sessionSettings } from '../../connect/postgres-session.js';
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
/** the alternate screen, cleared; renderTui enters it again (a no-op) and draws over it */
const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[2J\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';

/**
 * Ink (through is-in-ci, read once when Ink is imported) draws only the last frame when CI or
 * CONTINUOUS_INTEGRATION is set: a TUI opened in such a shell (a CI job's terminal, a runner's
 * debug shell) would stay blank until quit. We checked for a terminal ourselves, so Ink is
 * imported with them hidden and they are put back at once.
 * React and its reconciler choose their build from NODE_ENV when imported, once: unless it says
 * `production` they load the development build, whose checks took about three times the CPU
 * (React's share of a bench case f run: 0.46 s against 0.15 s). The UI is the product, not a
 * React app under development, so it always gets the production build.
 */
async function withInkEnvironment<T>(load: () => Promise<T>): Promise<T> {
  const names = [...CI_VARIABLES, 'NODE_ENV'] as const;
  const saved = names.map((name) => [name, process.env[name]] as const);
  for (const name of CI_VARIABLES) process.env[name] = 'false';
  process.env['NODE_ENV'] = 'production';
  // Ink's layout engine (yoga, WebAssembly) loads its binary from a data: URL with fetch when
  // there is one; Node's fetch is undici, loaded for that alone: 50 ms of CPU and 6 MB of RSS
  // (a watched run's peak, goal e). Without fetch it decodes the same bytes itself.
  const fetchProperty = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  if (fetchProperty?.configurable) Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true, writable: true });
  try {
    return await load();
  } finally {
    if (fetchProperty?.configurable) Object.defineProperty(globalThis, 'fetch', fetchProperty);
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/**
 * bin/replicate lets V8's old generation grow by half of what is live before a major GC (RSS,
 * goal e). The UI adds about 7 MB that stays live for the whole run (React's tree, Ink's and
 * yoga's nodes, the UI's code): 17.5 -> 25 MB live after a major GC in bench case f. Every major
 * GC of the run (about 36, set by the engine's batches) marks all of it again, on V8's helper
 * threads and in steps on the engine's thread: +0.3-0.5 s of CPU per watched run on a machine
 * whose cores the run already keeps busy. Growing by 80% of the larger heap makes about 25 major
 * GCs of the same run, so the marking adds up to what an unwatched run does (25 x 24 MB against
 * 36 x 17.6 MB), for about 6 MB more peak RSS. Set once the UI loads, in its process only.
 */
const UI_HEAP_GROWING_PERCENT = 80;

export async function runTui(args: TuiArgs, io: CliIO, start: TuiStart = {}): Promise<number> {
  if (!hasTerminal(io)) {
    print(io.stderr, 'replicate tui: needs a terminal (stdin and stdout must be a TTY); for plain output use `replicate run`, `replicate status` or `replicate verify`');
    return EXIT.badInput;
  }
  const flagParams = parseParams(args.param);
  const s = await resolveSettings(args, io);
  // as `run` refuses it: a --param no row filter uses is a typo or the wrong mappings, and would copy rows meant to stay out
  if (Object.keys(flagParams).length > 0) {
    const [{ loadMappingDir }, { checkUnusedParams }] = await Promise.all([import('../../mapping/mapping-dir.js'), import('../../replicator/plan/unused-params.js')]);
    checkUnusedParams({ ...s.params, ...flagParams }, Object.keys(flagParams), await loadMappingDir(s.mappingsDir), s.mappingsDir);
  }
  // A run asked for on the command line connects at once, as `replicate run` does: the session
  // opens while the modules load (not when the SQLite file is missing: that error comes first).
  const session = start.run && existsSync(s.sqlitePath) ? openPostgresSession(s.pgUrl, `replicate run --direction ${start.run.direction}`, sessionSettings(start.run.direction), s.schema) : undefined;
  session?.catch(() => undefined); // reported by the run, which awaits it
  // the UI's modules load only when it opens: plain commands do not pay for React and Ink
  const [{ createTuiStore }, { createTuiController }] = await Promise.all([import('../../tui/state/tui-store.js'), import('../../tui/controller/tui-controller.js')]);
  const store = createTuiStore({ sqliteLabel: relative(io.cwd, s.sqlitePath) || s.sqlitePath, postgresLabel: describePostgresUrl(s.pgUrl) });
  // the run's first batch (or table, or its end) is the moment React and Ink may load, see below
  let copying: () => void = () => undefined;
  const copyStarted = new Promise<void>((r) => (copying = r));
  const controller = createTuiController({
    sqlitePath: s.sqlitePath,
    pgUrl: s.pgUrl,
    schema: s.schema,
    mappingsDir: s.mappingsDir,
    params: { ...s.params, ...flagParams },
    store: {
      ...store,
      onEvent: (e) => {
        store.onEvent(e);
        if (e.type === 'batch' || e.type === 'table-end' || e.type === 'run-end' || e.type === 'error') copying();
      },
    },
    fixScriptPath: resolve(io.cwd, 'scripts/fix-sqlite-schema.sql'),
    ...(args.batchSize ? { batchSize: args.batchSize } : {}),
  });
  let summary: RunSummary | null = null;
  let ran = false;
  let closed = false;
  // a run asked for on the command line starts at once, before React and Ink load; its plan
  // fills the explorer; verify and the ledgers load after it, so watching costs the run nothing at its start
  const started = (async () => {
    if (start.run) {
      ran = true;
      const { direction, full, tables, createMissing } = start.run;
      summary = await controller.run(direction, full, { ...(tables ? { tables } : {}), ...(createMissing ? { createMissing } : {}), ...(session ? { session } : {}) });
    }
    if (!closed) await controller.load();
  })();
  if (start.run) {
    // Loading React and Ink keeps the main thread busy for about 0.7 s. Until rows flow, every
    // step of the run (connect, read both schemas, plan, lock, the first table's setup) is a
    // round trip whose answer waits for the main thread, so loading then delays the whole run
    // by about as much (bench case f: the run started 0.6-0.7 s later than `run --json`'s;
    // loaded at the plan, 0.15 s later; at the first batch, no later). From the first batch on,
    // the reader thread and PostgreSQL keep working while it loads. Meanwhile the alternate
    // screen says what is happening (the first batch comes about 0.1 s after the plan); a slow
    // start (a large schema, a far server) gets the UI after 2 s anyway.
    io.stdout.write(`${ENTER_ALT_SCREEN}replicate: starting the run (${start.run.direction})…`);
    const leave = (): void => void io.stdout.write(LEAVE_ALT_SCREEN);
    process.once('exit', leave);
    await Promise.race([copyStarted, started.catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
    process.off('exit', leave);
  }
  try {
    setFlagsFromString(`--heap-growing-percent=${UI_HEAP_GROWING_PERCENT}`);
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
