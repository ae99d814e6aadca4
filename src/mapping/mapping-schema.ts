/**
 * The mapping file's schema (mappings/<table>.yaml) and its loader. Validation is
 * strict so a typo (`cursr:`) is reported instead of silently ignored, and every
 * problem names the file, the line and the dotted key, as a MappingError.
 */
import { basename } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { z } from 'zod';
import { MappingError } from '../errors.js';
import type { CanonicalKind } from '../model/schema.js';
import type { ConflictPolicy, SoftDelete, TableMapping, Transform } from './table-mapping.js';
import { TIME_FORMATS } from '../replicator/values/time-format.js';
import { closestName } from './closest-name.js';
import { CANONICAL_KINDS, CONFLICT_POLICIES, SOFT_DELETE_KINDS, TRANSFORMS } from './mapping-vocabulary.js';

// the vocabulary lives in its own zod-free module, so rendering a mapping (the TUI) does not load zod
export { CANONICAL_KINDS, CONFLICT_POLICIES, SOFT_DELETE_KINDS, TRANSFORMS } from './mapping-vocabulary.js';

const DEFAULT_CONFLICT: ConflictPolicy = 'latest-wins';
const DEFAULT_PRIORITY = 100;

const name = z.string().min(1);
// An empty YAML value (`sqlite:` with nothing after it) means an empty list.
const nameList = z
  .array(name)
  .nullish()
  .transform((v) => v ?? []);

const columnEntry = z.strictObject({
  postgres: name,
  sqlite: name,
  type: z.enum(CANONICAL_KINDS),
  transform: z.enum(TRANSFORMS),
  /** date/time pairs: the SQLite column's text format, profiled by `replicate map` */
  format: z.enum(TIME_FORMATS).nullish(),
});
const foreignKeyEntry = z.strictObject({
  columns: z.array(name).min(1),
  references: name,
  ref_columns: z.array(name).min(1),
});
const fingerprintEntry = z.strictObject({ sqlite: z.string().nullish(), postgres: z.string().nullish() });
const localOnlyEntry = z.strictObject({ sqlite: nameList, postgres: nameList });
const keyEntry = z.strictObject({ postgres: nameList, sqlite: nameList, server_id: name.nullish() });
const softDeleteEntry = z.strictObject({ column: name, kind: z.enum(SOFT_DELETE_KINDS) });

const rawMapping = z.strictObject({
  version: z.literal(1),
  table: name,
  sqlite_table: name.nullish(),
  fingerprint: fingerprintEntry.nullish(),
  columns: z.array(columnEntry),
  local_only: localOnlyEntry.nullish(),
  skip_generated: nameList,
  key: keyEntry.nullish(),
  foreign_keys: z.array(foreignKeyEntry).nullish(),
  cursor: name.nullish(),
  soft_delete: softDeleteEntry.nullish(),
  filter: name.nullish(),
  conflict: z.enum(CONFLICT_POLICIES).nullish(),
  priority: z.number().int().nullish(),
});
type RawMapping = z.output<typeof rawMapping>;

/** Allowed keys of each map in the file, by path pattern ('*' for a list index), for "unknown key" messages. */
const KEYS_AT: ReadonlyMap<string, readonly string[]> = new Map([
  ['', Object.keys(rawMapping.shape)],
  ['columns.*', Object.keys(columnEntry.shape).filter((k) => k !== 'format')],
  ['foreign_keys.*', Object.keys(foreignKeyEntry.shape)],
  ['fingerprint', Object.keys(fingerprintEntry.shape)],
  ['local_only', Object.keys(localOnlyEntry.shape)],
  ['key', Object.keys(keyEntry.shape)],
  ['soft_delete', Object.keys(softDeleteEntry.shape)],
]);

type Path = readonly (string | number)[];
interface Problem {
  path: Path;
  problem: string;
}

