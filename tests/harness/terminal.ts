/**
 * A real terminal for tests: a command runs in a pseudo-terminal (node-pty) whose output
 * feeds a headless xterm, so a test reads the screen a user would see, types keys,
 * resizes the window and checks how the program left the terminal when it exited.
 */
import * as pty from 'node-pty';
import xterm from '@xterm/headless';

// @xterm/headless is CommonJS: its named exports are only reachable through the default.
const { Terminal } = xterm;

export interface TerminalOptions {
  cols: number;
  rows: number;
  cwd?: string;
  /** added to a copy of the test's environment (undefined removes a variable) */
  env?: Record<string, string | undefined>;
}

export interface ExitStatus {
  exitCode: number;
  signal: number;
}

/** Keys as a terminal sends them. */
export const keys = {
  enter: '\r',
  escape: '\u001B',
  tab: '\t',
  shiftTab: '\u001B[Z',
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  backspace: '\u007F',
  ctrl: (letter: string): string => String.fromCharCode(letter.toUpperCase().charCodeAt(0) - 64),
} as const;

export interface PtyTerminal {
  readonly cols: number;
  readonly rows: number;
  /** The visible screen, one string per row, trailing blanks trimmed. */
  screenLines(): string[];
  screenText(): string;
  /** Resolves with the screen once it matches; rejects after timeoutMs with the screen in the message. */
  waitForText(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves once check(screen) is true (polled after every write the program makes). */
  waitFor(check: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** Sends keys (raw bytes, see `keys`) as typed. */
  press(...sequence: string[]): Promise<void>;
  resize(cols: number, rows: number): Promise<void>;
  isAlternateScreen(): boolean;
  /** False while the program has hidden the cursor (DECTCEM `ESC[?25l`). */
  cursorVisible(): boolean;
  /** Every byte the program wrote, in order. */
  output(): string;
  /** Null while the program runs. */
  exitStatus(): ExitStatus | null;
  waitForExit(timeoutMs?: number): Promise<ExitStatus>;
  /** Kills the program if it still runs (tests call this in a finally). */
  kill(): void;
}

const DEFAULT_TIMEOUT = 15_000;

function childEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = { ...process.env, TERM: 'xterm-256color', COLUMNS: undefined, LINES: undefined };
  // the harness's own connection variables must not leak into the program under test
  delete env.PG_URL;
  delete env.SQLITE_PATH;
  Object.assign(env, extra);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

export function spawnTerminal(file: string, args: string[], opts: TerminalOptions): PtyTerminal {
  let cols = opts.cols;
  let rows = opts.rows;
  const term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 1000 });
  let cursorShown = true;
  // Watch DECTCEM without swallowing it (returning false lets xterm handle it too).
  term.parser.registerCsiHandler({ prefix: '?', final: 'h' }, (params) => {
    if (params.includes(25)) cursorShown = true;
    return false;
  });
  term.parser.registerCsiHandler({ prefix: '?', final: 'l' }, (params) => {
    if (params.includes(25)) cursorShown = false;
    return false;
  });
  const child = pty.spawn(file, args, { name: 'xterm-256color', cols, rows, cwd: opts.cwd ?? process.cwd(), env: childEnv(opts.env) });
  let raw = '';
  let status: ExitStatus | null = null;
  // xterm parses asynchronously; `parsed` settles once everything written so far is on the screen.
  let parsed: Promise<void> = Promise.resolve();
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const l of [...listeners]) l();
  };
  let disposed = false;
  child.onData((data) => {
    raw += data;
    if (disposed) return;
    parsed = new Promise((resolve) => term.write(data, resolve));
    void parsed.then(notify);
  });
  const exited = new Promise<ExitStatus>((resolve) => {
    child.onExit((e) => {
      status = { exitCode: e.exitCode, signal: e.signal ?? 0 };
      // the last output may still be parsing
      void parsed.then(() => {
        resolve(status as ExitStatus);
        notify();
      });
    });
  });

  const screenLines = (): string[] => {
    const buf = term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < rows; y++) lines.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
    return lines;
  };
  const screenText = (): string => screenLines().join('\n');

  const waitFor = (check: (screen: string) => boolean, what: string, timeoutMs = DEFAULT_TIMEOUT): Promise<string> =>
    new Promise((resolve, reject) => {
      const attempt = (): boolean => {
        const screen = screenText();
        if (!check(screen)) return false;
        done();
        resolve(screen);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        const ended = status ? `the program exited (${JSON.stringify(status)}); ` : '';
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${ended}screen (${cols}x${rows}):\n${screenText()}`));
      }, timeoutMs);
      const listener = (): void => {
        attempt();
      };
      const done = (): void => {
        clearTimeout(timer);
        listeners.delete(listener);
      };
      listeners.add(listener);
      void parsed.then(attempt);
    });

  return {
    get cols() {
      return cols;
    },
    get rows() {
      return rows;
    },
    screenLines,
    screenText,
    waitFor,
    waitForText(pattern, timeoutMs) {
      const check = typeof pattern === 'string' ? (s: string) => s.includes(pattern) : (s: string) => pattern.test(s);
      return waitFor(check, typeof pattern === 'string' ? JSON.stringify(pattern) : String(pattern), timeoutMs);
    },
    async press(...sequence) {
      for (const k of sequence) {
        child.write(k);
        // keys arrive one by one, as typed, so an escape is not read as the start of the next sequence
        await new Promise((r) => setTimeout(r, 30));
      }
    },
    async resize(c, r) {
      cols = c;
      rows = r;
      child.resize(c, r);
      term.resize(c, r);
      await parsed;
    },
    isAlternateScreen: () => term.buffer.active.type === 'alternate',
    cursorVisible: () => cursorShown,
    output: () => raw,
    exitStatus: () => status,
    waitForExit(timeoutMs = DEFAULT_TIMEOUT) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the program did not exit within ${timeoutMs} ms; screen:\n${screenText()}`)), timeoutMs);
        void exited.then((s) => {
          clearTimeout(timer);
          resolve(s);
        });
      });
    },
    kill() {
      if (status === null) {
        try {
          child.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
      if (!disposed) term.dispose();
      disposed = true;
    },
  };
}
