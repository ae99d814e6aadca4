/** Durations, rates and counts read on screen the way people say them; colour follows NO_COLOR. */
import { describe, expect, it } from 'vitest';
import { formatAge, formatClock, formatDuration } from '../src/tui/format/duration.js';
import { formatCompact, formatCount, formatPercent, formatRate } from '../src/tui/format/count.js';
import { fit, sliceCells, truncate } from '../src/tui/format/text.js';
import { progressBar } from '../src/tui/format/progress-bar.js';
import { createTheme, detectColors } from '../src/tui/theme.js';

describe('TUI formatting', () => {
  it('durations use at most two units, the smaller zero-padded', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(12_400)).toBe('12s');
    expect(formatDuration(62_000)).toBe('1m 02s');
    expect(formatDuration(2 * 3600_000 + 5 * 60_000)).toBe('2h 05m');
    expect(formatClock(12_000)).toBe('00:12');
    expect(formatClock(3723_000)).toBe('1:02:03');
    expect(formatAge('2026-11-30T11:57:55Z', Date.parse('2026-11-30T12:00:00Z'))).toBe('2m');
    expect(formatAge('not a date', 0)).toBe('—');
  });

  it('rates and counts are compact in bars and exact in tables', () => {
    expect(formatRate(41_234)).toBe('41.2k rows/s');
    expect(formatRate(950)).toBe('950 rows/s');
    expect(formatCompact(1_500_000)).toBe('1.5M');
    expect(formatCompact(999_960)).toBe('1M');
    expect(formatCompact(999.7)).toBe('1k');
    expect(formatCount(1_234_567)).toBe('1,234,567');
    expect(formatPercent(8000, 20_000)).toBe('40%');
    expect(formatPercent(5, null)).toBe('');
  });

  it('text is cut to a width with an ellipsis, padded, or windowed sideways', () => {
    expect(truncate('customers', 5)).toBe('cust…');
    expect(fit('id', 5)).toBe('id   ');
    expect(sliceCells('abcdefgh', 3, 3)).toBe('def');
    expect(progressBar(5, 10, 10)).toBe('█████░░░░░');
    expect(progressBar(0, null, 6, 1)).toHaveLength(6);
  });

  it('colour follows NO_COLOR, FORCE_COLOR and the terminal', () => {
    const tty = { isTTY: true, hasColors: () => true };
    expect(detectColors({ NO_COLOR: '1' }, tty)).toBe(false);
    expect(detectColors({ NO_COLOR: '' }, tty)).toBe(true);
    expect(detectColors({}, { isTTY: false })).toBe(false);
    expect(detectColors({ FORCE_COLOR: '1' }, { isTTY: false })).toBe(true);
    expect(createTheme(false).style('error')).toEqual({});
    expect(createTheme(true).style('error')).toEqual({ color: 'red' });
  });
});
