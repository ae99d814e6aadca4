/**
 * The commonest values of a first load written straight into COPY bytes (copy-bytes.ts),
 * with no string made for them: ISO timestamps as toISOString() writes them, REAL money
 * with few decimal places, and 32-bit integers. Each writer takes a value only where sqlite-to-pg.ts's codec
 * would accept it and give exactly these bytes, and leaves anything else to the codec (it
 * returns false, having written nothing), so rejects and their reasons stay the codec's.
 * On case a's reader thread the timestamps and money made half the strings it allocated.
 */
import type { PlannedColumn } from '../run-plan.js';
import type { SqliteValue } from './codec.js';
import type { CopyBytes } from './copy-bytes.js';
import { SCALE_POW10, fractionPlaces, integerPartFits, scaledInteger } from './decimal-text.js';
import { isIsoUtcMillis, isoMillisFractionEnd } from './time-convert.js';

/** Writes `v` as the column's codec would make it and returns true, or writes nothing and returns false. */
export type DirectWriter = (v: SqliteValue, out: CopyBytes) => boolean;

/** ' ', '+', '0', '.', '-' */
const SPACE = 32;
const PLUS = 43;
const ZERO = 48;
const DOT = 46;
const MINUS = 45;

/** sqlite-to-pg-time.ts timeCodec's isoUtcMillis fast path, as bytes. */
function isoTimestampWriter(zoned: boolean): DirectWriter {
  return (v, out) => {
    if (typeof v !== 'string' || !isIsoUtcMillis(v)) return false;
    out.ascii(v, 0, 10);
    out.byte(SPACE);
    out.ascii(v, 11, isoMillisFractionEnd(v));
    if (zoned) {
      out.byte(PLUS);
      out.byte(ZERO);
      out.byte(ZERO);
    }
    return true;
  };
}

/**
 * sqlite-to-pg-numbers.ts numericCodec's path for a REAL that scaledDecimalText can write (decimal-text.ts
 * scaledInteger: at most `scale` places, |v * 10^scale| below 2^31) and that fits the column,
 * as bytes: the same digits, trailing fraction zeros dropped, '0' for zero.
 */
function scaledRealWriter(precision: number | undefined, scale: number): DirectWriter | null {
  const p = SCALE_POW10[scale];
  if (p === undefined) return null;
  return (v, out) => {
    if (typeof v !== 'number') return false;
    const m = scaledInteger(v, scale);
    if (m === null) return false;
    if (m === 0) {
      out.byte(ZERO);
      return true;
    }
    const abs = m < 0 ? -m : m;
    const int = Math.floor(abs / p);
    if (!integerPartFits(int, precision, scale)) return false;
    if (m < 0) out.byte(MINUS);
    out.digits(int);
    const frac = abs - int * p;
    const places = fractionPlaces(frac, scale);
    if (places > 0) {
      out.byte(DOT);
      // frac ends in scale - places zeros, so the division is exact
      out.digits(frac / (SCALE_POW10[scale - places] as number), places);
    }
    return true;
  };
}

/** sqlite-to-pg-numbers.ts integerCodec's path for an INTEGER (BigInt) in range, as bytes, for values within 32 bits. */
function integerWriter(min: bigint, max: bigint): DirectWriter {
  const lo = min > -2147483648n ? min : -2147483648n;
  const hi = max < 2147483647n ? max : 2147483647n;
  return (v, out) => {
    if (typeof v !== 'bigint' || v < lo || v > hi) return false;
    out.integer(Number(v));
    return true;
  };
}

const INTEGER_RANGES: Partial<Record<string, [bigint, bigint]>> = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};

/** The direct writer for a column read from SQLite into PostgreSQL, or null where every value goes through the codec. */
export function directCopyWriter(col: PlannedColumn): DirectWriter | null {
  const t = col.pgType;
  if (t.array) return null;
  if (t.kind === 'timestamptz' || t.kind === 'timestamp') return isoTimestampWriter(t.kind === 'timestamptz');
  if (t.kind === 'numeric' && (t.scale ?? 0) >= 0) return scaledRealWriter(t.precision, t.scale ?? 0);
  const range = INTEGER_RANGES[t.kind];
  return range ? integerWriter(range[0], range[1]) : null;
}
