/**
 * Row keys as the ledgers store them (JSON text: {"id":17}, {"order_id":3,"line":2}),
 * shortened for narrow columns without losing the part people search for: the values.
 */
import { oneLine, truncate } from './text.js';

/**
 * '{"id":17}' stays as it is; a key wider than `max` drops its quotes first
 * ({id:17,line:2}), then is cut with "…".
 */
export function shortenKey(keyJson: string, max: number): string {
  const flat = oneLine(keyJson);
  if (flat.length <= max) return flat;
  const unquoted = withoutKeyQuotes(flat);
  return truncate(unquoted, max);
}

/** {"a":1,"b":"x"} -> {a:1,b:"x"}; text that is not a JSON object is returned as is. */
function withoutKeyQuotes(keyJson: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(keyJson);
  } catch {
    return keyJson;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return keyJson;
  const parts = Object.entries(parsed as Record<string, unknown>).map(([k, v]) => `${k}:${JSON.stringify(v)}`);
  return `{${parts.join(',')}}`;
}
