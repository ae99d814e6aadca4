/**
 * Every key the TUI answers to, as one table of data. The command palette, the `?`
 * help and the status bar hints are all rendered from this table, and key handling
 * looks keys up here, so a binding cannot be documented in one place and differ in another.
 */
import type { Key } from 'ink';

/** Where a binding applies: everywhere, or only while that area has focus. */
export type KeyScope = 'global' | 'explorer' | 'editor' | 'panel' | 'list';

export type CommandId =
  // runs and jobs
  | 'run.sqlite-to-pg'
  | 'run.sqlite-to-pg.full'
  | 'run.pg-to-sqlite'
  | 'run.pg-to-sqlite.full'
  | 'run.dry-run'
  | 'run.stop'
  | 'verify'
  | 'map.regenerate'
  | 'fix-script.write'
  | 'ledger.retry'
  | 'table.reset'
  | 'table.open'
  // layout
  | 'palette.open'
  | 'help.open'
  | 'overlay.close'
  | 'explorer.toggle'
  | 'panel.toggle'
  | 'focus.next'
  | 'focus.previous'
  | 'focus.explorer'
  | 'focus.editor'
  | 'focus.panel'
  | 'tab.next'
  | 'tab.previous'
  | 'tab.close'
  | 'explorer.filter'
  | 'quit'
  // moving in a list or a scrolled view (scope 'list': whichever area has focus)
  | 'move.up'
  | 'move.down'
  | 'move.left'
  | 'move.right'
  | 'move.top'
  | 'move.bottom'
  | 'move.page-up'
  | 'move.page-down'
  | 'select';

/** A key as written for people ('Ctrl+P', 'Shift+Tab', 'g') and how to recognise it. */
export interface KeyChord {
  label: string;
  matches(input: string, key: Key): boolean;
}

export interface KeyBinding {
  command: CommandId;
  title: string;
  scope: KeyScope;
  keys: KeyChord[];
  /** listed in the command palette (movement keys are not) */
  inPalette: boolean;
  /** shown in the status bar hints for its scope */
  hint: boolean;
  /** the short word the status bar hint uses ('palette'); the title when absent */
  hintText?: string;
}

const char = (c: string): KeyChord => ({ label: c, matches: (input, key) => input === c && !key.ctrl && !key.meta });
// Ink reports most Ctrl+letters as ctrl + the letter, but some arrive as the raw control character (Ctrl+J is "\n")
const ctrl = (c: string): KeyChord => ({
  label: `Ctrl+${c.toUpperCase()}`,
  matches: (input, key) => (key.ctrl && input.toLowerCase() === c) || input === String.fromCharCode(c.charCodeAt(0) - 96),
});
const named = (label: string, test: (key: Key) => boolean): KeyChord => ({ label, matches: (_input, key) => test(key) });

const up = named('↑', (k) => k.upArrow);
const down = named('↓', (k) => k.downArrow);
const left = named('←', (k) => k.leftArrow);
const right = named('→', (k) => k.rightArrow);
const enter = named('Enter', (k) => k.return);
const esc = named('Esc', (k) => k.escape);
const tab = named('Tab', (k) => k.tab && !k.shift);
const shiftTab = named('Shift+Tab', (k) => k.tab && k.shift);
const pageUp = named('PgUp', (k) => k.pageUp);
const pageDown = named('PgDn', (k) => k.pageDown);

