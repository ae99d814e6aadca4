/**
 * A timestamp keeps its instant, to the microsecond, on the way to SQLite and back: written
 * in the text or number format the SQLite column already uses (SQLite compares them as
 * text), read back from whatever format a value turns up in, and rejected with the reason
 * where SQLite's format cannot hold it (infinity, BC dates, years past 9999).
 */
import { describe, expect, it } from 'vitest';
import type { PlannedColumn } from '../src/replicator/run-plan.js';
import { Rejected, type SqliteValue } from '../src/replicator/values/codec.js';
import { TIME_FORMATS, type TimeFormat } from '../src/replicator/values/time-format.js';
import { pgTimestampTextFrom } from '../src/replicator/values/time-convert.js';
import { parseTimestampText } from '../src/replicator/values/timestamp-parse.js';
import { column, reason, toPg, toSqlite } from './harness/conversion.js';

/** a timestamptz column kept in SQLite in `format` */
const tz = (format: TimeFormat | null): PlannedColumn => column('timestamptz', 'timestamptz', format);

describe('timestamps into the SQLite column format', () => {
  it.each<[TimeFormat | null, string, SqliteValue]>([
    ['iso-t-z', '2025-11-05 10:15:30.123456+00', '2025-11-05T10:15:30.123456Z'],
    ['iso-t-z', '2025-11-05 10:15:30.123+00', '2025-11-05T10:15:30.123Z'],
    ['iso-t-z', '2025-11-05 10:15:30+00', '2025-11-05T10:15:30.000Z'],
    [null, '2025-11-05 10:15:30.1+00', '2025-11-05T10:15:30.100Z'],
    ['iso-t-z', '2025-11-05 10:15:30.1+05:30', '2025-11-05T04:45:30.100Z'],
    ['iso-t-z', '2025-01-01 01:00:00+05', '2024-12-31T20:00:00.000Z'],
    ['iso-t-z', '2024-02-29 23:30:00-01', '2024-03-01T00:30:00.000Z'],
    ['iso-t-z', '1850-06-01 12:00:00+00:01:15', '1850-06-01T11:58:45.000Z'],
    ['iso-t-offset', '2025-11-05 10:15:30.1+05:30', '2025-11-05T10:15:30.100+05:30'],
    ['iso-t-offset', '2025-11-05 10:15:30+00', '2025-11-05T10:15:30.000+00:00'],
    ['iso-space', '2025-11-05 10:15:30+00', '2025-11-05 10:15:30'],
    ['iso-space', '2025-11-05 10:15:30.5+00', '2025-11-05 10:15:30.500'],
    ['iso-space', '2025-11-05 10:15:30.000001+00', '2025-11-05 10:15:30.000001'],
    ['iso-t-naive', '2025-11-05 12:15:30+02', '2025-11-05T10:15:30.000'],
    ['epoch-s', '2025-11-05 10:15:30+00', 1762337730n],
    ['epoch-s', '2025-11-05 10:15:30.25+00', 1762337730.25],
    ['epoch-s', '2025-11-05 10:15:30.123456+00', 1762337730.123456],
    ['epoch-s', '1969-12-31 23:59:59.5+00', -0.5],
    ['epoch-ms', '2025-11-05 10:15:30.123+00', 1762337730123n],
    ['epoch-ms', '2025-11-05 10:15:30.123456+00', 1762337730123.456],
    ['epoch-ms', '1969-12-31 23:59:59.5+00', -500n],
    ['date', '2025-11-05 00:00:00+00', '2025-11-05'],
  ])('%s: %s', (format, input, expected) => {
    expect(toSqlite(tz(format), input)).toStrictEqual(expected);
  });

  it('a timestamp without time zone keeps its digits whatever the format', () => {
    const ts = (format: TimeFormat): PlannedColumn => column('timestamp', 'timestamp', format);
    expect(toSqlite(ts('iso-space'), '2025-11-05 10:15:30.5')).toBe('2025-11-05 10:15:30.500');
    expect(toSqlite(ts('iso-t-z'), '2025-11-05 10:15:30')).toBe('2025-11-05T10:15:30.000Z');
    expect(toSqlite(ts('iso-t-naive'), '2025-11-05 10:15:30.123456')).toBe('2025-11-05T10:15:30.123456');
    expect(toSqlite(ts('epoch-s'), '2025-11-05 10:15:30')).toBe(1762337730n);
  });

  it('a date is YYYY-MM-DD, or the column format when it keeps dates another way', () => {
    expect(toSqlite(column('date', 'date'), '2025-11-05')).toBe('2025-11-05');
    expect(toSqlite(column('date', 'date', 'date'), '0099-01-01')).toBe('0099-01-01');
    expect(toSqlite(column('date', 'integer', 'epoch-s'), '2025-11-05')).toBe(1762300800n);
    expect(toSqlite(column('date', 'timestamp', 'iso-t-z'), '2025-11-05')).toBe('2025-11-05T00:00:00.000Z');
  });

  it('infinity, BC dates and years past 9999 are rejected with the reason', () => {
    expect(reason(toSqlite(tz('iso-t-z'), 'infinity'))).toMatch(/'infinity' has no iso-t-z form for SQLite column qty/);
    expect(reason(toSqlite(column('date', 'date'), '-infinity'))).toMatch(/-infinity/);
    expect(reason(toSqlite(tz('iso-t-z'), '0044-03-15 12:00:00+00 BC'))).toMatch(/BC date/);
    expect(reason(toSqlite(column('date', 'date'), '0044-03-15 BC'))).toMatch(/BC date/);
    expect(reason(toSqlite(tz('iso-t-z'), '10000-01-01 00:00:00+00'))).toMatch(/year 10000/);
    expect(reason(toSqlite(tz('epoch-s'), '9999-12-31 23:59:59.999999+00'))).toMatch(/REAL cannot hold/);
  });
});

