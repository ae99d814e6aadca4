/**
 * What every command shares around its work: a thrown error becomes its message on stderr
 * (the password of PG_URL redacted) and an exit code, and Ctrl+C asks for a safe stop. Used
 * by main.ts and by quick-run.ts, the incremental run's short way in.
 */
import { ReplicateError, passwordInUrl, redactSecret } from '../errors.js';
import { errorMessage } from './error-message.js';
import { exitCodeFor } from './exit-codes.js';
import { print, type CliIO, type OutputWatch } from './io.js';

/** what asked a command to stop: Ctrl+C or SIGTERM, or the reader of its output going away */
export type StopCause = 'signal' | 'output closed';

export interface Signals {
  /** call fn on Ctrl+C; returns a function that stops listening */
  onInterrupt(fn: (cause: StopCause) => void): () => void;
}

/**
 * First Ctrl+C asks the command to stop safely; a second one exits at once. SIGTERM (a
 * service manager stopping `run --schedule`, `docker stop`) counts the same way.
 */
export const processSignals: Signals = {
  onInterrupt(fn) {
    let count = 0;
    const handler = (): void => {
      if (++count > 1) process.exit(130);
      fn('signal');
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
};

/**
 * `signals`, and a stop request when stdout or stderr is closed (`replicate run | head -3`):
 * a run then stops the way Ctrl+C stops it, after a checkpointed batch, instead of dying
 * mid-batch. Not counted as a first Ctrl+C: a later one still asks only for a safe stop.
 */
export function stopOnClosedOutput(signals: Signals, output: OutputWatch): Signals {
  return {
    onInterrupt(fn) {
      const detachSignals = signals.onInterrupt(fn);
      const detachOutput = output.onClosed(() => fn('output closed'));
      return () => {
        detachSignals();
        detachOutput();
      };
    },
  };
}

/** Runs a command and resolves to its exit code; an error is printed, never thrown. */
export async function guarded(io: CliIO, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (error) {
    const secret = io.env.PG_URL ? passwordInUrl(io.env.PG_URL) : null;
    print(io.stderr, `replicate: ${redactSecret(errorMessage(error), secret)}`);
    if (!(error instanceof ReplicateError) && io.env.REPLICATE_DEBUG && error instanceof Error) print(io.stderr, error.stack ?? '');
    return exitCodeFor(error);
  }
}
