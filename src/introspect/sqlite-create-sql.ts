/**
 * Best-effort reading of what SQLite's pragmas do not report: generated-column
 * expressions and CHECK constraints (from CREATE TABLE) and expression index keys
 * (from CREATE INDEX). A small tokenizer that knows SQLite's quoting and comments,
 * then a scan at the right parenthesis depth; not a full SQL parser.
 */

type TokenKind = 'word' | 'quoted' | 'string' | 'punct' | 'other';

interface Token {
  kind: TokenKind;
  /** identifier or string with quotes removed; the text itself otherwise */
  value: string;
  start: number;
  end: number;
}

/** quote character -> closing character; the closing one doubled is an escaped one */
const QUOTES: Readonly<Record<string, { close: string; kind: TokenKind }>> = {
  '"': { close: '"', kind: 'quoted' },
  '`': { close: '`', kind: 'quoted' },
  '[': { close: ']', kind: 'quoted' },
  "'": { close: "'", kind: 'string' },
};

// SQLite treats every character above U+007F as an identifier character.
const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql.charAt(i);
    if (/\s/.test(ch)) {
      i++;
    } else if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (sql.startsWith('/*', i)) {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (QUOTES[ch]) {
      const { close, kind } = QUOTES[ch];
      let j = i + 1;
      let value = '';
      while (j < sql.length) {
        const c = sql.charAt(j);
        if (c === close) {
          if (close !== ']' && sql.charAt(j + 1) === close) {
            value += close;
            j += 2;
            continue;
          }
          break;
        }
        value += c;
        j++;
      }
      tokens.push({ kind, value, start: i, end: Math.min(j + 1, sql.length) });
      i = j + 1;
    } else if (WORD_START.test(ch)) {
      let j = i + 1;
      while (j < sql.length && WORD_PART.test(sql.charAt(j))) j++;
      tokens.push({ kind: 'word', value: sql.slice(i, j), start: i, end: j });
      i = j;
    } else {
      tokens.push({ kind: '(),;'.includes(ch) ? 'punct' : 'other', value: ch, start: i, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

function isWord(t: Token | undefined, ...words: string[]): boolean {
  return t?.kind === 'word' && words.includes(t.value.toUpperCase());
}

function isPunct(t: Token | undefined, p: string): boolean {
  return t?.kind === 'punct' && t.value === p;
}

/** Index of the ')' closing the '(' at `open`, or the last index when unbalanced. */
function matchParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isPunct(tokens[i], '(')) depth++;
    else if (isPunct(tokens[i], ')') && --depth === 0) return i;
  }
  return tokens.length - 1;
}

/** The comma-separated items inside the parenthesis at `open`, split at its own depth. */
function splitList(tokens: Token[], open: number): Token[][] {
  const close = matchParen(tokens, open);
  const items: Token[][] = [];
  let current: Token[] = [];
  for (let i = open + 1; i < close; i++) {
    const t = tokens[i];
    if (!t) break;
    if (isPunct(t, '(')) {
      const end = matchParen(tokens, i);
      current.push(...tokens.slice(i, end + 1));
      i = end;
    } else if (isPunct(t, ',')) {
      items.push(current);
      current = [];
    } else {
      current.push(t);
    }
  }
  if (current.length) items.push(current);
  return items;
}

/** Source text between the parenthesis at `open` and its match, trimmed. */
function innerText(sql: string, tokens: Token[], open: number): string {
  const close = matchParen(tokens, open);
  const start = tokens[open]?.end ?? 0;
  const end = tokens[close]?.start ?? sql.length;
  return sql.slice(start, end).trim();
}

/** The first '(' of the statement at depth 0 after `from`, skipping nothing else. */
function firstParenAfter(tokens: Token[], from: number): number {
  for (let i = from; i < tokens.length; i++) if (isPunct(tokens[i], '(')) return i;
  return -1;
}

export interface ParsedCheck {
  name: string | null;
  expression: string;
}

export interface ParsedCreateTable {
  /** generated expression per column, keyed by lower-cased column name */
  generated: Map<string, string>;
  checks: ParsedCheck[];
}

const TABLE_CONSTRAINT_START = ['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN'];

/** Walks one column definition or table constraint, collecting CHECK and AS (...). */
function scanItem(sql: string, item: Token[], checks: ParsedCheck[]): string | null {
  let pendingName: string | null = null;
  let generated: string | null = null;
  for (let i = 0; i < item.length; i++) {
    const t = item[i];
    if (isWord(t, 'CONSTRAINT')) {
      pendingName = item[i + 1]?.value ?? null;
      i++;
    } else if (isWord(t, 'CHECK') && isPunct(item[i + 1], '(')) {
      checks.push({ name: pendingName, expression: innerText(sql, item, i + 1) });
      pendingName = null;
      i = matchParen(item, i + 1);
    } else if (isWord(t, 'AS') && isPunct(item[i + 1], '(')) {
      generated = innerText(sql, item, i + 1);
      i = matchParen(item, i + 1);
    } else if (isPunct(t, '(')) {
      i = matchParen(item, i); // DEFAULT (...), REFERENCES t (...): nothing for us inside
    }
  }
  return generated;
}

export function parseCreateTable(sql: string | null): ParsedCreateTable {
  const result: ParsedCreateTable = { generated: new Map(), checks: [] };
  if (!sql) return result;
  const tokens = tokenize(sql);
  const open = firstParenAfter(tokens, 0);
  // CREATE TABLE ... AS SELECT has no column definitions to read.
  if (open < 0 || tokens.slice(0, open).some((t) => isWord(t, 'AS'))) return result;
  for (const item of splitList(tokens, open)) {
    const first = item[0];
    if (!first) continue;
    if (first.kind === 'word' && TABLE_CONSTRAINT_START.includes(first.value.toUpperCase())) {
      scanItem(sql, item, result.checks);
      continue;
    }
    const generated = scanItem(sql, item.slice(1), result.checks);
    if (generated !== null) result.generated.set(first.value.toLowerCase(), generated);
  }
  return result;
}

/** Key texts of CREATE INDEX ... ON t (key, ...), without COLLATE/ASC/DESC. */
export function parseIndexKeys(sql: string | null): string[] {
  if (!sql) return [];
  const tokens = tokenize(sql);
  const on = tokens.findIndex((t) => isWord(t, 'ON'));
  if (on < 0) return [];
  const open = firstParenAfter(tokens, on + 1);
  if (open < 0) return [];
  return splitList(tokens, open).map((item) => {
    const stop = item.findIndex((t) => isWord(t, 'COLLATE', 'ASC', 'DESC'));
    const keyTokens = stop < 0 ? item : item.slice(0, stop);
    const first = keyTokens[0];
    const last = keyTokens[keyTokens.length - 1];
    return first && last ? sql.slice(first.start, last.end).trim() : '';
  });
}