describe('timestamps from SQLite, whatever format they turn up in', () => {
  it.each<[TimeFormat | null, SqliteValue, string]>([
    ['iso-t-z', '2025-11-05T10:15:30.123Z', '2025-11-05 10:15:30.123+00'],
    ['iso-t-z', '2025-11-05T10:15:30.123456Z', '2025-11-05 10:15:30.123456+00'],
    ['iso-t-z', '2025-11-05T10:15:30.1234560Z', '2025-11-05 10:15:30.123456+00'],
    ['iso-space', '2025-11-05 10:15:30', '2025-11-05 10:15:30+00'],
    ['iso-t-offset', '2025-11-05T10:15:30+05:30', '2025-11-05 10:15:30+05:30'],
    ['iso-t-offset', '2025-11-05T10:15:30-0800', '2025-11-05 10:15:30-08'],
    ['iso-t-naive', '2025-11-05T10:15', '2025-11-05 10:15:00+00'],
    ['epoch-s', 1762337730n, '2025-11-05 10:15:30+00'],
    ['epoch-s', 1762337730.25, '2025-11-05 10:15:30.25+00'],
    ['epoch-s', '1762337730', '2025-11-05 10:15:30+00'],
    ['epoch-s', -1n, '1969-12-31 23:59:59+00'],
    ['epoch-ms', 1762337730123n, '2025-11-05 10:15:30.123+00'],
    ['epoch-ms', 1762337730123.456, '2025-11-05 10:15:30.123456+00'],
    // a value that does not match the column's format is read by its own shape
    ['iso-t-z', '2025-11-05 10:15:30', '2025-11-05 10:15:30+00'],
    [null, 1762337730n, '2025-11-05 10:15:30+00'],
    [null, '2025-11-05', '2025-11-05 00:00:00+00'],
    [null, 'infinity', 'infinity'],
  ])('%s: %s', (format, input, expected) => {
    expect(toPg(tz(format), input)).toBe(expected);
  });

  it.each<[TimeFormat, SqliteValue]>([
    ['iso-space', 1762337730123n],
    ['iso-t-z', 1762337730],
    ['iso-t-naive', 19000n],
  ])('a number in a column kept as %s text is rejected: its unit would be a guess (%s)', (format, input) => {
    expect(reason(toPg(tz(format), input))).toBe(`value ${String(input)} is not a timestamptz: timestamptz column qty is kept in SQLite as ${format} text, not as epoch seconds or milliseconds`);
  });

  it("toISOString()'s shape gives exactly what the full parse gives, and leaves anything doubtful to it", () => {
    const inputs: string[] = [];
    for (const date of ['2024-02-29', '2023-02-29', '2025-12-31', '2025-13-01', '2025-00-10', '2025-04-31', '0000-01-01', '0001-01-01', '9999-12-31'])
      for (const time of ['00:00:00.000', '23:59:59.999', '10:15:30.100', '10:15:30.010', '10:15:30.001', '10:15:30.120', '24:00:00.000', '10:60:00.000', '10:15:60.000'])
        inputs.push(`${date}T${time}Z`);
    inputs.push('2025-11-05t10:15:30.123Z', '2025-11-05T10:15:30.123z', '2025-11-05T10:15:30,123Z', '2025-11-05T1a:15:30.123Z', ' 2025-11-05T10:15:30.12Z');
    for (const kind of ['timestamptz', 'timestamp'] as const) {
      const c = column(kind, kind, 'iso-t-z');
      for (const input of inputs) {
        const parsed = parseTimestampText(input);
        const full = typeof parsed === 'string' ? null : pgTimestampTextFrom(input, parsed, kind);
        const got = toPg(c, input);
        if (full === null) expect(reason(got), input).toMatch(/is not a/);
        else expect(got, input).toBe(full);
      }
    }
  });

  it('timestamp without time zone stays naive; a zoned value is read in UTC', () => {
    const ts = column('timestamp', 'timestamp', 'iso-t-z');
    expect(toPg(ts, '2025-11-05T10:15:30.500Z')).toBe('2025-11-05 10:15:30.5');
    expect(toPg(ts, '2025-11-05T10:15:30+02:00')).toBe('2025-11-05 08:15:30');
    expect(toPg(ts, '2025-11-05 10:15:30')).toBe('2025-11-05 10:15:30');
  });

  it('a date keeps the written date', () => {
    expect(toPg(column('date', 'date', 'date'), '2025-11-05')).toBe('2025-11-05');
    expect(toPg(column('date', 'date', 'iso-t-z'), '2025-11-05T00:00:00.000Z')).toBe('2025-11-05');
    expect(toPg(column('date', 'integer', 'epoch-s'), 1762300800n)).toBe('2025-11-05');
  });

  it('a date with a time of day at midnight, naive or in UTC, is that date', () => {
    for (const v of ['2025-11-05 00:00:00', '2025-11-05T00:00:00.000Z', '2025-11-05T00:00:00+00:00', '2025-11-05T00:00:00.000']) {
      expect(toPg(column('date', 'date', 'date'), v), v).toBe('2025-11-05');
    }
    expect(toPg(column('date', 'date', 'epoch-s'), '1762300800')).toBe('2025-11-05');
    expect(toPg(column('date', 'date', 'epoch-ms'), 1762300800000n)).toBe('2025-11-05');
  });

  it.each<[SqliteValue, TimeFormat, string]>([
    ['2025-11-05 23:30:00', 'date', "PostgreSQL date has no time of day; got '2025-11-05 23:30:00' in date column qty"],
    ['2025-11-05T00:00:00-05:00', 'iso-t-offset', "PostgreSQL date has no time of day; got '2025-11-05T00:00:00-05:00' in date column qty"],
    ['2025-11-05 24:00:00', 'iso-space', "PostgreSQL date has no time of day; got '2025-11-05 24:00:00' in date column qty"],
    ['2025-11-05T00:00:00.000001Z', 'iso-t-z', "PostgreSQL date has no time of day; got '2025-11-05T00:00:00.000001Z' in date column qty"],
    [19000n, 'date', 'value 19000 is not a date: date column qty is kept in SQLite as date text, not as epoch seconds or milliseconds'],
    [1762300800, 'iso-t-z', 'value 1762300800 is not a date: date column qty is kept in SQLite as iso-t-z text, not as epoch seconds or milliseconds'],
    [1762300800.5, 'epoch-s', 'PostgreSQL date has no time of day; got 1762300800.5, which is 2025-11-05 00:00:00.5+00 as epoch seconds in date column qty'],
    [1762300801000n, 'epoch-ms', 'PostgreSQL date has no time of day; got 1762300801000, which is 2025-11-05 00:00:01+00 as epoch milliseconds in date column qty'],
  ])('a date column rejects %s (format %s)', (input, format, why) => {
    expect(reason(toPg(column('date', 'date', format), input))).toBe(why);
  });

  it.each(TIME_FORMATS)('a date written to a SQLite column kept as %s reads back as the same date', (format) => {
    const c = column('date', 'date', format);
    for (const day of ['2025-11-05', '2024-02-29', '0099-01-01']) {
      const stored = toSqlite(c, day);
      expect(stored, day).not.toBeInstanceOf(Rejected);
      expect(toPg(c, stored as SqliteValue), `${day} as ${String(stored)}`).toBe(day);
    }
  });

  it.each<[SqliteValue, RegExp]>([
    ['garbage', /text 'garbage' is not a timestamptz \(not a date\) for timestamptz column qty/],
    ['2025-02-30T00:00:00Z', /day 30 out of range/],
    ['2025-11-05T25:00:00Z', /time of day out of range/],
    ['2025-11-05T10:15:30.1234567Z', /finer than a microsecond/],
    ['1762337730', /not a date/],
    [Buffer.from([1]), /BLOB/],
  ])('rejects %s', (input, why) => {
    expect(reason(toPg(tz('iso-t-z'), input))).toMatch(why);
  });
});
