/**
 * SQLite values into PostgreSQL text, varchar(n), char(n), enum and json/jsonb columns
 * (part of sqlite-to-pg.ts's codec): any value as text, BLOBs only when they are UTF-8;
 * a NUL byte, text too long for the column, an unknown enum label or invalid JSON is
 * Rejected with its reason.
 */
import { TextDecoder } from 'node:util';
import type { CanonicalType } from '../../model/schema.js';
import type { PlannedColumn } from '../run-plan.js';
import { Rejected, type Codec, type PgText, type SqliteValue } from './codec.js';
import { describeValue, showValue, typeLabel } from './reason-text.js';

type ToPg = Codec<SqliteValue, PgText>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function blobText(b: Buffer): string | null {
  try {
    return utf8.decode(b);
  } catch {
    return null;
  }
}

/** Code points, not UTF-16 units: PostgreSQL counts characters. */
function charLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      n--;
      i++;
    }
  }
  return n;
}

/** Text of any SQLite value for a text-like column; null with a reason when it has none. */
function asText(v: Exclude<SqliteValue, null>, where: string): string | Rejected {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (Buffer.isBuffer(v)) {
    const decoded = blobText(v);
    if (decoded === null) return new Rejected(`${showValue(v)} that is not UTF-8 text in ${where}`);
    s = decoded;
  } else s = String(v);
  if (s.includes('\u0000')) return new Rejected(`NUL byte cannot be stored in PostgreSQL text (${where}): ${showValue(s)}`);
  return s;
}

/** The length limit of a varchar(n) or char(n) column, in characters; undefined: none (text, varchar without n). */
export function textLengthLimit(type: CanonicalType): number | undefined {
  return type.kind === 'varchar' || type.kind === 'char' ? type.length : undefined;
}

export function textCodec(col: PlannedColumn): ToPg {
  const where = `${typeLabel(col.pgType)} column ${col.pg}`;
  const limit = textLengthLimit(col.pgType);
  return (v) => {
    if (v === null) return null;
    const s = asText(v, where);
    if (s instanceof Rejected || limit === undefined || s.length <= limit) return s;
    // PostgreSQL drops excess trailing spaces silently and refuses anything else
    const n = charLength(s);
    if (n > limit && charLength(s.replace(/ +$/, '')) > limit) {
      return new Rejected(`text of ${n} characters is longer than ${where}: ${showValue(s)}`);
    }
    return s;
  };
}

export function enumCodec(col: PlannedColumn): ToPg {
  const text = textCodec(col);
  const labels = new Set(col.pgType.enumValues ?? []);
  if (labels.size === 0) return text;
  return (v) => {
    const s = text(v);
    if (typeof s !== 'string' || labels.has(s)) return s;
    return new Rejected(`${showValue(s)} is not a value of enum column ${col.pg} (${[...labels].join(', ')})`);
  };
}

/** A \u0000 escape that is not itself an escaped backslash: jsonb refuses it. */
const NUL_ESCAPE = /(^|[^\\])(\\\\)*\\u0000/;

export function jsonCodec(col: PlannedColumn): ToPg {
  const where = `${typeLabel(col.pgType)} column ${col.pg}`;
  const jsonb = col.pgType.kind === 'jsonb';
  return (v) => {
    if (v === null) return null;
    if (typeof v === 'number' && !Number.isFinite(v)) return new Rejected(`value ${v} is not JSON (${where})`);
    const s = asText(v, where);
    if (s instanceof Rejected) return s;
    try {
      JSON.parse(s);
    } catch {
      return new Rejected(`${describeValue(v)} is not valid JSON for ${where}`);
    }
    if (jsonb && s.includes('\\u0000') && NUL_ESCAPE.test(s)) return new Rejected(`\\u0000 cannot be stored in ${where}`);
    return s;
  };
}
