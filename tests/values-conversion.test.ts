/**
 * Every value a point-of-sale app keeps crosses between PostgreSQL's text and SQLite's
 * native values without changing: int8 beyond 2^53, numeric scale, JSON, arrays, bytes, and
 * timestamps through each SQLite format and back (timestamp-conversion.test.ts: each way). A value the target
 * cannot hold faithfully is rejected with a reason a user can act on, never rounded.
 */
import { describe, expect, it } from 'vitest';
import type { CanonicalType } from '../src/model/schema.js';
import { Rejected, type PgText, type SqliteValue } from '../src/replicator/values/codec.js';
import { encodeCopyRow } from '../src/replicator/values/copy-text.js';
import { rawTextTypes } from '../src/replicator/values/pg-raw-types.js';
import { scaledDecimalText } from '../src/replicator/values/decimal-text.js';
import type { TimeFormat } from '../src/replicator/values/time-format.js';
import { formatForSqlite, pgTimestampText, pgTimestampTextFrom, pgUtcTextToIso } from '../src/replicator/values/time-convert.js';
import { parseTimestampText, type Timestamp } from '../src/replicator/values/timestamp-parse.js';
import { column, numeric, reason, toPg, toSqlite, type TypeSpec } from './harness/conversion.js';

describe('PostgreSQL text -> SQLite values', () => {
  it.each<[string, TypeSpec, TypeSpec, PgText, SqliteValue]>([
    ['integer as BigInt', 'integer', 'integer', '42', 42n],
    ['2^53+1 stays exact', 'bigint', 'bigint', '9007199254740993', 9007199254740993n],
    ['smallest bigint', 'bigint', 'bigint', '-9223372036854775808', -9223372036854775808n],
    ['integer into a TEXT column as its text', 'integer', 'text', '-7', '-7'],
    ['numeric into TEXT keeps its scale', numeric(12, 2), 'text', '12.10', '12.10'],
    ['numeric into NUMERIC(12,2) is bound as text', numeric(12, 2), numeric(12, 2), '12.10', '12.10'],
    ['numeric into REAL is a number', numeric(12, 2), 'double', '12.10', 12.1],
    ['numeric NaN into TEXT', numeric(), 'text', 'NaN', 'NaN'],
    ['double', 'double', 'double', '0.1', 0.1],
    ['double Infinity', 'double', 'double', 'Infinity', Infinity],
    ['double -Infinity', 'double', 'double', '-Infinity', -Infinity],
    ['double NaN stays the text NaN (SQLite would store NULL)', 'double', 'double', 'NaN', 'NaN'],
    ['largest double', 'double', 'double', '1.7976931348623157e+308', Number.MAX_VALUE],
    ['boolean true', 'boolean', 'boolean', 't', 1n],
    ['boolean false', 'boolean', 'integer', 'f', 0n],
    ['json as is', 'json', 'text', '{"b": 1, "a": [1, 2.50]}', '{"b": 1, "a": [1, 2.50]}'],
    ['uuid as text', 'uuid', 'text', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    ['enum as text', 'enum', 'text', 'open', 'open'],
    ['text with tabs, quotes and newlines', 'text', 'text', 'it\'s "x"\t\n\\', 'it\'s "x"\t\n\\'],
    ['time as text', 'time', 'text', '10:15:30.123456', '10:15:30.123456'],
    ['interval as text', 'interval', 'text', '1 day 02:00:00', '1 day 02:00:00'],
    ['NULL stays NULL', 'integer', 'integer', null, null],
    ['empty text is not NULL', 'text', 'text', '', ''],
  ])('%s', (_name, pg, sqlite, input, expected) => {
    expect(toSqlite(column(pg, sqlite), input)).toStrictEqual(expected);
  });

  it('bytea hex and escape forms become the same bytes', () => {
    expect(toSqlite(column('bytea', 'bytea'), '\\x00ff10')).toStrictEqual(Buffer.from([0, 255, 16]));
    expect(toSqlite(column('bytea', 'bytea'), 'a\\\\b\\001')).toStrictEqual(Buffer.from([97, 92, 98, 1]));
    expect(toSqlite(column('bytea', 'bytea'), '\\x')).toStrictEqual(Buffer.alloc(0));
  });

  it('numeric NaN into a numeric SQLite column is rejected: SQLite has no NaN', () => {
    expect(reason(toSqlite(column(numeric(), numeric(12, 2)), 'NaN'))).toMatch(/NaN cannot be stored in SQLite numeric column qty/);
    expect(reason(toSqlite(column(numeric(), 'double'), 'NaN'))).toMatch(/NaN/);
  });

  it.each<[string, CanonicalType, string, string]>([
    ['text[] with NULL, quotes, backslashes and an empty string', { kind: 'text', array: true }, '{a,"b c",NULL,"x\\"y","back\\\\slash","","NULL"}', '["a","b c",null,"x\\"y","back\\\\slash","","NULL"]'],
    ['nested int4[] with NULL', { kind: 'integer', array: true }, '{{1,2},{3,NULL}}', '[[1,2],[3,null]]'],
    ['int8[] beyond 2^53 keeps its digits', { kind: 'bigint', array: true }, '{9007199254740993,-1}', '[9007199254740993,-1]'],
    ['numeric[] keeps scale; NaN is a string', { kind: 'numeric', array: true }, '{1.50,NaN}', '[1.50,"NaN"]'],
    ['boolean[]', { kind: 'boolean', array: true }, '{t,f,NULL}', '[true,false,null]'],
    ['jsonb[] elements are embedded', { kind: 'jsonb', array: true }, '{"{\\"a\\": 1}","[1, 2]"}', '[{"a": 1},[1, 2]]'],
    ['date[] as strings', { kind: 'date', array: true }, '{2025-11-05,NULL}', '["2025-11-05",null]'],
    ['empty array', { kind: 'text', array: true }, '{}', '[]'],
    ['unicode', { kind: 'text', array: true }, '{ünï,"😀 x"}', '["ünï","😀 x"]'],
  ])('array: %s', (_name, pgType, input, json) => {
    const out = toSqlite(column(pgType, 'text'), input);
    expect(out).toBe(json);
    expect(typeof out === 'string' && JSON.parse(out)).toBeTruthy();
  });

  it('an array with explicit bounds is rejected rather than shifted', () => {
    expect(reason(toSqlite(column({ kind: 'integer', array: true }, 'text'), '[0:1]={1,2}'))).toMatch(/explicit bounds/);
  });
});

describe('SQLite values -> PostgreSQL text', () => {
  it.each<[string, TypeSpec, SqliteValue, PgText]>([
    ['integer', 'integer', 42n, '42'],
    ['2^53+1 as bigint survives', 'bigint', 9007199254740993n, '9007199254740993'],
    ['largest bigint', 'bigint', 9223372036854775807n, '9223372036854775807'],
    ['a REAL without fraction in an integer column', 'integer', 5, '5'],
    ['numeric text in an integer column', 'integer', ' 12 ', '12'],
    ['numeric(12,2) keeps the written scale', numeric(12, 2), '12.10', '12.10'],
    ['numeric(12,2) trailing zeros beyond the scale are not loss', numeric(12, 2), '12.300', '12.300'],
    ['numeric(12,2) from REAL', numeric(12, 2), 12.1, '12.1'],
    ['numeric(12,2) largest', numeric(12, 2), '-9999999999.99', '-9999999999.99'],
    ['numeric(12,2) from INTEGER', numeric(12, 2), 99n, '99'],
    ['numeric(20,6) exact text', numeric(20, 6), '12345678901234.123456', '12345678901234.123456'],
    ['numeric NaN', numeric(12, 2), 'NaN', 'NaN'],
    ['unconstrained numeric from a tiny REAL', numeric(), 1e-7, '0.0000001'],
    ['unconstrained numeric Infinity', numeric(), Infinity, 'Infinity'],
    ['double shortest round trip', 'double', 0.1, '0.1'],
    ['double Infinity', 'double', Infinity, 'Infinity'],
    ['double -Infinity', 'double', -Infinity, '-Infinity'],
    ['double NaN text', 'double', 'NaN', 'NaN'],
    ['double negative zero', 'double', -0, '-0'],
    ['double from INTEGER', 'double', 5n, '5'],
    ['double from numeric text', 'double', '1.5e3', '1.5e3'],
    ['real smallest normal', 'real', 1.1754943508222875e-38, '1.1754943508222875e-38'],
    ['boolean 1', 'boolean', 1n, 't'],
    ['boolean 0', 'boolean', 0n, 'f'],
    ['boolean REAL 1', 'boolean', 1, 't'],
    ["boolean 'true'", 'boolean', 'true', 't'],
    ["boolean 'f'", 'boolean', 'f', 'f'],
    ["boolean '0'", 'boolean', '0', 'f'],
    ['text as is', 'text', 'it\'s "x"\t\n\\', 'it\'s "x"\t\n\\'],
    ['a number in a text column', 'text', 42n, '42'],
    ['varchar(5) at its length in characters', { kind: 'varchar', length: 5 }, 'ab😀de', 'ab😀de'],
    ['varchar(5) with excess trailing spaces', { kind: 'varchar', length: 5 }, 'abcde   ', 'abcde   '],
    ['UTF-8 BLOB in a text column', 'text', Buffer.from('héllo'), 'héllo'],
    ['json', 'json', '{"b": 1, "a": [1, 2.50]}', '{"b": 1, "a": [1, 2.50]}'],
    ['json number stored as INTEGER by SQLite', 'jsonb', 123n, '123'],
    ['json keeps a \\u0000 escape', 'json', '"\\u0000"', '"\\u0000"'],
    ['uuid', 'uuid', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'],
    ['uuid from a 16-byte BLOB', 'uuid', Buffer.from('a0eebc999c0b4ef8bb6d6bb9bd380a11', 'hex'), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    ['enum label', { kind: 'enum', enumValues: ['open', 'paid'] }, 'paid', 'paid'],
    ['bytea from BLOB', 'bytea', Buffer.from([0, 255, 16]), '\\x00ff10'],
    ['bytea from text: its UTF-8 bytes', 'bytea', 'hé', '\\x68c3a9'],
    ['NULL stays NULL', 'text', null, null],
    ['empty text is not NULL', 'text', '', ''],
  ])('%s', (_name, pg, input, expected) => {
    expect(toPg(column(pg, 'text'), input)).toBe(expected);
  });

  it.each<[string, TypeSpec, SqliteValue, RegExp]>([
    ['text in an integer column', 'integer', 'abc', /^text 'abc' in integer column qty$/],
    ['out of range for integer', 'integer', 3000000000n, /^value 3000000000 out of range for integer column qty$/],
    ['out of range for smallint', 'smallint', 40000n, /out of range for smallint column qty/],
    ['a REAL with a fraction in an integer column', 'integer', 1.5, /fractional value 1.5 in integer column qty/],
    ['a decimal text with a fraction in an integer column', 'bigint', '7.25', /fractional value '7.25'/],
    ['a BLOB in an integer column', 'integer', Buffer.from([1]), /1-byte BLOB in integer column qty/],
    ['numeric with more decimals than its scale', numeric(12, 2), 12.345, /12.345 has more than 2 decimal places for numeric\(12,2\) column qty/],
    ['numeric text with more decimals than its scale', numeric(12, 2), '12.345', /more than 2 decimal places/],
    ['0.1 + 0.2 is not 0.30', numeric(12, 2), 0.1 + 0.2, /more than 2 decimal places/],
    ['numeric with too many integer digits', numeric(12, 2), '12345678901.5', /out of range for numeric\(12,2\)/],
    ['numeric Infinity into numeric(p,s)', numeric(12, 2), Infinity, /Infinity does not fit numeric\(12,2\)/],
    ['text in a numeric column', numeric(12, 2), 'twelve', /text 'twelve' in numeric\(12,2\) column qty/],
    ['text in a double column', 'double', 'abc', /text 'abc' in double precision column qty/],
    ['beyond float4', 'real', 1e39, /out of range for real column qty/],
    ['float4 underflow', 'real', 1e-50, /out of range for real column qty/],
    ['double overflow from text', 'double', '1e400', /out of range/],
    ['boolean 2', 'boolean', 2n, /value 2 in boolean column qty/],
    ['boolean text', 'boolean', 'maybe', /text 'maybe' in boolean column/],
    ['NUL byte in text', 'text', 'a\u0000b', /NUL byte cannot be stored in PostgreSQL text/],
    ['NUL byte in a BLOB bound for text', 'text', Buffer.from([97, 0]), /NUL byte/],
    ['BLOB that is not UTF-8', 'text', Buffer.from([0xff, 0xfe]), /not UTF-8/],
    ['varchar(5) too long', { kind: 'varchar', length: 5 }, 'abcdef', /6 characters is longer than varchar\(5\) column qty/],
    ['char(2) too long', { kind: 'char', length: 2 }, 'abc', /longer than char\(2\)/],
    ['invalid json', 'json', '{a: 1}', /not valid JSON for json column qty/],
    ['json NaN', 'json', NaN, /not JSON/],
    ['jsonb refuses \\u0000', 'jsonb', '{"a": "\\u0000"}', /\\u0000 cannot be stored in jsonb/],
    ['not a uuid', 'uuid', 'not-a-uuid', /text 'not-a-uuid' is not a uuid/],
    ['a uuid with a letter past f', 'uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g', /is not a uuid/],
    ['a uuid with a dash out of place', 'uuid', 'a0eebc999-c0b-4ef8-bb6d-6bb9bd380a11', /is not a uuid/],
    ['a uuid one digit long', 'uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a110', /is not a uuid/],
    ['a label the enum lacks', { kind: 'enum', enumValues: ['open', 'paid'] }, 'void', /'void' is not a value of enum column qty \(open, paid\)/],
  ])('rejects %s', (_name, pg, input, why) => {
    expect(reason(toPg(column(pg, 'text'), input))).toMatch(why);
  });

  it('doubles read back exactly from their shortest text', () => {
    const values = [0.1, 1 / 3, Math.PI, 5e-324, Number.MAX_VALUE, -2.5e-300, 123456789.12345679, 2 ** 53 + 2];
    for (const v of values) expect(Number(toPg(column('double', 'double'), v))).toBe(v);
  });
});

describe('arrays from JSON text', () => {
  it.each<[string, CanonicalType, string, string]>([
    ['text[] with NULL and quotes', { kind: 'text', array: true }, '["a","b c",null,"x\\"y","back\\\\slash",""]', '{"a","b c",NULL,"x\\"y","back\\\\slash",""}'],
    ['nested int4[] with NULL', { kind: 'integer', array: true }, '[[1,2],[3,null]]', '{{"1","2"},{"3",NULL}}'],
    ['int8[] beyond 2^53', { kind: 'bigint', array: true }, '[9007199254740993]', '{"9007199254740993"}'],
    ['numeric[] keeps scale', { kind: 'numeric', array: true }, '[1.50, "NaN"]', '{"1.50","NaN"}'],
    ['boolean[]', { kind: 'boolean', array: true }, '[true,false]', '{"t","f"}'],
    ['jsonb[] elements are JSON values', { kind: 'jsonb', array: true }, '[{"a":1},[1,2],"s",null]', '{"{\\"a\\":1}","[1,2]","\\"s\\"",NULL}'],
    ['text[] keeps numbers as written', { kind: 'text', array: true }, '[1.50, true]', '{"1.50","true"}'],
    ['an array literal stored as is', { kind: 'text', array: true }, '{a,"b c"}', '{"a","b c"}'],
    ['empty', { kind: 'integer', array: true }, '[]', '{}'],
    ['timestamptz[] elements converted', { kind: 'timestamptz', array: true }, '["2025-11-05T10:15:30.123Z"]', '{"2025-11-05 10:15:30.123+00"}'],
  ])('%s', (_name, pgType, input, literal) => {
    expect(toPg(column(pgType, 'text'), input)).toBe(literal);
  });

  it.each<[string, CanonicalType, SqliteValue, RegExp]>([
    ['ragged sub-arrays', { kind: 'integer', array: true }, '[[1],[2,3]]', /sub-arrays of different lengths/],
    ['text element in int4[]', { kind: 'integer', array: true }, '["abc"]', /element: text 'abc' in integer column qty/],
    ['an object in text[]', { kind: 'text', array: true }, '[{"a":1}]', /JSON object cannot be an element/],
    ['not JSON', { kind: 'text', array: true }, 'a,b', /not JSON/],
    ['a JSON object instead of an array', { kind: 'text', array: true }, '{"a":1}', /not a JSON array/],
    ['a number', { kind: 'text', array: true }, 5n, /is not a JSON array/],
  ])('rejects %s', (_name, pgType, input, why) => {
    expect(reason(toPg(column(pgType, 'text'), input))).toMatch(why);
  });
});

describe('round trips through each SQLite format', () => {
  const pgValues = [
    '2025-11-05 10:15:30.123456+00',
    '2025-11-05 10:15:30.123+00',
    '2025-11-05 10:15:30+00',
    '1969-12-31 23:59:59.999999+00',
    '2000-02-29 00:00:00+00',
    '0001-01-01 00:00:00+00',
    '9999-12-31 23:59:59.999+00',
  ];
  const formats: TimeFormat[] = ['iso-t-z', 'iso-t-offset', 'iso-space', 'iso-t-naive', 'epoch-s', 'epoch-ms'];
  it.each(formats)('timestamptz -> %s -> timestamptz is the same instant, to the microsecond', (format) => {
    const c = column('timestamptz', 'timestamptz', format);
    for (const v of pgValues) {
      const stored = toSqlite(c, v);
      if (stored instanceof Rejected) throw new Error(`${format} rejected ${v}: ${stored.reason}`);
      expect(toPg(c, stored)).toBe(v);
    }
  });

  it.each<[TimeFormat, SqliteValue]>([
    ['iso-t-z', '2025-11-05T10:15:30.123Z'],
    ['iso-t-z', '2025-11-05T10:15:30.123456Z'],
    ['iso-space', '2025-11-05 10:15:30'],
    ['iso-space', '2025-11-05 10:15:30.500'],
    ['iso-t-naive', '2025-11-05T10:15:30.123'],
    ['iso-t-naive', '1999-12-31T23:59:59.000'],
    ['iso-t-offset', '2025-11-05T10:15:30.000+05:30'],
    ['epoch-s', 1762337730n],
    ['epoch-s', 1762337730.5],
    ['epoch-ms', 1762337730123n],
    ['date', '2025-11-05'],
  ])('SQLite %s %s -> PostgreSQL -> the same SQLite value', (format, value) => {
    const c = column(format === 'date' ? 'date' : 'timestamptz', 'timestamp', format);
    const pg = toPg(c, value);
    if (pg instanceof Rejected || pg === null) throw new Error(`not converted: ${String(pg)}`);
    expect(toSqlite(c, pg)).toStrictEqual(value);
  });

  it('int8, numeric, json and arrays survive SQLite -> PostgreSQL -> SQLite', () => {
    const cases: [TypeSpec, TypeSpec, SqliteValue][] = [
      ['bigint', 'bigint', 9007199254740993n],
      [numeric(20, 6), 'text', '-12345678901234.000001'],
      ['boolean', 'boolean', 1n],
      ['double', 'double', 0.1],
      ['jsonb', 'text', '{"a": [1, 2.50]}'],
      [{ kind: 'integer', array: true }, 'text', '[[1,2],[3,null]]'],
      [{ kind: 'text', array: true }, 'text', '["a","b \\"c\\"",null]'],
      ['bytea', 'bytea', Buffer.from([0, 1, 255])],
      [{ kind: 'bytea', array: true }, 'text', '["\\\\x00ff",null]'],
      [{ kind: 'timestamptz', array: true }, 'text', '["2025-11-05 10:15:30.123456+00"]'],
    ];
    for (const [pg, sqlite, value] of cases) {
      const c = column(pg, sqlite);
      const text = toPg(c, value);
      if (text instanceof Rejected) throw new Error(text.reason);
      expect(toSqlite(c, text)).toStrictEqual(value);
    }
  });
});

describe('the sliced fast paths give exactly what formatting the fields gives', () => {
  const parsed = (text: string): Timestamp => {
    const ts = parseTimestampText(text);
    if (typeof ts === 'string') throw new Error(`${text}: ${ts}`);
    return ts;
  };
  const fractions = ['', '.0', '.5', '.120', '.123', '.1234', '.123456', '.000001', '.1234560'];
  const clocks = ['00:00:00', '10:15:30', '23:59:59', '23:59:60', '24:00:00'];

  it('PostgreSQL output -> each ISO format', () => {
    const formats: TimeFormat[] = ['iso-t-z', 'iso-t-offset', 'iso-t-naive', 'iso-space'];
    for (const clock of clocks.slice(0, 3)) {
      for (const f of fractions.slice(2, 7).concat([''])) {
        for (const zone of ['+00', '']) {
          const text = `2025-11-05 ${clock}${f}${zone}`;
          for (const format of formats) expect(pgUtcTextToIso(text, format), `${text} ${format}`).toBe(formatForSqlite(parsed(text), format));
        }
      }
    }
    expect(pgUtcTextToIso('2025-11-05 10:15:30+05:30', 'iso-t-z')).toBeNull();
    expect(pgUtcTextToIso('2025-11-05 10:15:30.5+05:30', 'iso-t-z')).toBeNull();
    expect(pgUtcTextToIso('12025-11-05 10:15:30+00', 'iso-t-z')).toBeNull();
  });

  it('a REAL with few decimal places -> the same text as String() gives it', () => {
    const values = [0, -0, 0.05, -0.05, 0.1, 0.3, 1.005, 9.995, 23.1, 23.13, 45.2, 100, 21474836.47, -21474836.48, 2147.483647, 0.000001, 1e-7, 1 / 3, 2 ** 31, 0.1 + 0.2];
    // every value of 0 to 6 decimal places over a spread of magnitudes, and doubles near them
    for (let scale = 0; scale <= 6; scale++) {
      for (let m = -100000; m <= 100000; m += 7) values.push(m / 10 ** scale, (m * 10007) / 10 ** scale, (m / 10 ** scale) * (1 + Number.EPSILON));
    }
    let fast = 0;
    const wrong: string[] = [];
    for (const v of values) {
      for (let scale = 0; scale <= 7; scale++) {
        const text = scaledDecimalText(v, scale);
        if (text === null) continue;
        fast++;
        if (text !== String(v)) wrong.push(`${v} at scale ${scale}: ${text}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(fast).toBeGreaterThan(values.length); // the fast path is taken, not just skipped
    expect(scaledDecimalText(0.125, 2)).toBeNull(); // more places than the scale: the full check's
    expect(scaledDecimalText(2 ** 31 / 100, 2)).toBeNull(); // too large to be sure
    expect(scaledDecimalText(Infinity, 2)).toBeNull();
    expect(toPg(column(numeric(12, 2), 'real'), 0.125)).toBeInstanceOf(Rejected);
    expect(toPg(column(numeric(12, 2), 'real'), -23.1)).toBe('-23.1');
  });

  it('SQLite ISO text -> PostgreSQL text', () => {
    for (const clock of clocks) {
      for (const f of fractions) {
        if (clock === '24:00:00' && /[1-9]/.test(f)) continue; // not a time of day
        for (const [sep, zone] of [['T', 'Z'], ['T', ''], [' ', ''], ['t', 'z'], ['T', ' Z'], [' ', ' ']]) {
          const text = `2025-11-05${sep}${clock}${f}${zone}`;
          const ts = parsed(text);
          for (const kind of ['timestamptz', 'timestamp'] as const) {
            expect(pgTimestampTextFrom(text, ts, kind), `${text} ${kind}`).toBe(pgTimestampText(ts, kind));
          }
        }
      }
    }
  });
});

describe('COPY text rows and raw PostgreSQL text', () => {
  it('escapes backslash, tab, newline and carriage return; NULL is \\N; empty text stays empty', () => {
    expect(encodeCopyRow(['a', null, 'tab\there', 'line\nbreak', 'back\\slash', 'cr\r', '', '\\N'])).toBe(
      'a\t\\N\ttab\\there\tline\\nbreak\tback\\\\slash\tcr\\r\t\t\\\\N\n',
    );
    expect(encodeCopyRow([])).toBe('\n');
  });

  it('hands every type back as its text', () => {
    const parse = rawTextTypes.getTypeParser(1184, 'text') as (text: string) => unknown; // timestamptz
    expect(parse('2025-11-05 10:15:30.123456+00')).toBe('2025-11-05 10:15:30.123456+00');
    expect((rawTextTypes.getTypeParser(20) as (text: string) => unknown)('9007199254740993')).toBe('9007199254740993');
  });
});
