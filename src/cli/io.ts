/** What a command may touch of the outside world; tests hand in their own. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/**
 * Output streams whose reader went away. Kept here rather than read from the stream:
 * Node un-destroys process.stdout after a failed write, so it still looks writable.
 */
const closedStreams = new WeakSet<NodeJS.WritableStream>();

/** Writes `text` as is, unless the stream's reader went away (`replicate status | head -1`). */
export function write(stream: NodeJS.WritableStream, text: string): void {
  if (closedStreams.has(stream) || stream.writable === false) return;
  stream.write(text);
}

export function print(stream: NodeJS.WritableStream, text = ''): void {
  write(stream, text + '\n');
}

/**
 * When the reader of stdout or stderr goes away (`| head -3`), the next write fails with
 * EPIPE, an 'error' event that would end the process with a stack trace. Every command
 * takes it quietly instead: nothing more is written to that stream, and `onClosed`
 * listeners hear of it once (a run stops as after Ctrl+C, guarded.ts).
 */
export interface OutputWatch {
  onClosed(fn: () => void): () => void;
}

export function watchOutput(io: CliIO): OutputWatch {
  const listeners = new Set<() => void>();
  for (const stream of [io.stdout, io.stderr]) {
    stream.on('error', () => {
      if (closedStreams.has(stream)) return;
      closedStreams.add(stream);
      for (const fn of [...listeners]) fn();
    });
  }
  return {
    onClosed(fn) {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
  };
}

/** ANSI styling that honours NO_COLOR and non-TTY output. */
export interface Style {
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  green(s: string): string;
}

export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Style {
  const on = !!stream.isTTY && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  const wrap = (code: number) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { red: wrap(31), yellow: wrap(33), dim: wrap(2), bold: wrap(1), green: wrap(32) };
}
