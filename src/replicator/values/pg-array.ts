/**
 * PostgreSQL arrays <-> JSON text, the way a SQLite app keeps a list in a TEXT column.
 * Both parsers keep number tokens as written, so int8 and numeric elements never pass
 * through a double. Element conversions come from the codecs (passed in), so an array
 * element is checked exactly like a scalar of its type.
 */
import type { CanonicalKind } from '../../model/schema.js';

/** A parsed array literal: element text, null for NULL, or a nested dimension. */
export type PgArray = (string | null | PgArray)[];

/** Why a text is not an array literal (callers add the column). */
export type ArrayProblem = string;

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

/** '{a,"b c",NULL,{1,2}}' -> ['a', 'b c', null, ['1', '2']]; explicit bounds ('[0:1]={...}') are refused. */
export function parsePgArray(text: string): PgArray | ArrayProblem {
  if (text.startsWith('[')) return 'an array with explicit bounds cannot be written as JSON';
  const state = { s: text, i: 0 };
  const parsed = parseLevel(state);
  if (typeof parsed === 'string') return parsed;
  while (isSpace(text[state.i])) state.i++;
  return state.i === text.length ? parsed : 'unexpected text after the array';
}

function parseLevel(st: { s: string; i: number }): PgArray | ArrayProblem {
  const { s } = st;
  while (isSpace(s[st.i])) st.i++;
  if (s[st.i] !== '{') return 'not an array literal';
  st.i++;
  const out: PgArray = [];
  while (isSpace(s[st.i])) st.i++;
  if (s[st.i] === '}') {
    st.i++;
    return out;
  }
  for (;;) {
    while (isSpace(s[st.i])) st.i++;
    const c = s[st.i];
    if (c === '{') {
      const inner = parseLevel(st);
      if (typeof inner === 'string') return inner;
      out.push(inner);
    } else if (c === '"') {
      let value = '';
      let from = ++st.i;
      for (;;) {
        const d = s[st.i];
        if (d === undefined) return 'unterminated quoted element';
        if (d === '"') break;
        if (d === '\\') {
          value += s.slice(from, st.i);
          from = ++st.i;
        }
        st.i++;
      }
      out.push(value + s.slice(from, st.i));
      st.i++;
    } else {
      let value = '';
      let escaped = false;
      let from = st.i;
      let lastKept = st.i; // end of the value without trailing whitespace
      for (;;) {
        const d = s[st.i];
        if (d === undefined) return 'unterminated array';
        if (d === ',' || d === '}') break;
        if (d === '{' || d === '"') return `unexpected ${d} in an element`;
        if (d === '\\') {
          value += s.slice(from, st.i);
          escaped = true;
          from = ++st.i;
          st.i++;
          lastKept = st.i;
          continue;
        }
        st.i++;
        if (!isSpace(d)) lastKept = st.i;
      }
      const raw = value + s.slice(from, Math.max(from, lastKept));
      if (raw === '' && !escaped) return 'empty unquoted element';
      out.push(!escaped && raw.toUpperCase() === 'NULL' ? null : raw);
    }
    while (isSpace(s[st.i])) st.i++;
    const sep = s[st.i];
    st.i++;
    if (sep === '}') return out;
    if (sep !== ',') return 'expected , or } in the array';
  }
}

/** How an element type is written in JSON. */
type JsonStyle = 'number' | 'boolean' | 'json' | 'string';
const JSON_STYLE: Partial<Record<CanonicalKind, JsonStyle>> = {
  smallint: 'number',
  integer: 'number',
  bigint: 'number',
  numeric: 'number',
  real: 'number',
  double: 'number',
  boolean: 'boolean',
  json: 'json',
  jsonb: 'json',
};
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

function elementJson(v: string | null, style: JsonStyle): string {
  if (v === null) return 'null';
  switch (style) {
    case 'number':
      return JSON_NUMBER.test(v) ? v : JSON.stringify(v); // NaN, Infinity stay strings
    case 'boolean':
      return v === 't' ? 'true' : v === 'f' ? 'false' : JSON.stringify(v);
    case 'json':
      return v;
    case 'string':
      return JSON.stringify(v);
  }
}

function arrayJson(a: PgArray, style: JsonStyle): string {
  let out = '[';
  for (let k = 0; k < a.length; k++) {
    const v = a[k] ?? null;
    if (k > 0) out += ',';
    out += Array.isArray(v) ? arrayJson(v, style) : elementJson(v, style);
  }
  return out + ']';
}

/** PostgreSQL array text -> JSON text: numbers stay numbers, booleans booleans, json elements embedded. */
export function pgArrayToJson(text: string, element: CanonicalKind): string | { problem: ArrayProblem } {
  const parsed = parsePgArray(text);
  if (typeof parsed === 'string') return { problem: parsed };
  return arrayJson(parsed, JSON_STYLE[element] ?? 'string');
}

