/**
 * The pseudo-terminal harness that the TUI's real-terminal story stands on: it shows the
 * screen a program drew, follows the alternate screen and the cursor, sends keys, resizes
 * the window and reports the exit code.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from './harness/cli.js';
import { keys, spawnTerminal, type PtyTerminal } from './harness/terminal.js';

let open: PtyTerminal[] = [];
afterEach(() => {
  for (const t of open) t.kill();
  open = [];
});

function run(file: string, args: string[], cols = 80, rows = 24): PtyTerminal {
  const t = spawnTerminal(file, args, { cols, rows });
  open.push(t);
  return t;
}

describe('a pseudo-terminal with a headless xterm', () => {
  it('shows what the program printed, where it printed it, and its exit code', async () => {
    const t = run('bash', ['-c', `printf 'first\\r\\nsecond\\033[5;10Hmoved'; exit 3`]);
    expect(await t.waitForExit()).toEqual({ exitCode: 3, signal: 0 });
    const lines = t.screenLines();
    expect(lines).toHaveLength(24);
    expect(lines.slice(0, 2)).toEqual(['first', 'second']);
    expect(lines[4]).toBe('         moved');
  });

  it('follows the alternate screen and the cursor, and leaves the first screen intact', async () => {
    const t = run('bash', ['-c', `printf 'before'; printf '\\033[?1049h\\033[?25l\\033[Hfull screen'; read -r _; printf '\\033[?1049l\\033[?25h'; sleep 0.2`]);
    await t.waitForText('full screen');
    expect(t.isAlternateScreen()).toBe(true);
    expect(t.cursorVisible()).toBe(false);
    expect(t.screenText()).not.toContain('before');
    await t.press(keys.enter);
    expect((await t.waitForExit()).exitCode).toBe(0);
    expect(t.isAlternateScreen()).toBe(false);
    expect(t.cursorVisible()).toBe(true);
    expect(t.output()).toContain('\u001B[?1049l');
    expect(t.screenText()).toContain('before');
  });

  it('delivers typed keys, control keys included, as the terminal would', async () => {
    const t = run('bash', ['-c', `stty raw -echo; b=$(dd bs=1 count=4 2>/dev/null | od -An -tx1); stty sane; echo "got$b"`]);
    await new Promise((r) => setTimeout(r, 300)); // let stty switch the line discipline first
    await t.press('a', keys.ctrl('p'), keys.up.slice(0, 2));
    await t.waitForText(/got 61 10 1b 5b/);
  });

  it('resizes: the program sees the new size and the screen has it', async () => {
    const t = run('bash', ['-c', `stty size; read -r _; stty size; read -r _`], 100, 30);
    await t.waitForText('30 100');
    await t.resize(80, 24);
    await t.press(keys.enter);
    await t.waitForText('24 80');
    expect(t.screenLines()).toHaveLength(24);
    expect(t.cols).toBe(80);
  });

  it('runs the built replicate CLI: --help, exit 0', async () => {
    const t = run(process.execPath, [BIN, '--help'], 100, 30);
    expect((await t.waitForExit()).exitCode).toBe(0);
    expect(t.output()).toMatch(/replicate <command>/);
    expect(t.output()).toMatch(/Commands:/);
  });

  it('says what it waited for, and shows the screen, when the text never comes', async () => {
    const t = run('bash', ['-c', `printf 'something else'; sleep 5`]);
    await expect(t.waitForText('never there', 300)).rejects.toThrow(/waiting for "never there".*\n[\s\S]*something else/);
  });
});
