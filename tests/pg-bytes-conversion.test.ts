/**
 * The reader thread converts the commonest pg-to-sqlite values straight from PostgreSQL's
 * bytes (io/postgres-read-bytes.ts). For every text, each conversion gives exactly what
 * the column's codec gives for that text, or declines so the codec runs: timestamps in
 * each ISO format (fractions of every length, trailing zeros, UTC or no zone, offsets,
 * BC and five-digit years, odd shapes), integers (signs, 15 and 16 digits, the int8
 * limits, stray characters). A timestamp read in its binary form (int64 microseconds,
 * io/pg-binary-timestamp-text.ts) is written in each format exactly as its server text
 * would have been, or declined where that text would be.
 */
import { describe, expect, it } from 'vitest';
import { integerFromBytes, isoTimestampBytes } from '../src/replicator/io/postgres-read-bytes.js';
import { isoFromBinary, timestampText } from '../src/replicator/io/pg-binary-timestamp-text.js';
import { pgUtcTextToIso } from '../src/replicator/values/time-convert.js';
import type { TimeFormat } from '../src/replicator/values/time-format.js';

const FORMATS: TimeFormat[] = ['iso-t-z', 'iso-t-offset', 'iso-t-naive', 'iso-space', 'date'];

/** isoTimestampBytes on `text`'s UTF-8, placed inside a larger buffer, as its string or null */
function viaBytes(text: string, format: TimeFormat): string | null {
  const field = Buffer.from(text, 'utf8');
  const from = Buffer.concat([Buffer.from('ab'), field, Buffer.from('cd')]);
  const to = Buffer.alloc(64 + 40, 0x21);
  const w = isoTimestampBytes(from, 2, 2 + field.length, format, to, 64);
  return w < 0 ? null : to.toString('utf8', 64, w);
}

function timestampTexts(): string[] {
  const texts = new Set<string>([
    '2025-11-05 10:15:30+00', '2025-11-05 10:15:30', '2025-11-05 10:15:30.1+00', '2025-11-05 10:15:30.123456+00',
    '2025-11-05 10:15:30.000001', '2025-11-05 10:15:30.120+00', '2025-11-05 10:15:30.000+00', '2025-11-05 10:15:30.5000009+00',
    '2025-11-05 10:15:30+05:30', '2025-11-05 10:15:30.25-08', '0044-03-15 12:00:00+00 BC', '12025-11-05 10:15:30+00',
    '2025-11-05T10:15:30+00', '2025-11-05 10:15+00', '2025-11-05 10:15:3+00', '2025-11-05 10:15:30.+00', '2025-11-05 10:15:30x12',
    '2025-11-05 10:15:30.12a+00', 'infinity', '-infinity', '', '2025-11-05', '2025-11-05 10:15:30.123+0', '2025-11-05 10:15:30.1234567',
    '2025-11-05 1é:15:30+00', '2025-11-05 10:15:30.12😀', 'ab25-xx-05 zz:15:30+00',
  ]);
  // every fraction length, with and without trailing zeros and the UTC suffix
  for (let len = 0; len <= 7; len++) {
    for (const digits of ['1234567', '1000000', '0000000', '0000001', '9990000', '0100000']) {
      const frac = len === 0 ? '' : '.' + digits.slice(0, len);
      texts.add(`1999-12-31 23:59:59${frac}`);
      texts.add(`1999-12-31 23:59:59${frac}+00`);
    }
  }
  return [...texts];
}

describe('values converted from PostgreSQL bytes', () => {
  it('give each ASCII timestamp the text pgUtcTextToIso gives, in every format, or decline where it does', () => {
    const texts = timestampTexts();
    let converted = 0;
    for (const format of FORMATS) {
      for (const text of texts) {
        // beyond ASCII, character and byte positions differ: the bytes decline and the codec runs
        const want = /^[\x00-\x7f]*$/.test(text) ? pgUtcTextToIso(text, format) : null;
        expect(viaBytes(text, format), `${format} ${JSON.stringify(text)}`).toBe(want);
        if (want !== null) converted++;
      }
    }
    // most shapes are the common case the bytes handle themselves
    expect(converted).toBeGreaterThan(250);
  });

  it('give each binary timestamp what its server text gives, in every format, or decline where that text does', () => {
    const micros = [0n, 1n, -1n, 999n, 1000n, 123456n, 86_399_999_999n, 86_400_000_000n, -86_400_000_000n, 9223372036854775807n, -9223372036854775808n];
    // years 4713 BC to 294276 AD, with fractions of every length
    let x = 12345n;
    for (let i = 0; i < 3000; i++) {
      x = (x * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
      const span = i % 3 === 0 ? 211_813_488_000_000_000n : i % 3 === 1 ? 400n * 365n * 86_400_000_000n : 30n * 86_400_000_000n;
      const v = (x % (2n * span)) - span;
      micros.push(i % 4 === 0 ? v - (v % 1_000_000n) : i % 4 === 1 ? v - (v % 1000n) : v);
    }
    let converted = 0;
    for (const us of micros) {
      const bin = Buffer.alloc(10);
      bin.writeBigInt64BE(us, 1);
      for (const zone of [true, false]) {
        const text = Buffer.alloc(40);
        const n = timestampText(bin, 1, zone, text, 0);
        for (const format of FORMATS) {
          const to = Buffer.alloc(64 + 40, 0x21);
          const w = isoFromBinary(bin, 1, format, to, 64);
          const want = viaBytes(text.toString('latin1', 0, n), format);
          expect(w < 0 ? null : to.toString('latin1', 64, w), `${format} ${us} ${text.toString('latin1', 0, n)}`).toBe(want);
          if (want !== null) converted++;
        }
      }
    }
    expect(converted).toBeGreaterThan(3000);
  });

  it('give each integer the BigInt of its text, or decline so the codec parses it', () => {
    const exact = ['0', '-0', '7', '-7', '42', '999999999999999', '-999999999999999', '100000000000000', '2147483647', '-2147483648'];
    for (const text of exact) {
      const b = Buffer.from(`x${text}y`);
      expect(integerFromBytes(b, 1, 1 + text.length), text).toBe(BigInt(text));
    }
    for (const text of ['9999999999999999', '9223372036854775807', '-9223372036854775808', '', '-', '1a', ' 1', '+1', '1.0', '١٢']) {
      const b = Buffer.from(text);
      expect(integerFromBytes(b, 0, b.length), text).toBeNull();
    }
  });
});
