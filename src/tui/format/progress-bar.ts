/**
 * A text progress bar: "████████░░░░" for a known total, a moving block while the total is
 * unknown. Pure text, so it reads the same with or without colour.
 */
export function progressBar(done: number, total: number | null, width: number, tick = 0): string {
  if (width <= 0) return '';
  if (total === null || total <= 0) {
    // unknown total: a three-cell block sweeping across, driven by the snapshot version
    const block = Math.min(3, width);
    const at = tick % Math.max(1, width - block + 1);
    return '░'.repeat(at) + '▒'.repeat(block) + '░'.repeat(width - block - at);
  }
  const filled = Math.max(0, Math.min(width, Math.floor((done / total) * width)));
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}
