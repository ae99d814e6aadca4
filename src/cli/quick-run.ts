/**
 * The short way into a plain `replicate run` (no --tui), for bin/replicate on a Node without
 * module.enableCompileCache (Node 20): bundled alone into one CommonJS file
 * (scripts/bundle-cli.mjs), which bin/replicate compiles with a V8 code cache
 * (code-cache.ts), because compiling our code and the pg driver is a good part of an
 * incremental run (bench case d). Anything else, a line fast-args.ts does not fully
 * understand included, answers null and goes through main.ts, so every message and exit
 * code still comes from the one CLI.
 */
import { parseFastCommand } from './fast-args.js';
import { guarded, processSignals, stopOnClosedOutput } from './guarded.js';
import { processIO, watchOutput } from './io.js';

/** The exit code of the run, or null when `args` is not a plain run (main.ts takes it). */
export async function quickRun(args: string[]): Promise<number | null> {
  const fast = parseFastCommand(args);
  if (fast?.command !== 'run' || fast.args.tui) return null;
  const runArgs = fast.args;
  const io = processIO();
  const signals = stopOnClosedOutput(processSignals, watchOutput(io));
  return guarded(io, async () => (await import('./commands/run.js')).runRun(runArgs, io, signals));
}
