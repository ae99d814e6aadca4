/**
 * SQLite values into PostgreSQL timestamp, timestamptz and date columns (part of
 * sqlite-to-pg.ts's codec): date/time text in the formats SQLite apps write, or epoch
 * numbers where the column is kept as such; what PostgreSQL would misread or cut is
 * Rejected with its reason.
 */
import type { PlannedColumn } from '../run-plan.js';
import { Rejected, type Codec, type PgText, type SqliteValue } from './codec.js';
import { parseDecimal } from './decimal-text.js';
import { describeValue, showValue } from './reason-text.js';
import { isoUtcMillis, pgTimestampText, pgTimestampTextFrom, type PgTimeKind } from './time-convert.js';
import { guessEpochUnit, parseTimestampText, timestampFromEpoch, type EpochUnit, type Timestamp } from './timestamp-parse.js';

type ToPg = Codec<SqliteValue, PgText>;

/**
 * A date column's value as PostgreSQL date text: PostgreSQL would drop a time of day (and
 * ignore an offset) silently, so only midnight, naive or in UTC, is the date; `epoch`: the
 * value was a number of that unit.
 */
function dateText(v: SqliteValue, ts: Timestamp, where: string, epoch: EpochUnit | null): PgText | Rejected {
  const midnight = ts.hour === 0 && ts.minute === 0 && ts.second === 0 && ts.micro === 0;
  if (!ts.hasTime || (midnight && (ts.offset === null || ts.offset === 0))) return pgTimestampText(ts, 'date');
  const instant = epoch ? `, which is ${pgTimestampText(ts, 'timestamptz')} as epoch ${epoch === 's' ? 'seconds' : 'milliseconds'}` : '';
  return new Rejected(`PostgreSQL date has no time of day; got ${showValue(v)}${instant} in ${where}`);
}

export function timeCodec(col: PlannedColumn, kind: PgTimeKind): ToPg {
  const format = col.sqliteFormat;
  const epochFormat = format === 'epoch-s' ? 's' : format === 'epoch-ms' ? 'ms' : null;
  const where = `${kind} column ${col.pg}`;
  const date = kind === 'date';
  return (v) => {
    if (v === null) return null;
    let ts: Timestamp | string;
    let epoch: EpochUnit | null = null;
    if (typeof v === 'string') {
      const fast = date ? null : isoUtcMillis(v, kind === 'timestamptz');
      if (fast !== null) return fast;
      ts = parseTimestampText(v);
      if (typeof ts !== 'string') return date ? dateText(v, ts, where, null) : pgTimestampTextFrom(v, ts, kind);
      const word = v.trim().toLowerCase();
      if (word === 'infinity' || word === '-infinity') return word;
      if (epochFormat && parseDecimal(v)) ts = timestampFromEpoch(v.trim(), (epoch = epochFormat));
    } else if (typeof v === 'bigint' || typeof v === 'number') {
      // a number is a date or time only in a column kept as epoch numbers; in one kept as text its unit is a guess
      // (19000: days? seconds?). A timestamp column never profiled (no format) still reads it by its size
      if (!epochFormat && (date || format !== null)) {
        return new Rejected(`value ${showValue(v)} is not a ${kind}: ${where} is kept in SQLite as ${format ?? 'date'} text, not as epoch seconds or milliseconds`);
      }
      ts = timestampFromEpoch(v, (epoch = epochFormat ?? guessEpochUnit(v)));
    } else {
      return new Rejected(`${describeValue(v)} is not a ${kind} (${where})`);
    }
    if (typeof ts === 'string') return new Rejected(`${describeValue(v)} is not a ${kind} (${ts}) for ${where}`);
    return date ? dateText(v, ts, where, epoch) : pgTimestampText(ts, kind);
  };
}
