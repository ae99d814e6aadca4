/**
 * A batch converted on the reader thread keeps each row's key and cursor as text; the
 * engine asks for the last row's (the batch's checkpoint) and for rows that go to a
 * ledger. The last row read on its own gives the very values the whole batch's decoding
 * gives, NULLs, empty texts and multi-byte characters included.
 */
import { describe, expect, it } from 'vitest';
import { convertedSourceRows, type PackedConverted } from '../src/replicator/io/row-transfer.js';

/** A converted batch with only its source values (key at 2, cursor at 0 of a 4-column source row). */
function batch(rows: (string | null)[][]): PackedConverted {
  const width = rows[0]?.length ?? 0;
  const text = Buffer.from(rows.flat().map((v) => `${v ?? ''}\u0000`).join(''), 'utf8');
  const nulls = Uint8Array.from(rows.flat().map((v) => (v === null ? 1 : 0)));
  return {
    count: rows.length, width: 0, tags: new Uint8Array(0), text: new Uint8Array(0), textEnds: new Uint32Array(0), textUtf8: true,
    ints: new BigInt64Array(0), reals: new Float64Array(0), blobs: new Uint8Array(0), blobEnds: new Uint32Array(0), rejected: [],
    source: { count: rows.length, width, text: new Uint8Array(text.buffer, text.byteOffset, text.byteLength), nulls },
    sourceIndexes: [2, 0],
  };
}

const cases: [string, (string | null)[][]][] = [
  ['plain keys', [['1', '2025-11-05 10:00:00+00'], ['2', '2025-11-05 10:00:01+00'], ['3', '2025-11-05 10:00:02+00']]],
  ['NULL and empty values at the end', [['a', 'x'], ['', null], ['b', ''], [null, '']]],
  ['multi-byte text', [['größe', '€'], ['日本', '🎉'], ['ü', 'ß']]],
  ['two rows', [['k1', 'c1'], ['k2', null]]],
];

describe('the source values of a converted batch', () => {
  it.each(cases)('give the last row alone as the whole batch does: %s', (_name, rows) => {
    const alone = convertedSourceRows(batch(rows), 4)(rows.length - 1);
    const whole = convertedSourceRows(batch(rows), 4);
    whole(0); // decodes the whole batch first
    const last = rows[rows.length - 1] as (string | null)[];
    expect(alone).toEqual(whole(rows.length - 1));
    expect(alone).toEqual([last[1], null, last[0], null]);
  });
});
