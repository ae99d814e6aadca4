/**
 * Selection and scroll for a list that shows `rows` items at a time: the one piece of
 * movement logic the explorer, the Progress tab, the Data tab and the Problems list share.
 * The selection is kept as an index and clamped when the list shrinks; the scroll offset
 * follows the selection so the selected row is always on screen.
 */
import { useRef, useState } from 'react';
import type { CommandId } from '../keys/key-bindings.js';

export interface ListCursor {
  selected: number;
  /** first visible item */
  offset: number;
  /** apply a movement command; true when it was one */
  move(command: CommandId | null): boolean;
  select(index: number): void;
}

export function useListCursor(count: number, rows: number, initial = 0): ListCursor {
  const [rawSelected, setSelected] = useState(initial);
  const offsetRef = useRef(0);
  const selected = count === 0 ? 0 : Math.max(0, Math.min(count - 1, rawSelected));
  const visible = Math.max(1, rows);
  let offset = Math.max(0, Math.min(offsetRef.current, Math.max(0, count - visible)));
  if (selected < offset) offset = selected;
  if (selected >= offset + visible) offset = selected - visible + 1;
  offsetRef.current = offset;

  const move = (command: CommandId | null): boolean => {
    if (nextIndex(command, 0, count, visible) === null) return false;
    // from the latest selection, not this render's: keys can arrive faster than renders
    setSelected((prev) => nextIndex(command, Math.max(0, Math.min(count - 1, prev)), count, visible) ?? prev);
    return true;
  };
  return { selected, offset, move, select: (i) => setSelected(i) };
}

/** Where a movement command takes the selection, or null when it is not a movement. */
export function nextIndex(command: CommandId | null, at: number, count: number, page: number): number | null {
  const last = Math.max(0, count - 1);
  const clamp = (i: number): number => Math.max(0, Math.min(last, i));
  switch (command) {
    case 'move.up':
      return clamp(at - 1);
    case 'move.down':
      return clamp(at + 1);
    case 'move.top':
      return 0;
    case 'move.bottom':
      return last;
    case 'move.page-up':
      return clamp(at - Math.max(1, page - 1));
    case 'move.page-down':
      return clamp(at + Math.max(1, page - 1));
    default:
      return null;
  }
}

/** "3-10/45" when the content is longer than the view, else "". */
export function scrollPosition(offset: number, visible: number, total: number): string {
  if (total <= visible) return '';
  return `${offset + 1}-${Math.min(total, offset + visible)}/${total}`;
}