/** Characters that are unsafe in file names on some system: percent-encoded, and so is '%' to keep it reversible. */
const UNSAFE_IN_FILE_NAME = /[/\\:*?"<>|%\u0000-\u001f\u007f]/g;

/** `Branch Notes` -> `Branch Notes.yaml`; `a/b` -> `a%2Fb.yaml`; unicode is kept. */
export function mappingFileName(table: string): string {
  const safe = table.replace(UNSAFE_IN_FILE_NAME, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
  return `${safe}.yaml`;
}

/** Parse and validate one mapping file's text; `file` is its path, used in messages and to check `table`. */
export function parseMappingYaml(text: string, file: string): TableMapping {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const what = syntax.message.split('\n')[0]?.replace(/\.?\s*$/, '') ?? syntax.code;
    const opened = unclosedQuoteStart(doc, syntax.pos[0]);
    if (opened !== null) {
      const at = lines.linePos(opened);
      throw new MappingError(file, at.line, null, `YAML syntax error: the quote opened at column ${at.col} is never closed`);
    }
    const at = lines.linePos(syntax.pos[0]);
    throw new MappingError(file, at.line, null, `YAML syntax error: ${what} (column ${at.col})`);
  }
  const value: unknown = doc.toJS();
  const parsed = rawMapping.safeParse(value, { reportInput: true });
  const problems: Problem[] = parsed.success
    ? crossFieldProblems(parsed.data, file)
    : parsed.error.issues.map((issue) => describeIssue(issue, doc));
  const located = problems.map((p) => ({ ...p, line: lineOf(doc, lines, p.path) }));
  // Report the problem the user meets first when reading the file top to bottom; on one
  // line, an unknown key first (a misspelt key also makes the right one "missing").
  const rank = (p: Problem): number => (p.problem.startsWith('unknown key') ? 0 : 1);
  located.sort((a, b) => a.line - b.line || rank(a) - rank(b));
  const first = located[0];
  if (first) throw new MappingError(file, first.line, first.path.length ? first.path.join('.') : null, first.problem);
  if (!parsed.success) throw new MappingError(file, 1, null, 'invalid mapping file');
  return toTableMapping(parsed.data);
}

/** 1-based line of the key at `path` in a mapping file's text, or null when absent or unparsable. */
export function keyLine(text: string, path: Path): number | null {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length || doc.getIn(path, true) === undefined) return null;
  return lineOf(doc, lines, path);
}

function toTableMapping(raw: RawMapping): TableMapping {
  return {
    version: 1,
    table: raw.table,
    sqliteTable: raw.sqlite_table ?? raw.table,
    fingerprint: { sqlite: raw.fingerprint?.sqlite ?? null, postgres: raw.fingerprint?.postgres ?? null },
    columns: raw.columns.map((c) => ({
      postgres: c.postgres,
      sqlite: c.sqlite,
      type: c.type,
      transform: c.transform,
      ...(c.format != null ? { format: c.format } : {}),
    })),
    localOnly: { sqlite: raw.local_only?.sqlite ?? [], postgres: raw.local_only?.postgres ?? [] },
    skipGenerated: raw.skip_generated,
    key: { postgres: raw.key?.postgres ?? [], sqlite: raw.key?.sqlite ?? [], serverId: raw.key?.server_id ?? null },
    foreignKeys: (raw.foreign_keys ?? []).map((f) => ({ columns: f.columns, references: f.references, refColumns: f.ref_columns })),
    cursor: raw.cursor ?? null,
    softDelete: raw.soft_delete ? { column: raw.soft_delete.column, kind: raw.soft_delete.kind } : null,
    filter: raw.filter ?? null,
    conflict: raw.conflict ?? DEFAULT_CONFLICT,
    priority: raw.priority ?? DEFAULT_PRIORITY,
  };
}

/** Column types whose pairs carry a date/time `format`. */
const TIME_KINDS: ReadonlySet<string> = new Set<CanonicalKind>(['timestamp', 'timestamptz', 'date']);

/** Keys allowed only on some entries: `format` on a date/time column pair. */
function extraKeysAt(doc: Document, path: Path): string[] {
  const inColumn = path.length === 2 && path[0] === 'columns' && typeof path[1] === 'number';
  return inColumn && TIME_KINDS.has(String(doc.getIn([...path, 'type']))) ? ['format'] : [];
}

