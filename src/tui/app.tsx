/**
 * The TUI shell: lays out explorer, editor, panel and status bar (VS Code-like), owns the
 * layout state (focus, shown areas, current table, tabs, overlays), and maps global keys
 * through the key table to commands. Data comes from the store's snapshots; commands go
 * to the actions (the controller), which never block the UI.
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { Box, Text, useApp, useStdout } from 'ink';
import { useStableInput } from './shell/use-stable-input.js';
import { commandForKey, type CommandId } from './keys/key-bindings.js';
import type { TuiSnapshot } from './state/tui-snapshot.js';
import type { Direction } from '../replicator/run-plan.js';
import { Explorer } from './areas/explorer.js';
import { EditorArea, type EditorTab } from './areas/editor-area.js';
import { PanelArea, type PanelTab } from './areas/panel-area.js';
import { StatusBar } from './areas/status-bar.js';
import { CommandPalette } from './overlays/command-palette.js';
import { Help } from './overlays/help.js';
import { Confirm } from './overlays/confirm.js';
import { useTheme, severityRole } from './theme.js';
import { truncate } from './format/text.js';

export interface SnapshotSource {
  getSnapshot(): TuiSnapshot;
  subscribe(listener: () => void): () => void;
}

/** What the keys and the palette ask for; the controller does it in the background. */
export interface TuiActions {
  run(direction: Direction, full: boolean): Promise<unknown>;
  dryRun(direction: Direction): Promise<unknown>;
  verify(): Promise<unknown>;
  regenerateMappings(): Promise<unknown>;
  writeFixScript(): Promise<unknown>;
  retryWaiting(): Promise<unknown>;
  resetTable(table: string | null): Promise<unknown>;
  /** stop the run safely; resolves once it has stopped */
  stop(): Promise<unknown>;
  running(): boolean;
  busy(): string | null;
}

export type Area = 'explorer' | 'editor' | 'panel';
const EDITOR_TABS: EditorTab[] = ['schema', 'mapping', 'progress', 'data'];
const PANEL_TABS: PanelTab[] = ['problems', 'output'];

type Overlay = { kind: 'palette'; mode: 'commands' | 'tables' } | { kind: 'help' } | { kind: 'confirm-quit'; pending: string | null } | null;

export interface AppProps {
  source: SnapshotSource;
  actions: TuiActions;
  /** called once the user has quit (after a running run stopped safely) */
  onQuit?: () => void;
  /** fixed size for tests; otherwise the terminal's, following resizes */
  size?: { columns: number; rows: number };
}

function useTerminalSize(fixed?: { columns: number; rows: number }): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = useCallback(() => fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 }, [fixed, stdout]);
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = (): void => setSize(read());
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [fixed, stdout, read]);
  return fixed ?? size;
}

const cycle = <T,>(list: readonly T[], at: T, step: number): T => list[(list.indexOf(at) + step + list.length) % list.length] as T;