export const keyBindings: readonly KeyBinding[] = [
  { command: 'palette.open', title: 'Command palette', scope: 'global', keys: [ctrl('p'), char(':')], inPalette: false, hint: true, hintText: 'palette' },
  { command: 'help.open', title: 'Help: every command and its key', scope: 'global', keys: [char('?')], inPalette: true, hint: true, hintText: 'help' },
  { command: 'overlay.close', title: 'Close overlay, then clear filter', scope: 'global', keys: [esc], inPalette: false, hint: false },
  { command: 'run.sqlite-to-pg', title: 'Run: SQLite → PostgreSQL (incremental)', scope: 'global', keys: [char('r')], inPalette: true, hint: true, hintText: 'run' },
  { command: 'run.sqlite-to-pg.full', title: 'Run: SQLite → PostgreSQL (full)', scope: 'global', keys: [], inPalette: true, hint: false },
  { command: 'run.pg-to-sqlite', title: 'Run: PostgreSQL → SQLite (incremental)', scope: 'global', keys: [char('R')], inPalette: true, hint: false },
  { command: 'run.pg-to-sqlite.full', title: 'Run: PostgreSQL → SQLite (full)', scope: 'global', keys: [], inPalette: true, hint: false },
  { command: 'run.dry-run', title: 'Dry run: show the plan, write nothing', scope: 'global', keys: [char('d')], inPalette: true, hint: false },
  { command: 'run.stop', title: 'Stop the run safely (after the current batch)', scope: 'global', keys: [char('s')], inPalette: true, hint: false },
  { command: 'verify', title: 'Verify schemas', scope: 'global', keys: [char('v')], inPalette: true, hint: true, hintText: 'verify' },
  { command: 'map.regenerate', title: 'Regenerate mappings (merge into mapping files)', scope: 'global', keys: [], inPalette: true, hint: false },
  { command: 'fix-script.write', title: 'Write fix script for SQLite', scope: 'global', keys: [], inPalette: true, hint: false },
  { command: 'ledger.retry', title: 'Retry waiting rows', scope: 'global', keys: [], inPalette: true, hint: false },
  { command: 'table.reset', title: "Reset the selected table's checkpoint", scope: 'global', keys: [], inPalette: true, hint: false },
  { command: 'table.open', title: 'Open table…', scope: 'global', keys: [], inPalette: true, hint: false },
  { command: 'explorer.toggle', title: 'Toggle explorer', scope: 'global', keys: [ctrl('b')], inPalette: true, hint: false },
  { command: 'panel.toggle', title: 'Toggle panel', scope: 'global', keys: [ctrl('j')], inPalette: true, hint: false },
  { command: 'focus.next', title: 'Next area', scope: 'global', keys: [tab], inPalette: false, hint: true, hintText: 'next area' },
  { command: 'focus.previous', title: 'Previous area', scope: 'global', keys: [shiftTab], inPalette: false, hint: false },
  { command: 'focus.explorer', title: 'Focus explorer', scope: 'global', keys: [char('1')], inPalette: true, hint: false },
  { command: 'focus.editor', title: 'Focus editor', scope: 'global', keys: [char('2')], inPalette: true, hint: false },
  { command: 'focus.panel', title: 'Focus panel', scope: 'global', keys: [char('3')], inPalette: true, hint: false },
  { command: 'tab.next', title: 'Next tab', scope: 'global', keys: [char(']')], inPalette: true, hint: false },
  { command: 'tab.previous', title: 'Previous tab', scope: 'global', keys: [char('[')], inPalette: true, hint: false },
  { command: 'tab.close', title: 'Close tab', scope: 'editor', keys: [ctrl('w')], inPalette: true, hint: false },
  { command: 'explorer.filter', title: 'Filter tables', scope: 'explorer', keys: [char('/')], inPalette: true, hint: true, hintText: 'filter' },
  { command: 'quit', title: 'Quit', scope: 'global', keys: [char('q'), ctrl('c')], inPalette: true, hint: true, hintText: 'quit' },
  { command: 'move.up', title: 'Up', scope: 'list', keys: [up, char('k')], inPalette: false, hint: false },
  { command: 'move.down', title: 'Down', scope: 'list', keys: [down, char('j')], inPalette: false, hint: false },
  { command: 'move.left', title: 'Scroll left', scope: 'list', keys: [left, char('h')], inPalette: false, hint: false },
  { command: 'move.right', title: 'Scroll right', scope: 'list', keys: [right, char('l')], inPalette: false, hint: false },
  { command: 'move.top', title: 'Top', scope: 'list', keys: [char('g')], inPalette: false, hint: false },
  { command: 'move.bottom', title: 'Bottom', scope: 'list', keys: [char('G')], inPalette: false, hint: false },
  { command: 'move.page-up', title: 'Page up', scope: 'list', keys: [pageUp], inPalette: false, hint: false },
  { command: 'move.page-down', title: 'Page down', scope: 'list', keys: [pageDown], inPalette: false, hint: false },
  { command: 'select', title: 'Open', scope: 'list', keys: [enter], inPalette: false, hint: true, hintText: 'open' },
];

/** The command a key press means in the given scopes (first match wins, scopes in the order given). */
export function commandForKey(input: string, key: Key, scopes: readonly KeyScope[]): CommandId | null {
  for (const scope of scopes) {
    for (const b of keyBindings) {
      if (b.scope === scope && b.keys.some((k) => k.matches(input, key))) return b.command;
    }
  }
  return null;
}

export function bindingOf(command: CommandId): KeyBinding {
  const b = keyBindings.find((x) => x.command === command);
  if (!b) throw new Error(`no key binding entry for ${command}`);
  return b;
}

/** The status bar hints for the focused area: global ones, then the area's, then list keys. */
export function hintsFor(scopes: readonly KeyScope[]): { keys: string; text: string }[] {
  return scopes.flatMap((scope) =>
    keyBindings.filter((b) => b.scope === scope && b.hint && b.keys.length > 0).map((b) => ({ keys: b.keys[0]?.label ?? '', text: b.hintText ?? b.title })),
  );
}

/** 'Ctrl+P / :' — how help, palette and hints print a binding's keys. */
export function keyLabel(command: CommandId): string {
  return bindingOf(command).keys.map((k) => k.label).join(' / ');
}
