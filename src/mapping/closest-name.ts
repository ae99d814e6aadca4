/**
 * "Did you mean" for a mistyped name: the candidate nearest to it by edit distance, when
 * near enough to be a plausible typo. Zod-free, so the run's planner can use it too.
 */

/** The candidate nearest to `word`, or null when none is within a third of its length (at least 1). */
export function closestName(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : null;
}

/**
 * Optimal string alignment distance: Levenshtein's insertions, deletions and substitutions,
 * plus a swap of two adjacent letters as one edit, the commonest typo ("tabel", "cutsomers").
 */
function editDistance(a: string, b: string): number {
  // the swap looks two rows back
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] ?? 0) + 1);
      row[j] = d;
    }
    [before, prev] = [prev, row];
  }
  return prev[b.length] ?? 0;
}
