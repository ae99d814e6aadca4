/**
 * yargs turns the text of a number flag that is no number (`--jitter abc`) into NaN before
 * a command sees it, so the command's own check could only say "got NaN". This names the
 * flag and the text as it was written.
 */
import { ConfigError } from '../errors.js';

/** Whether `--flag` was written, and the value after it (or in `--flag=value`), if any. */
function written(args: readonly string[], flag: string): { present: boolean; value: string | undefined } {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === `--${flag}`) {
      const next = args[i + 1];
      return { present: true, value: next === undefined || next.startsWith('--') ? undefined : next };
    }
    if (a.startsWith(`--${flag}=`)) return { present: true, value: a.slice(flag.length + 3) };
  }
  return { present: false, value: undefined };
}

/**
 * Throws a ConfigError for the first of `flags` that yargs parsed as NaN, or dropped
 * because no value followed it (`--jitter` at the end of the line was otherwise ignored),
 * or read as 0 from an empty value (`--batch-size=`, `--jitter ''`).
 */
export function refuseNonNumbers(args: readonly string[], parsed: Readonly<Record<string, unknown>>, flags: readonly string[]): void {
  for (const flag of flags) {
    const v = parsed[flag];
    const w = written(args, flag);
    const empty = w.value !== undefined && w.value.trim() === '';
    if (typeof v === 'number' && !Number.isNaN(v) && !empty) continue;
    if (v === undefined && !w.present) continue;
    throw new ConfigError(`--${flag} takes a number; got ${w.value === undefined || empty ? 'none' : `'${w.value}'`}`, flag);
  }
}
