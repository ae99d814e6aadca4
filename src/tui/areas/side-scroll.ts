/**
 * Sideways scrolling of long text rows (a reject's reason, a log line) in steps of a few
 * cells: ←/→ or h/l. Returns the offset and a handler; the row keeps its first cells
 * (cursor, time) and shifts only the text.
 */
import { useState } from 'react';
import type { CommandId } from '../keys/key-bindings.js';

export const SIDE_STEP = 8;

export interface SideScroll {
  offset: number;
  /** true when the command was a sideways move */
  move(command: CommandId | null): boolean;
}

export function useSideScroll(maxOffset: number): SideScroll {
  const [raw, setRaw] = useState(0);
  const max = Math.max(0, maxOffset);
  const offset = Math.min(raw, max);
  return {
    offset,
    move(command) {
      if (command === 'move.left') setRaw((o) => Math.max(0, Math.min(o, max) - SIDE_STEP));
      else if (command === 'move.right') setRaw((o) => Math.min(max, o + SIDE_STEP));
      else return false;
      return true;
    },
  };
}