export function App({ source, actions, onQuit, size: fixedSize }: AppProps) {
  const snapshot = useSyncExternalStore(source.subscribe, source.getSnapshot);
  const { exit } = useApp();
  const theme = useTheme();
  const size = useTerminalSize(fixedSize);
  const [focus, setFocus] = useState<Area>('explorer');
  const [explorerShown, setExplorerShown] = useState(true);
  const [panelShown, setPanelShown] = useState(true);
  const [current, setCurrent] = useState<string | null>(null);
  const [editorTab, setEditorTab] = useState<EditorTab>('progress');
  const [panelTab, setPanelTab] = useState<PanelTab>('problems');
  const [overlay, setOverlay] = useState<Overlay>(null);
  const [capturing, setCapturing] = useState(false);
  // Letters typed right after Ctrl+P or `:` reach the shell before the palette is drawn and
  // listening; they are kept here and become the palette's first query instead of commands.
  const typeAhead = useRef<string | null>(null);
  const closeOverlay = (): void => {
    typeAhead.current = null;
    setOverlay(null);
  };

  const quit = useCallback(() => {
    onQuit?.();
    exit();
  }, [exit, onQuit]);

  const visible: Area[] = [...(explorerShown ? (['explorer'] as const) : []), 'editor', ...(panelShown ? (['panel'] as const) : [])];
  const openTable = useCallback((table: string, tab: EditorTab = 'schema') => {
    setCurrent(table);
    setEditorTab(tab);
    setFocus('editor');
  }, []);
  const background = (p: Promise<unknown>): void => void p.catch(() => undefined);
  const direction: Direction = snapshot.run.direction ?? 'sqlite-to-pg';

  const perform = (command: CommandId): void => {
    switch (command) {
      case 'palette.open':
        typeAhead.current = '';
        return setOverlay({ kind: 'palette', mode: 'commands' });
      case 'help.open':
        return setOverlay({ kind: 'help' });
      case 'table.open':
        typeAhead.current = '';
        return setOverlay({ kind: 'palette', mode: 'tables' });
      case 'run.sqlite-to-pg':
      case 'run.sqlite-to-pg.full':
      case 'run.pg-to-sqlite':
      case 'run.pg-to-sqlite.full': {
        const full = command.endsWith('.full');
        setEditorTab('progress');
        return background(actions.run(command.startsWith('run.sqlite-to-pg') ? 'sqlite-to-pg' : 'pg-to-sqlite', full));
      }
      case 'run.dry-run':
        setPanelShown(true);
        setPanelTab('output');
        return background(actions.dryRun(direction));
      case 'run.stop':
        return background(actions.stop());
      case 'verify':
        return background(actions.verify());
      case 'map.regenerate':
        return background(actions.regenerateMappings());
      case 'fix-script.write':
        return background(actions.writeFixScript());
      case 'ledger.retry':
        return background(actions.retryWaiting());
      case 'table.reset':
        return background(actions.resetTable(current));
      case 'explorer.toggle':
        if (explorerShown && focus === 'explorer') setFocus('editor');
        if (!explorerShown) setFocus('explorer');
        return setExplorerShown(!explorerShown);
      case 'panel.toggle':
        if (panelShown && focus === 'panel') setFocus('editor');
        return setPanelShown(!panelShown);
      case 'focus.next':
        return setFocus(cycle(visible, focus, 1));
      case 'focus.previous':
        return setFocus(cycle(visible, focus, -1));
      case 'focus.explorer':
        setExplorerShown(true);
        return setFocus('explorer');
      case 'focus.editor':
        return setFocus('editor');
      case 'focus.panel':
        setPanelShown(true);
        return setFocus('panel');
      case 'tab.next':
      case 'tab.previous': {
        const step = command === 'tab.next' ? 1 : -1;
        if (focus === 'panel') return setPanelTab(cycle(PANEL_TABS, panelTab, step));
        return setEditorTab(cycle(EDITOR_TABS, editorTab, step));
      }
      case 'tab.close':
        setCurrent(null);
        return setEditorTab('progress');
      case 'quit':
        if (actions.running()) return setOverlay({ kind: 'confirm-quit', pending: null });
        return quit();
      default:
        // movement, select, filter and Esc belong to the focused area
        return;
    }
  };

  useStableInput((input, key) => {
    // while the explorer's filter is being typed, only Ctrl+C reaches the shell
    if (capturing && !(key.ctrl && input === 'c')) return;
    if (typeAhead.current !== null) {
      if (key.escape) return closeOverlay();
      if (!key.ctrl && !key.meta) typeAhead.current += input.replace(/[\u0000-\u001f\u007f]/g, '');
      return;
    }
    // `:` and the query in one chunk (a paste, a fast typist)
    if (input.length > 1 && input.startsWith(':') && !key.ctrl && !key.meta) {
      perform('palette.open');
      typeAhead.current = input.slice(1).replace(/[\u0000-\u001f\u007f]/g, '');
      return;
    }
    const command = commandForKey(input, key, ['global', focus]);
    if (command) perform(command);
  }, overlay === null);

  const answerQuit = (yes: boolean): void => {
    if (!yes) return setOverlay(null);
    setOverlay({ kind: 'confirm-quit', pending: 'stopping safely: the current batch finishes and its checkpoint is written…' });
    void actions.stop().finally(quit);
  };

  // layout: notice line and status bar at the bottom, the rest split between the areas
  const columns = Math.max(20, size.columns);
  // one row short of the terminal: a frame as tall as the screen makes Ink clear it on every redraw (flicker)
  const rows = Math.max(8, size.rows - 1);
  const mainHeight = rows - 2;
  const panelHeight = panelShown ? Math.max(4, Math.min(mainHeight - 4, Math.floor(mainHeight * 0.35))) : 0;
  const editorHeight = mainHeight - panelHeight;
  const explorerWidth = explorerShown ? Math.max(18, Math.min(36, Math.floor(columns * 0.28))) : 0;
  const editorWidth = columns - explorerWidth;
  const tableNames = snapshot.tables.map((t) => t.name);
  const busy = actions.busy();
  const notice = snapshot.notice;

  const overlayWidth = Math.min(editorWidth, 90);
  const overlayHeight = Math.min(mainHeight, 22);
  let overlayView = null;
  if (overlay?.kind === 'palette') {
    overlayView = (
      <CommandPalette
        tables={tableNames}
        width={overlayWidth}
        height={overlayHeight}
        mode={overlay.mode}
        initialQuery={typeAhead.current ?? ''}
        onClose={closeOverlay}
        onOpenTable={(t) => {
          closeOverlay();
          openTable(t);
        }}
        onRun={(c) => {
          closeOverlay();
          perform(c);
        }}
      />
    );
  } else if (overlay?.kind === 'help') {
    overlayView = <Help width={overlayWidth} height={Math.min(mainHeight, 30)} onClose={() => setOverlay(null)} />;
  } else if (overlay?.kind === 'confirm-quit') {
    overlayView = <Confirm question="A run is going. Stop it safely and quit?" detail="The current batch finishes and its checkpoint is written; the next run continues from there." width={overlayWidth} pending={overlay.pending} onAnswer={answerQuit} />;
  }

  const noticeText = notice ? notice.text : busy ? `${busy}…` : 'Ctrl+P commands · ? help · Tab next area · q quit';
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Box height={mainHeight} width={columns}>
        {explorerShown ? (
          <Explorer tables={snapshot.tables} current={current} focused={focus === 'explorer' && overlay === null} width={explorerWidth} height={mainHeight} onOpen={(t) => openTable(t)} onCaptureInput={setCapturing} />
        ) : null}
        {overlayView ? (
          <Box width={editorWidth} height={mainHeight} flexDirection="column" alignItems="center">
            {overlayView}
          </Box>
        ) : null}
        {/* kept mounted under an overlay, so scroll positions survive it */}
        <Box flexDirection="column" width={editorWidth} height={mainHeight} display={overlayView ? 'none' : 'flex'}>
          <EditorArea snapshot={snapshot} table={current} tab={editorTab} focused={focus === 'editor' && overlay === null} width={editorWidth} height={editorHeight} />
          {panelShown ? (
            <PanelArea snapshot={snapshot} tab={panelTab} focused={focus === 'panel' && overlay === null} width={editorWidth} height={panelHeight} onOpenProblem={(t, tab) => openTable(t, tab)} />
          ) : null}
        </Box>
      </Box>
      <Box height={1} width={columns}>
        <Text wrap="truncate-end" {...(notice ? theme.style(severityRole(notice.level)) : theme.style('muted'))}>
          {truncate(`${busy && notice ? `[${busy}…] ` : ''}${noticeText}`, columns)}
        </Text>
      </Box>
      <StatusBar snapshot={snapshot} focused={focus} width={columns} />
    </Box>
  );
}
