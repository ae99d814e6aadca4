/**
 * A `replicate run`, `status` or `verify` command line means the same whether the quick reader
 * (fast-args.ts, which spares an incremental run the loading of yargs) or yargs reads
 * it: well-formed lines are read the same way, and every line the quick reader is not
 * sure about still gets yargs' help and error messages.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseFastCommand } from '../src/cli/fast-args.js';
import { runCli } from './harness/cli.js';
import { tempDir } from './harness/sqlite.js';

describe('a plain run line is read without yargs', () => {
  it('reads every run option as yargs would hand it to the command', () => {
    const line = ['run', '--direction', 'pg-to-sqlite', '--sqlite', 'pos.db', '--pg=postgres://app@db/pos', '--schema', 'shop', '--mappings', 'maps',
      '--config', 'r.json', '--full', '--tables', 'orders,order_items', '--batch-size', '200', '--param', 'store=7', '--param', 'region=north',
      '--create-missing', '--dry-run', '--json', '--no-tui'];
    expect(parseFastCommand(line)).toEqual({
      command: 'run',
      args: {
        direction: 'pg-to-sqlite', sqlite: 'pos.db', pg: 'postgres://app@db/pos', schema: 'shop', mappings: 'maps', config: 'r.json', full: true,
        tables: 'orders,order_items', batchSize: 200, param: ['store=7', 'region=north'], createMissing: true, dryRun: true, json: true, tui: false,
      },
    });
  });

  it('leaves out what was not given, and reads status lines too', () => {
    expect(parseFastCommand(['run', '--direction', 'sqlite-to-pg'])?.args).toEqual({ direction: 'sqlite-to-pg' });
    expect(parseFastCommand(['status', '--json', '--sqlite', 'pos.db'])).toEqual({ command: 'status', args: { json: true, sqlite: 'pos.db' } });
    expect(parseFastCommand(['verify', '--pg', 'postgres://app@db/pos', '--no-json'])).toEqual({ command: 'verify', args: { pg: 'postgres://app@db/pos', json: false } });
  });

  it('hands every line it is not sure about to yargs', () => {
    const unsure = [
      ['run'], // no --direction: yargs says it is required
      ['run', '--direction', 'sideways'],
      ['run', '--direction', 'sqlite-to-pg', '--help'],
      ['run', '--direction', 'sqlite-to-pg', '-h'],
      ['run', '--direction', 'sqlite-to-pg', '--batch-size', 'lots'],
      ['run', '--direction', 'sqlite-to-pg', '--batch-size', '1e3'],
      ['run', '--direction', 'sqlite-to-pg', '--batchSize', '10'], // yargs' camelCase spelling
      ['run', '--direction', 'sqlite-to-pg', '--tables', 'a', '--tables', 'b'],
      ['run', '--direction', 'sqlite-to-pg', 'extra'],
      ['run', '--direction', 'sqlite-to-pg', '--sqlte', 'pos.db'],
      ['run', '--direction', 'sqlite-to-pg', '--full=false'],
      ['run', '--direction', 'sqlite-to-pg', '--verify-schemas'],
      ['run', '--direction', 'sqlite-to-pg', '--param'],
      ['status', '--table', 'orders'],
      ['verify', '--help'],
      ['verify', '--sqlte', 'pos.db'],
      ['--verify-schemas'],
      [],
    ];
    for (const line of unsure) expect(parseFastCommand(line), line.join(' ')).toBeNull();
  });
});

describe('run lines yargs reads keep their messages', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('a bad --direction names the choices and exits 2', async () => {
    const r = await runCli(['run', '--direction', 'sideways'], { cwd: dir.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('sqlite-to-pg');
    expect(r.stderr).toContain('sideways');
  });

  it('run --help still prints the run options', async () => {
    const r = await runCli(['run', '--direction', 'sqlite-to-pg', '--help'], { cwd: dir.path });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--batch-size');
    expect(r.stdout).toContain('--create-missing');
  });

  it('a --batch-size or --jitter that is not a number is refused by name, with the text given', async () => {
    const r = await runCli(['run', '--direction', 'sqlite-to-pg', '--batch-size', 'lots', '--sqlite', dir.file('none.db'), '--pg', 'postgres://u@127.0.0.1:1/x'], { cwd: dir.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--batch-size takes a number; got 'lots'");
    const jitter = await runCli(['run', '--direction', 'sqlite-to-pg', '--schedule', '* * * * *', '--jitter=soon', '--sqlite', dir.file('none.db'), '--pg', 'postgres://u@127.0.0.1:1/x'], { cwd: dir.path });
    expect(jitter.code).toBe(2);
    expect(jitter.stderr).toContain("--jitter takes a number; got 'soon'");
    // a flag with no value after it is not dropped (yargs would leave it out)
    const none = await runCli(['run', '--direction', 'sqlite-to-pg', '--sqlite', dir.file('none.db'), '--pg', 'postgres://u@127.0.0.1:1/x', '--schedule', '* * * * *', '--jitter'], { cwd: dir.path });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--jitter takes a number; got none');
    // an empty value is no 0 (yargs reads `--batch-size=` as 0)
    const empty = await runCli(['run', '--direction', 'sqlite-to-pg', '--batch-size=', '--sqlite', dir.file('none.db'), '--pg', 'postgres://u@127.0.0.1:1/x'], { cwd: dir.path });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--batch-size takes a number; got none');
  });

  it('a quickly read run line with a zero batch size gets the same message', async () => {
    const r = await runCli(['run', '--direction', 'sqlite-to-pg', '--batch-size', '0', '--sqlite', dir.file('none.db'), '--pg', 'postgres://u@127.0.0.1:1/x'], { cwd: dir.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--batch-size must be a positive integer; got 0');
  });
});
