/**
 * Several timings of one thing on a host whose speed drifts: the median decides (a burst
 * of other work moves one sample, not the middle one) and the spread is shown with it.
 */

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const secs = (ms: number): string => (ms / 1000).toFixed(2);

/** "median of 5: 0.41 s (0.38..0.52 s; in order 0.52, 0.41, ...)" */
export function spreadNote(ms: readonly number[]): string {
  const lo = Math.min(...ms);
  const hi = Math.max(...ms);
  return `median of ${ms.length}: ${secs(median(ms))} s (spread ${secs(lo)}..${secs(hi)} s; in order ${ms.map(secs).join(', ')})`;
}
