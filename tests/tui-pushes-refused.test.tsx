/**
 * The TUI open on a till whose file was copied from another till. Once the original has
 * pushed, the copy's push from the TUI is refused; the Problems panel then says so first and
 * names what to run (`reset --new-id` on a copy, `reset --adopt` on a restored backup), as
 * `replicate status` does, and the status bar flags it. A TUI opened afresh on the copy shows
 * it at once; the original's does not.
 */
import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { PanelArea } from '../src/tui/areas/panel-area.js';
import { StatusBar } from '../src/tui/areas/status-bar.js';
import { createTuiController, type TuiController } from '../src/tui/controller/tui-controller.js';
import { createTuiStore, type TuiStore } from '../src/tui/state/tui-store.js';
import type { TuiSnapshot } from '../src/tui/state/tui-snapshot.js';
import { ThemeContext, createTheme } from '../src/tui/theme.js';
import { runCli } from './harness/cli.js';
import { createReplicationPair, type ReplicationPair } from './harness/replication.js';
import { renderTui } from './harness/tui-render.js';

const PG = `CREATE TABLE sales (id bigint PRIMARY KEY, what text NOT NULL, updated_at timestamptz NOT NULL);`;
const SQLITE = `CREATE TABLE sales (id INTEGER PRIMARY KEY, what TEXT NOT NULL, updated_at DATETIME NOT NULL);`;

let pair: ReplicationPair;
const opened: TuiStore[] = [];
beforeAll(async () => {
  pair = await createReplicationPair(PG, SQLITE);
});
afterAll(async () => {
  for (const s of opened) s.dispose();
  await pair.cleanup();
});

function sell(path: string, id: number, second: number): void {
  const db = new Database(path);
  try {
    db.prepare('INSERT INTO sales (id, what, updated_at) VALUES (?, ?, ?)').run(id, `sale ${id}`, `2025-06-01 10:00:${String(second).padStart(2, '0')}`);
  } finally {
    db.close();
  }
}

async function push(path: string): Promise<void> {
  const r = await runCli(['run', '--direction', 'sqlite-to-pg', '--sqlite', path, '--pg', pair.db.url, '--json'], { cwd: pair.dir.path });
  expect(r.code, r.stderr).toBe(0);
}

/** The TUI's store and commands on the file at `path`, as `replicate tui --sqlite path` opens them. */
function openTui(path: string): { controller: TuiController; snapshot: () => TuiSnapshot } {
  const store = createTuiStore({ sqliteLabel: path, postgresLabel: 'pg' });
  opened.push(store);
  const controller = createTuiController({ sqlitePath: path, pgUrl: pair.db.url, schema: 'public', mappingsDir: pair.dir.file('mappings'), store, fixScriptPath: pair.dir.file('fix.sql') });
  return {
    controller,
    snapshot: () => {
      store.flush();
      return store.getSnapshot();
    },
  };
}

const problems = (snapshot: TuiSnapshot): string[] =>
  renderTui(<PanelArea snapshot={snapshot} tab="problems" focused width={200} height={12} onOpenProblem={() => undefined} />).lines();

function statusBar(snapshot: TuiSnapshot): string {
  const r = render(
    <ThemeContext.Provider value={createTheme(false)}>
      <StatusBar snapshot={snapshot} focused="panel" width={120} />
    </ThemeContext.Provider>,
  );
  const frame = r.lastFrame() ?? '';
  r.unmount();
  return frame;
}

const HEADLINE = '✗ pushes refused: another file with this id (a copy of it, or the original of a restored backup) has pushed since this one last did';
const WHAT_TO_RUN = 'run `replicate reset --new-id` on a copy, or `replicate reset --adopt` on a restored backup that replaces the original';

/** Problems lists the refusal first, with what to run; the status bar flags it. */
function expectRefusalShown(snapshot: TuiSnapshot): void {
  const lines = problems(snapshot);
  expect(lines[0]).toMatch(/^\[Problems 1\]/);
  expect(lines[1]).toContain(HEADLINE);
  expect(lines[2]).toContain(WHAT_TO_RUN);
  expect(statusBar(snapshot)).toContain('✗ pushes refused');
}

describe('the TUI on a copied till whose original pushed since', () => {
  it('says the push is refused, first in Problems with what to run and in the status bar, once the TUI’s own push is refused', async () => {
    const original = pair.sqlitePath;
    const copy = pair.dir.file('till-2.db');
    sell(original, 1, 1);
    await push(original);
    copyFileSync(original, copy);

    const tui = openTui(copy);
    await tui.controller.load();
    // nothing pushed since the copy was made: the copy may still push
    expect(tui.snapshot().pushesRefused).toBe(false);
    expect(problems(tui.snapshot()).join('\n')).not.toContain('pushes refused');
    expect(statusBar(tui.snapshot())).not.toContain('pushes refused');

    sell(original, 2, 2);
    await push(original);
    sell(copy, 3, 3);
    expect(await tui.controller.run('sqlite-to-pg', false)).toBeNull();

    expectRefusalShown(tui.snapshot());
  });

  it('a TUI opened on the copy shows it as soon as it has loaded; one on the original does not', async () => {
    const copy = openTui(pair.dir.file('till-2.db'));
    await copy.controller.load();
    expectRefusalShown(copy.snapshot());

    const original = openTui(pair.sqlitePath);
    await original.controller.load();
    expect(problems(original.snapshot()).join('\n')).not.toContain('pushes refused');
    expect(statusBar(original.snapshot())).not.toContain('pushes refused');
  });
});