/** A JSON value, parsed only as far as the array conversion needs: scalars and objects keep their text. */
export type JsonNode =
  | { t: 'array'; items: JsonNode[]; raw: string }
  | { t: 'string'; value: string; raw: string }
  | { t: 'number' | 'true' | 'false' | 'null' | 'object'; raw: string };

class JsonSyntax extends Error {}

/** JSON text -> nodes, numbers kept as written; null when the text is not JSON. */
export function parseJsonNodes(text: string): JsonNode | null {
  const st = { s: text, i: 0 };
  try {
    const node = jsonValue(st);
    skipWs(st);
    return st.i === text.length ? node : null;
  } catch (e) {
    if (e instanceof JsonSyntax) return null;
    throw e;
  }
}

function skipWs(st: { s: string; i: number }): void {
  while (st.s[st.i] === ' ' || st.s[st.i] === '\t' || st.s[st.i] === '\n' || st.s[st.i] === '\r') st.i++;
}

const JSON_NUMBER_AT = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const JSON_STRING_AT = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

function jsonValue(st: { s: string; i: number }): JsonNode {
  skipWs(st);
  const start = st.i;
  const c = st.s[st.i];
  if (c === '[' || c === '{') {
    const close = c === '[' ? ']' : '}';
    const items: JsonNode[] = [];
    st.i++;
    skipWs(st);
    if (st.s[st.i] === close) st.i++;
    else {
      for (;;) {
        if (c === '{') {
          const key = jsonValue(st);
          if (key.t !== 'string') throw new JsonSyntax();
          skipWs(st);
          if (st.s[st.i++] !== ':') throw new JsonSyntax();
        }
        items.push(jsonValue(st));
        skipWs(st);
        const sep = st.s[st.i++];
        if (sep === close) break;
        if (sep !== ',') throw new JsonSyntax();
      }
    }
    const raw = st.s.slice(start, st.i);
    return c === '[' ? { t: 'array', items, raw } : { t: 'object', raw };
  }
  if (c === '"') {
    JSON_STRING_AT.lastIndex = st.i;
    const m = JSON_STRING_AT.exec(st.s);
    if (!m) throw new JsonSyntax();
    st.i += m[0].length;
    return { t: 'string', value: JSON.parse(m[0]) as string, raw: m[0] };
  }
  for (const word of ['true', 'false', 'null'] as const) {
    if (st.s.startsWith(word, st.i)) {
      st.i += word.length;
      return { t: word, raw: word };
    }
  }
  JSON_NUMBER_AT.lastIndex = st.i;
  const m = JSON_NUMBER_AT.exec(st.s);
  if (!m) throw new JsonSyntax();
  st.i += m[0].length;
  return { t: 'number', raw: m[0] };
}

/** One element's PostgreSQL text (null for NULL), or why it cannot be stored. */
export type ElementConverter = (node: JsonNode) => string | null | { problem: string };

/** Every sibling sub-array must have the same shape, or PostgreSQL refuses the whole array. */
function shapeOf(node: JsonNode): string | null {
  if (node.t !== 'array') return '';
  if (node.items.every((n) => n.t !== 'array')) return String(node.items.length);
  const shapes = node.items.map(shapeOf);
  const first = shapes[0];
  if (first === null || first === '' || first === undefined || shapes.some((x) => x !== first)) return null;
  return `${node.items.length}x${first}`;
}

const quoteElement = (v: string): string => '"' + v.replace(/["\\]/g, '\\$&') + '"';

function renderLevel(node: JsonNode & { t: 'array' }, convert: ElementConverter, nested: boolean): string | { problem: string } {
  let out = '{';
  for (let k = 0; k < node.items.length; k++) {
    const item = node.items[k];
    if (!item) continue;
    if (k > 0) out += ',';
    if (item.t === 'array' && nested) {
      const inner = renderLevel(item, convert, true);
      if (typeof inner !== 'string') return inner;
      out += inner;
      continue;
    }
    const v = convert(item);
    if (v !== null && typeof v === 'object') return v;
    out += v === null ? 'NULL' : quoteElement(v);
  }
  return out + '}';
}

/**
 * JSON array text (or an array literal the app stored as is) -> PostgreSQL array text.
 * `nested`: whether sub-arrays are dimensions (false for json[]: they are element values).
 */
export function jsonToPgArray(text: string, convert: ElementConverter, nested: boolean): string | { problem: string } {
  const node = parseJsonNodes(text);
  if (node === null) {
    if (!text.trimStart().startsWith('{')) return { problem: 'not JSON' };
    const literal = parsePgArray(text);
    if (typeof literal === 'string') return { problem: `neither JSON nor an array literal (${literal})` };
    return jsonToPgArray(literalJson(literal), convert, nested);
  }
  if (node.t !== 'array') return { problem: 'not a JSON array' };
  if (nested && shapeOf(node) === null) return { problem: 'sub-arrays of different lengths (PostgreSQL arrays are rectangular)' };
  return renderLevel(node, convert, nested);
}

/** An array literal's elements as JSON strings, for the literal fallback above. */
function literalJson(a: PgArray): string {
  return arrayJson(a, 'string');
}
