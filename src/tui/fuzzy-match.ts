/**
 * Fuzzy matching for the command palette: the query's characters must appear in order
 * (case-insensitive); matches at word starts and runs of adjacent characters score higher,
 * so "rsp" finds "Run: SQLite → PostgreSQL" before a title that merely contains r, s, p.
 */
export interface FuzzyMatch {
  score: number;
  /** indexes of the matched characters in the text */
  positions: number[];
}

const isWordStart = (text: string, i: number): boolean => i === 0 || /[\s:(→\-_./]/.test(text[i - 1] ?? '');

export function fuzzyMatch(query: string, text: string): FuzzyMatch | null {
  const q = query.trim().toLowerCase();
  if (q.length === 0) return { score: 0, positions: [] };
  const t = text.toLowerCase();
  // greedy from the left, preferring a word start further on; plain greedy when that fails
  const positions = place(q, text, t, true) ?? place(q, text, t, false);
  if (!positions) return null;
  let score = 0;
  positions.forEach((p, i) => {
    score += 1;
    if (isWordStart(text, p)) score += 8;
    if (i > 0 && p === (positions[i - 1] ?? -2) + 1) score += 5;
  });
  if (positions[0] === 0) score += 4;
  if (t.includes(q)) score += 10;
  // a compact match wins ties; the length of the title does not, so "run sqlite" keeps the
  // key table's order (incremental before full) instead of preferring the shorter "(full)"
  score -= ((positions.at(-1) ?? 0) - (positions[0] ?? 0)) / 100;
  return { score, positions };
}

/** items that match, best first (ties keep the given order) */
export function fuzzyFilter<T>(items: readonly T[], query: string, textOf: (item: T) => string): { item: T; match: FuzzyMatch }[] {
  const out: { item: T; match: FuzzyMatch; index: number }[] = [];
  items.forEach((item, index) => {
    const match = fuzzyMatch(query, textOf(item));
    if (match) out.push({ item, match, index });
  });
  if (query.trim() === '') return out.map(({ item, match }) => ({ item, match }));
  return out.sort((a, b) => b.match.score - a.match.score || a.index - b.index).map(({ item, match }) => ({ item, match }));
}

function place(q: string, text: string, t: string, preferWordStart: boolean): number[] | null {
  const positions: number[] = [];
  let from = 0;
  for (const ch of q) {
    if (ch === ' ') continue;
    let at = t.indexOf(ch, from);
    if (at < 0) return null;
    const prev = positions.at(-1);
    if (preferWordStart && (prev === undefined || at !== prev + 1)) {
      for (let j = at; j >= 0; j = t.indexOf(ch, j + 1)) {
        if (isWordStart(text, j)) {
          at = j;
          break;
        }
      }
    }
    positions.push(at);
    from = at + 1;
  }
  return positions;
}
