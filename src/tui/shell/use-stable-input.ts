/**
 * useInput whose registered listener never changes and calls the newest handler through a
 * ref. Ink re-registers a changed handler (or an isActive flip) in a passive effect, which a
 * busy machine runs late: a key typed right after a state change would reach the previous
 * render's handler. Assigning the ref during render makes the newest state win at once.
 */
import { useInput, type Key } from 'ink';
import { useCallback, useRef } from 'react';

export function useStableInput(handler: (input: string, key: Key) => void, isActive = true): void {
  const latest = useRef(handler);
  const active = useRef(isActive);
  latest.current = handler;
  active.current = isActive;
  const stable = useCallback((input: string, key: Key) => {
    if (active.current) latest.current(input, key);
  }, []);
  // registered while mounted; `isActive` is checked per key instead of re-registering
  useInput(stable);
}
