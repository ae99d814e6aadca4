/**
 * "Did you mean": a user who swaps two adjacent letters of a name in a mapping file or
 * its keys ("tabel", "nmae") is shown the name they meant. A swap counts as one edit, not
 * two, so a short name is within reach; names that are not a near miss still get no guess.
 */
import { describe, expect, it } from 'vitest';
import { closestName } from '../src/mapping/closest-name.js';

const KEYS = ['version', 'table', 'sqlite_table', 'fingerprint', 'columns', 'local_only', 'skip_generated', 'key', 'foreign_keys', 'cursor', 'soft_delete', 'filter', 'conflict', 'priority'];
const COLUMNS = ['id', 'name', 'email', 'status', 'updated_at'];

describe('closestName', () => {
  it('suggests the name meant when two adjacent letters are swapped: one edit, so a short name is within reach', () => {
    expect(closestName('tabel', KEYS)).toBe('table');
    expect(closestName('nmae', COLUMNS)).toBe('name');
    expect(closestName('stauts', COLUMNS)).toBe('status');
    expect(closestName('Emial', COLUMNS)).toBe('email');
    expect(closestName('cutsomers', ['customers', 'orders'])).toBe('customers');
  });

  it('still suggests by insertions, deletions and substitutions, case aside', () => {
    expect(closestName('cursr', KEYS)).toBe('cursor');
    expect(closestName('Emaul', COLUMNS)).toBe('email');
    expect(closestName('updated_on', COLUMNS)).toBe('updated_at');
  });

  it('suggests nothing for a name that is not a near miss', () => {
    expect(closestName('price', COLUMNS)).toBeNull();
    expect(closestName('xyz', KEYS)).toBeNull();
    // two swaps ('name' with n-a and m-e swapped) are two edits: too far for a name that short
    expect(closestName('anem', COLUMNS)).toBeNull();
    expect(closestName('orders', ['customers'])).toBeNull();
  });
});
