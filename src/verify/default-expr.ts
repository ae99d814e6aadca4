/**
 * Compares column defaults across dialects: PostgreSQL reports `'open'::character varying`
 * and `now()`, SQLite reports `'open'` and `CURRENT_TIMESTAMP`. Equivalences are data.
 */

/** Expressions that mean the same thing on both sides, keyed by their normalized text. */
const EQUIVALENT: readonly (readonly string[])[] = [
  ['current_timestamp', 'now()', 'transaction_timestamp()', 'localtimestamp', "datetime('now')", "strftime('%y-%m-%dt%h:%m:%fz','now')", "(datetime('now'))"],
  ['current_date', "date('now')"],
  ['true', '1'],
  ['false', '0'],
];

/** Defaults PostgreSQL computes that SQLite has no way to express; no finding when SQLite has none. */
const POSTGRES_ONLY = [/^nextval\(/, /^gen_random_uuid\(\)$/, /^uuid_generate_v\d\(\)$/];

function stripOuterParens(s: string): string {
  let t = s.trim();
  while (t.startsWith('(') && t.endsWith(')') && balanced(t.slice(1, -1))) t = t.slice(1, -1).trim();
  return t;
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** Lower-case keywords, drop casts (`::text`) and redundant parentheses, unquote numbers. */
export function normalizeDefault(expr: string | null): string | null {
  if (expr === null) return null;
  let s = stripOuterParens(expr);
  // casts: 'x'::character varying, 0::numeric, '{}'::jsonb
  s = s.replace(/::[a-z_ ]+(\([\d, ]+\))?(\[\])?/gi, '');
  s = stripOuterParens(s);
  if (/^'-?\d+(\.\d+)?'$/.test(s)) s = s.slice(1, -1);
  if (/^-?\d+\.\d+$/.test(s)) s = String(Number(s));
  if (!s.startsWith("'")) s = s.toLowerCase().replace(/\s+/g, '');
  if (s === 'null') return null;
  const group = EQUIVALENT.find((g) => g.includes(s));
  return group ? (group[0] ?? s) : s;
}

export type DefaultComparison = 'same' | 'postgres_only_function' | 'different';

export function compareDefaults(sqlite: string | null, postgres: string | null): DefaultComparison {
  const a = normalizeDefault(sqlite);
  const b = normalizeDefault(postgres);
  if (a === b) return 'same';
  if (a === null && b !== null && POSTGRES_ONLY.some((re) => re.test(b))) return 'postgres_only_function';
  return 'different';
}