/** Rules between fields that a per-field schema cannot express. */
function crossFieldProblems(raw: RawMapping, file: string): Problem[] {
  const problems: Problem[] = [];
  // Where each column name is first used, per side, to report a second use.
  const seen = { postgres: new Map<string, string>(), sqlite: new Map<string, string>() };
  const use = (side: 'postgres' | 'sqlite', column: string, path: Path, role: string): void => {
    const earlier = seen[side].get(column);
    if (earlier) problems.push({ path, problem: `${side} column '${column}' is already used at ${earlier}; ${role}` });
    else seen[side].set(column, path.join('.'));
  };
  raw.columns.forEach((c, i) => {
    if (c.format != null && !TIME_KINDS.has(c.type)) {
      problems.push({ path: ['columns', i, 'format'], problem: `format applies to date/time pairs (timestamp, timestamptz, date), not ${c.type}` });
    }
    use('postgres', c.postgres, ['columns', i, 'postgres'], 'a column may be paired only once');
    use('sqlite', c.sqlite, ['columns', i, 'sqlite'], 'a column may be paired only once');
  });
  for (const side of ['sqlite', 'postgres'] as const) {
    (raw.local_only?.[side] ?? []).forEach((c, i) =>
      use(side, c, ['local_only', side, i], 'a column cannot be both paired and local_only, or listed twice'),
    );
  }
  raw.skip_generated.forEach((c, i) => use('postgres', c, ['skip_generated', i], 'a generated column is listed once, outside columns'));

  const pairedPg = raw.columns.map((c) => c.postgres);
  const sqliteKnown = new Set([...raw.columns.map((c) => c.sqlite), ...(raw.local_only?.sqlite ?? [])]);
  const oneOf = (names: readonly string[]): string => (names.length ? `one of ${names.join(', ')}` : 'none are paired');
  if (raw.cursor != null && !pairedPg.includes(raw.cursor)) {
    problems.push({
      path: ['cursor'],
      problem: `cursor must name a paired PostgreSQL column (${oneOf(pairedPg)}) or be null; got '${raw.cursor}'`,
    });
  }
  if (raw.soft_delete && !pairedPg.includes(raw.soft_delete.column)) {
    problems.push({
      path: ['soft_delete', 'column'],
      problem: `soft_delete.column must name a paired PostgreSQL column (${oneOf(pairedPg)}); got '${raw.soft_delete.column}'`,
    });
  }
  (raw.key?.postgres ?? []).forEach((c, i) => {
    if (!pairedPg.includes(c) && !raw.skip_generated.includes(c)) {
      problems.push({ path: ['key', 'postgres', i], problem: `key column '${c}' must be paired in columns or listed in skip_generated` });
    }
  });
  (raw.key?.sqlite ?? []).forEach((c, i) => {
    if (!sqliteKnown.has(c)) {
      problems.push({ path: ['key', 'sqlite', i], problem: `key column '${c}' must be a SQLite column named in columns or local_only.sqlite` });
    }
  });
  const serverId = raw.key?.server_id;
  if (serverId != null && !sqliteKnown.has(serverId)) {
    problems.push({ path: ['key', 'server_id'], problem: `server_id '${serverId}' must be a SQLite column named in columns or local_only.sqlite` });
  }

  const base = basename(file);
  if (/\.ya?ml$/i.test(base)) {
    const expected = mappingFileName(raw.table);
    if (base.replace(/\.ya?ml$/i, '').normalize('NFC') !== expected.replace(/\.yaml$/, '').normalize('NFC')) {
      problems.push({ path: ['table'], problem: `table '${raw.table}' does not match the file name ${base}; its file is ${expected}` });
    }
  }
  return problems;
}

type Issue = z.core.$ZodIssue;

function describeIssue(issue: Issue, doc: Document): Problem {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const label = labelOf(path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '';
      const allowed = [...(KEYS_AT.get(path.map((p) => (typeof p === 'number' ? '*' : p)).join('.')) ?? []), ...extraKeysAt(doc, path)];
      const guess = closestName(key, allowed);
      const hint = guess ? `; did you mean '${guess}'?` : '';
      return { path: [...path, key], problem: `unknown key '${key}'${hint} (allowed here: ${allowed.join(', ')})` };
    }
    case 'invalid_value': {
      if (!present(doc, path)) return { path, problem: `${label} is missing` };
      const values = issue.values.map(String);
      const got = show(issue.input);
      if (values.length === 1) return { path, problem: `${label} must be ${values[0]}; got ${got}` };
      const guess = typeof issue.input === 'string' ? closestName(issue.input, values) : null;
      return { path, problem: `${label} must be one of ${values.join(', ')}; got ${got}${guess ? ` (did you mean '${guess}'?)` : ''}` };
    }
    case 'invalid_type': {
      if (!present(doc, path)) return { path, problem: `${label} is missing` };
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      const quoteHint = issue.expected === 'string' && issue.input !== null ? ' (put a name in quotes if it looks like a number)' : '';
      return { path, problem: `${label} must be ${expected}; got ${show(issue.input)}${quoteHint}` };
    }
    case 'too_small':
      return { path, problem: issue.origin === 'array' ? `${label} must list at least ${String(issue.minimum)}` : `${label} must not be empty` };
    default:
      return { path, problem: `${label}: ${issue.message}` };
  }
}

const EXPECTED: Partial<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  array: 'a list',
  object: 'a map of keys',
  boolean: 'true or false',
};

function labelOf(path: Path): string {
  if (path.length === 0) return 'the file';
  const last = path[path.length - 1];
  if (typeof last === 'number') return `${path.slice(0, -1).join('.')} entry ${last}`;
  return String(last);
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return String(value);
}

/** True when the file has a key/item at `path` (an issue about an absent key reads "missing"). */
function present(doc: Document, path: Path): boolean {
  return path.length === 0 || doc.hasIn(path);
}

/**
 * 1-based line of the key (or list item) at `path`; for a key that is absent, the
 * line of the deepest part of the path that exists.
 */
function lineOf(doc: Document, lines: LineCounter, path: Path): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return lines.linePos(offset).line;
}

/**
 * An unclosed quote swallows the rest of the file, so the parser reports the end of
 * the file; the useful line is where the quoted value began.
 */
function unclosedQuoteStart(doc: Document, errorOffset: number): number | null {
  let start: number | null = null;
  visit(doc, {
    Scalar(_key, node) {
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
      const [from, , to] = node.range ?? [0, 0, 0];
      if (quoted && from < errorOffset && errorOffset <= to) start = from;
    },
  });
  return start;
}

function rangeStart(node: unknown): number | undefined {
  if (isScalar(node) || isMap(node) || isSeq(node)) return node.range?.[0];
  return undefined;
}
