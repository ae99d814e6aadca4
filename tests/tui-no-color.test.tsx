/**
 * NO_COLOR: on a colour terminal the areas use colour; with NO_COLOR set, every frame is
 * plain text without a single escape code, and still shows selection and badges.
 */
import { describe, expect, it } from 'vitest';
import { actAsColourTerminal } from './harness/colour-terminal.js';
import type { ReactElement } from 'react';

// a colour terminal for chalk, decided when Ink loads
actAsColourTerminal();
const { render } = await import('ink-testing-library');
const { ThemeContext, createTheme, detectColors } = await import('../src/tui/theme.js');
const { Explorer } = await import('../src/tui/areas/explorer.js');
const { EditorArea } = await import('../src/tui/areas/editor-area.js');
const { PanelArea } = await import('../src/tui/areas/panel-area.js');
const { tuiSnapshotFixture } = await import('./harness/tui-snapshot.js');

const snapshot = tuiSnapshotFixture();
const areas: [string, ReactElement][] = [
  ['explorer', <Explorer tables={snapshot.tables} current="orders" focused width={30} height={8} onOpen={() => {}} onCaptureInput={() => {}} />],
  ...(['schema', 'mapping', 'progress', 'data'] as const).map((tab): [string, ReactElement] => [`editor ${tab}`, <EditorArea snapshot={snapshot} table="orders" tab={tab} focused width={80} height={12} />]),
  ['panel problems', <PanelArea snapshot={snapshot} tab="problems" focused width={80} height={8} onOpenProblem={() => {}} />],
  ['panel output', <PanelArea snapshot={snapshot} tab="output" focused width={80} height={8} onOpenProblem={() => {}} />],
];

function frameOf(element: ReactElement, colors: boolean): string {
  const r = render(<ThemeContext.Provider value={createTheme(colors)}>{element}</ThemeContext.Provider>);
  const frame = r.lastFrame() ?? '';
  r.unmount();
  return frame;
}

describe('colours follow NO_COLOR', () => {
  it('NO_COLOR turns colour off even on a colour terminal', () => {
    expect(detectColors({ NO_COLOR: '1', FORCE_COLOR: '3' }, { isTTY: true, hasColors: () => true })).toBe(false);
  });

  for (const [name, element] of areas) {
    it(`${name}: colour on a colour terminal, no escape codes with NO_COLOR`, () => {
      expect(frameOf(element, true)).toContain('\u001B[');
      const plain = frameOf(element, false);
      expect(plain).not.toContain('\u001B');
      expect(plain.trim().length).toBeGreaterThan(0);
    });
  }

  it('without colour the selection and the badges are still visible as symbols', () => {
    const plain = frameOf(areas[0]![1], false);
    expect(plain).toMatch(/^›/m); // the selected row
    expect(plain).toMatch(/●\s*orders\s+◷1 !!1/); // the open table, waiting and drift badges
  });
});
