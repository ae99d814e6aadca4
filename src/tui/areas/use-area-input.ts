/**
 * useInput for an area, with a handler that always sees the latest render. Ink re-registers
 * a changed handler in a passive effect, so on a busy machine a fast second key can reach
 * the previous render's handler and act on stale state (two quick `j` presses moving once).
 * Here the registered function never changes and calls the newest handler through a ref;
 * state changes inside handlers use functional updates for the same reason.
 */
import { useInput, type Key } from 'ink';
import { useCallback, useRef } from 'react';

export function useAreaInput(handler: (input: string, key: Key) => void, isActive: boolean): void {
  const latest = useRef(handler);
  latest.current = handler;
  const stable = useCallback((input: string, key: Key) => latest.current(input, key), []);
  useInput(stable, { isActive });
}
