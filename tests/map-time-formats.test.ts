/**
 * `replicate map` looks at the dates a terminal's SQLite file already holds and records
 * each column's text format in the mapping, so replication writes dates back the way
 * the app wrote them (SQLite compares them as text). The user can correct a format by
 * hand; the file keeps the correction and a typo is named with its line. The profile
 * itself: the format most values match, and ISO with T, Z and milliseconds when empty.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MappingError } from '../src/errors.js';
import { loadMappings } from '../src/mapping/mapping-files.js';
import type { TableMapping } from '../src/mapping/table-mapping.js';
import type { SqliteValue } from '../src/replicator/values/codec.js';
import { classifyParsedTimeValue, classifyTimeValue, profileSqliteTimeFormats, profileTimeFormat } from '../src/replicator/values/profile-time-format.js';
import type { TimeFormat } from '../src/replicator/values/time-format.js';
import { runCli } from './harness/cli.js';
import { setupPosPair, type PosPair } from './harness/pos.js';

let pos: PosPair;
let mappingsDir: string;

beforeAll(async () => {
  pos = await setupPosPair();
  mappingsDir = join(pos.dir.path, 'mappings');
});
afterAll(() => pos.cleanup());

const formatOf = (m: TableMapping | undefined, column: string): string | null | undefined => m?.columns.find((c) => c.postgres === column)?.format;

describe('replicate map records the date format of each SQLite column', () => {
  it('profiles ISO-with-Z, CURRENT_TIMESTAMP text and epoch seconds, and says so', async () => {
    const r = await runCli(['map', ...pos.flags], { cwd: pos.dir.path });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('date/time text iso-space: created_at, updated_at');
    expect(r.stdout).toContain('date/time text epoch-s: opened_at, closed_at');

    const users = readFileSync(join(mappingsDir, 'users.yaml'), 'utf8');
    expect(users).toMatch(/\{ postgres: created_at, sqlite: created_at, type: timestamptz, transform: timestamp-text, format: iso-space \}/);
    expect(users).toMatch(/# format \(date\/time pairs\)/);

    const files = loadMappings(mappingsDir);
    const m = (t: string): TableMapping | undefined => files.get(t)?.mapping;
    expect(formatOf(m('orders'), 'created_at')).toBe('iso-t-z');
    expect(formatOf(m('shifts'), 'opened_at')).toBe('epoch-s');
    expect(formatOf(m('users'), 'updated_at')).toBe('iso-space');
    // a column with no values yet, and a table SQLite lacks, get ISO with T, Z and milliseconds
    expect(formatOf(m('users'), 'deleted_at')).toBe('iso-t-z');
    expect(formatOf(m('audit_logs'), 'created_at')).toBe('iso-t-z');
    // other columns carry no format
    expect(formatOf(m('users'), 'username')).toBeUndefined();
  });

  it('a format corrected by hand survives the next map, and profiling never overrides it', async () => {
    const file = join(mappingsDir, 'users.yaml');
    const edited = readFileSync(file, 'utf8').replace(
      /(postgres: deleted_at, sqlite: deleted_at, type: timestamptz, transform: timestamp-text, format: )iso-t-z/,
      '$1iso-space',
    );
    expect(edited).toContain('sqlite: deleted_at, type: timestamptz, transform: timestamp-text, format: iso-space');
    writeFileSync(file, edited);
    const r = await runCli(['map', ...pos.flags], { cwd: pos.dir.path });
    expect(r.code).toBe(0);
    const users = loadMappings(mappingsDir).get('users')?.mapping;
    expect(formatOf(users, 'deleted_at')).toBe('iso-space');

    const db = new Database(pos.sqlitePath, { readonly: true });
    try {
      const [again] = profileSqliteTimeFormats(db, users ? [users] : []);
      expect(formatOf(again, 'deleted_at')).toBe('iso-space');
    } finally {
      db.close();
    }
  });

  it('a misspelt format, or a format on a column that is not a date, is named with its line', () => {
    const file = join(mappingsDir, 'users.yaml');
    const original = readFileSync(file, 'utf8');
    const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    const loadError = (text: string): MappingError => {
      writeFileSync(file, text);
      try {
        loadMappings(mappingsDir);
      } catch (e) {
        if (e instanceof MappingError) return e;
        throw e;
      }
      throw new Error('the file loaded');
    };
    try {
      const typo = original.replace('sqlite: updated_at, type: timestamptz, transform: timestamp-text, format: iso-space', 'sqlite: updated_at, type: timestamptz, transform: timestamp-text, format: iso_space');
      const e1 = loadError(typo);
      expect(e1.line).toBe(lineOf(typo, 'format: iso_space'));
      expect(e1.problem).toMatch(/^format must be one of iso-t-z, iso-t-offset, iso-space, .*; got 'iso_space' \(did you mean 'iso-space'\?\)$/);

      const misplaced = original.replace(/(sqlite: username, type: \w+, transform: [\w-]+) \}/, '$1, format: date }');
      const e2 = loadError(misplaced);
      expect(e2.line).toBe(lineOf(misplaced, 'format: date }'));
      expect(e2.problem).toMatch(/^format applies to date\/time pairs \(timestamp, timestamptz, date\), not /);
    } finally {
      writeFileSync(file, original);
    }
  });
});

describe('profiling the format a SQLite column already uses', () => {
  it.each<[string, SqliteValue[], 'timestamp' | 'timestamptz' | 'date', TimeFormat]>([
    ['ISO with T, milliseconds and Z', ['2025-11-05T10:15:30.123Z', '2025-11-05T10:15:31.000Z'], 'timestamptz', 'iso-t-z'],
    ["SQLite's CURRENT_TIMESTAMP", ['2025-09-02 09:16:00', '2025-09-02 09:17:00'], 'timestamp', 'iso-space'],
    ['offsets', ['2025-11-05T10:15:30+02:00'], 'timestamptz', 'iso-t-offset'],
    ['naive ISO with T', ['2025-11-05T10:15:30.123'], 'timestamp', 'iso-t-naive'],
    ['epoch seconds', [1762243440n, 1762250000n], 'timestamptz', 'epoch-s'],
    ['epoch milliseconds', [1762243440123n, 1762243440.5e3], 'timestamptz', 'epoch-ms'],
    ['epoch seconds kept as text', ['1762243440'], 'timestamptz', 'epoch-s'],
    ['dates', ['2025-11-05'], 'date', 'date'],
    ['the majority wins', ['2025-09-02 09:16:00', '2025-09-02T09:16:00.000Z', '2025-09-02 09:17:00'], 'timestamp', 'iso-space'],
    ['nothing recognisable: the default', ['soon', Buffer.from([1])], 'timestamptz', 'iso-t-z'],
    ['an empty column: ISO with T, Z and milliseconds', [], 'timestamptz', 'iso-t-z'],
    ['an empty date column: dates', [], 'date', 'date'],
  ])('%s', (_name, samples, kind, format) => {
    expect(profileTimeFormat(samples, kind)).toBe(format);
  });
});

describe('profiling reads every value the way the timestamp parser does', () => {
  it('valid, out-of-range and odd values get the format the full parser gives them', () => {
    // a fixed pseudo-random walk over dates, times, fractions and zones, in and out of range
    let seed = 20261201;
    const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const pick = <T>(xs: readonly T[]): T => xs[next(xs.length)] as T;
    const two = ['00', '01', '09', '12', '13', '23', '24', '28', '29', '30', '31', '32', '59', '60', '61'];
    const years = ['0000', '0001', '1600', '1900', '2000', '2023', '2024', '2100', '9999'];
    for (let i = 0; i < 20000; i++) {
      let v = `${pick(years)}-${pick(two)}-${pick(two)}`;
      if (next(8) > 0) {
        v += `${pick(['T', ' ', 't'])}${pick(two)}:${pick(two)}`;
        if (next(5) > 0) v += `:${pick(two)}${pick(['', '.0', '.000', '.123', '.000000', '.999999', '.1234567', '.0000000', '.'])}`;
        v += pick(['Z', '', '', 'z', '+02', '+02:00', ' Z', ' ']);
      }
      if (next(50) === 0) v = ` ${v}`;
      expect(classifyTimeValue(v), v).toBe(classifyParsedTimeValue(v));
    }
  });
});
