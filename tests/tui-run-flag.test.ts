/**
 * `replicate run --tui` in a real terminal (a pseudo-terminal read by a headless xterm): the
 * run starts at once and the screen says so while the UI loads; the UI then shows the run
 * finish with the row that waits for its parent; q quits without asking (the run is over),
 * the terminal is left as it was, the summary line follows, and the exit code is the run's
 * (3: rows wait). The rows are in PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './harness/cli.js';
import type { ReplicationPair } from './harness/replication.js';
import { spawnTerminal, type PtyTerminal } from './harness/terminal.js';
import { createTuiPair, planted } from './harness/tui-pair.js';

let pair: ReplicationPair;
let t: PtyTerminal;

beforeAll(async () => {
  pair = await createTuiPair({ database: 'tui_run_flag' });
  t = spawnTerminal(process.execPath, [BIN, 'run', '--direction', 'sqlite-to-pg', '--tui', ...pair.flags, '--batch-size', '250'], { cols: 100, rows: 30, cwd: pair.dir.path, env: { NO_COLOR: undefined, FORCE_COLOR: undefined } });
});
afterAll(async () => {
  t.kill();
  await pair.cleanup();
});

describe('replicate run --tui in a 100x30 terminal', () => {
  it('says the run is starting, then shows it done with the waiting row counted', async () => {
    // the placeholder or the UI: the first thing on the alternate screen
    await t.waitFor((s) => /starting the run \(sqlite-to-pg\)|TABLES/.test(s), 'the run to start on the alternate screen');
    expect(t.isAlternateScreen()).toBe(true);
    const done = await t.waitFor((s) => /sqlite→pg (done|waiting)/.test(s), 'the run to finish in the status bar', 60_000);
    expect(done).not.toMatch(/starting the run/);
    expect(done).toMatch(/◷1/);
  });

  it('quits with q without asking, leaves the terminal as it was and exits with the run\'s code', async () => {
    await t.press('q');
    const status = await t.waitForExit();
    expect(status.exitCode).toBe(3);
    expect(t.isAlternateScreen()).toBe(false);
    expect(t.output()).toMatch(/1 waiting/);
  });

  it('landed every row but the one whose parent is missing', async () => {
    const { rows, waiting } = planted;
    const count = async (table: string): Promise<number> => Number((await pair.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]?.n);
    expect(await count('customers')).toBe(rows.customers);
    expect(await count('orders')).toBe(rows.orders - 1);
    expect(await pair.db.query('SELECT 1 FROM orders WHERE id = $1', [waiting.childId])).toEqual([]);
    expect(await count('order_items')).toBe(rows.order_items);
  });
});
