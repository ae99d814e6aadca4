/**
 * Puts the TUI on the terminal: the alternate screen (so the shell's scrollback is left
 * as it was), Ink rendering to the given streams, and a restore that always runs: on
 * quit, on an error, on SIGTERM/SIGHUP (which first stop a run safely) and at process exit.
 */
import { render } from 'ink';
import { App, type SnapshotSource, type TuiActions } from './app.js';
import { ThemeContext, createTheme } from './theme.js';

const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';

export interface RenderTuiOptions {
  source: SnapshotSource;
  actions: TuiActions;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  colors: boolean;
}

/** Resolves when the user has quit (a running run stopped safely first). */
export async function renderTui(o: RenderTuiOptions): Promise<void> {
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    o.stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
  };
  o.stdout.write(ENTER_ALT_SCREEN);
  process.once('exit', restore);
  const theme = createTheme(o.colors);
  let instance: ReturnType<typeof render> | null = null;
  const onSignal = (): void => {
    // stop safely (batch finished, checkpoint written), then leave
    void o.actions.stop().finally(() => instance?.unmount());
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    instance = render(
      <ThemeContext.Provider value={theme}>
        <App source={o.source} actions={o.actions} />
      </ThemeContext.Provider>,
      // Not Ink 6.8's incrementalRendering: with a frame one row shorter than the terminal it
      // draws every update one row lower, so the screen scrolls and the top line is lost
      // (seen in tests/tui-terminal.test.ts). The standard renderer repaints the frame inside
      // a synchronized update (ESC[?2026h), which terminals that support it show without flicker.
      { stdin: o.stdin, stdout: o.stdout, stderr: o.stderr, exitOnCtrlC: false, patchConsole: true, incrementalRendering: false },
    );
    await instance.waitUntilExit();
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    instance?.cleanup();
    restore();
    process.off('exit', restore);
  }
}
