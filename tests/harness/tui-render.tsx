/** Rendering a TUI component the way a user's terminal would show it, without colour unless asked. */
import type { ReactElement } from 'react';
import { render } from 'ink-testing-library';
import { expect } from 'vitest';
import { ThemeContext, createTheme } from '../../src/tui/theme.js';

/** Let Ink read input and redraw (the machine may be busy: generous on purpose). */
export const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 60));

export function renderTui(element: ReactElement, colors = false) {
  const r = render(<ThemeContext.Provider value={createTheme(colors)}>{element}</ThemeContext.Provider>);
  const frame = (): string => r.lastFrame() ?? '';
  return {
    ...r,
    frame,
    lines: (): string[] => frame().split('\n'),
    /** write keys one at a time, letting Ink handle each */
    async press(...keys: string[]): Promise<void> {
      for (const k of keys) {
        r.stdin.write(k);
        await settle();
      }
    },
  };
}

export const KEYS = { up: '\u001B[A', down: '\u001B[B', right: '\u001B[C', left: '\u001B[D', enter: '\r', esc: '\u001B', backspace: '\u007f', pageDown: '\u001B[6~', pageUp: '\u001B[5~' } as const;

/** Every line fits the box: no wider than `width` cells and no more than `height` lines. */
export function expectWithin(frame: string, width: number, height: number): void {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(height);
  for (const l of lines) expect(Array.from(l).length).toBeLessThanOrEqual(width);
}
