/**
 * A first load read on the reader thread binds each TEXT value as a slice of its batch's
 * UTF-8 bytes (io/text-slices.ts, io/sqlite-slice-insert.ts), in statements of 64 rows.
 * Hundreds of rows of text of one to four bytes a character, '' beside NULL, long values,
 * a numeric column whose values come as TEXT for most rows and as REAL (infinity) for
 * others, uuids checked as parents, a row SQLite refuses (the batch goes row by row) and a
 * child waiting for its parent land exactly as the in-process load lands them: value by
 * value with typeof() and hex(), and the same ledgers. A slice off by one byte, or a
 * column of mixed storage classes taken as slices, changes some hex().
 */
import { describe, expect, it } from 'vitest';
import { spawnCli } from './harness/cli.js';
import type { ReplicationPair } from './harness/replication.js';
import { twinPairs } from './harness/twin-pairs.js';

const ROWS = 420;
const WORDS = ['', 'a', 'é', 'ü€', '😀', 'naïve café', '日本語テキスト', 'x'.repeat(70) + '🎉', ' ', 'tab\there', 'z'];
const PARENTS = ['6f1c2b7e-3b1a-4c5d-9e8f-0a1b2c3d4e5f', '00000000-0000-4000-8000-000000000000', 'abcdef01-2345-4678-9abc-def012345678'];

function childRows(): string {
  const values: string[] = [];
  for (let i = 1; i <= ROWS; i++) {
    const word = WORDS[i % WORDS.length] as string;
    const note = i % 7 === 0 ? 'NULL' : `'${word.replace(/'/g, "''")}${i % 3 === 0 ? '' : String(i)}'`;
    const parent = i === 250 ? `'11111111-1111-4111-8111-111111111111'` : i % 5 === 0 ? 'NULL' : `'${PARENTS[i % PARENTS.length]}'`;
    // numeric as text for most rows, infinity (a REAL in SQLite) for some in the same statements
    const amount = i % 9 === 0 ? `'Infinity'` : i % 13 === 0 ? `'-Infinity'` : i % 11 === 0 ? 'NULL' : `${i}.${i % 100}`;
    const label = i === 321 ? 'NULL' : `'${i % 2 === 0 ? 'ß' : ''}${word.slice(0, 3).replace(/'/g, "''")}'`;
    const doc = i % 4 === 0 ? 'NULL' : `'{"k": "${word.replace(/\t/g, '\\\\t')}", "n": ${i}}'`;
    values.push(`(${i}, ${parent}, ${note}, ${amount}, ${label}, ${doc}, '${2000 + (i % 20)}-01-02 03:04:05+00')`);
  }
  return values.join(',\n');
}

const PG = `
  CREATE TABLE parents (id uuid PRIMARY KEY, name text NOT NULL);
  CREATE TABLE children (id bigint PRIMARY KEY, parent_id uuid, note text, amount numeric, label text, doc jsonb, at timestamptz NOT NULL);
  INSERT INTO parents VALUES ${PARENTS.map((p, i) => `('${p}', '${WORDS[i + 3] as string}')`).join(', ')};
  INSERT INTO children VALUES ${childRows()};`;
// label NOT NULL only here: row 321 is refused, and its batch goes row by row
const SQLITE = `
  CREATE TABLE parents (id TEXT PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id TEXT REFERENCES parents (id), note TEXT, amount DECIMAL(12,2),
    label TEXT NOT NULL, doc TEXT, at DATETIME NOT NULL);
  CREATE INDEX children_note ON children (note);`;

const COLUMNS = ['id', 'parent_id', 'note', 'amount', 'label', 'doc', 'at'];

function contents(pair: ReplicationPair): unknown {
  const s = pair.sqlite();
  try {
    return {
      parents: s.prepare('SELECT typeof(id), hex(id), typeof(name), hex(name) FROM parents ORDER BY rowid').raw().all(),
      children: s.prepare(`SELECT ${COLUMNS.map((c) => `typeof(${c}), hex(${c})`).join(', ')} FROM children ORDER BY id`).raw().all(),
      rejected: s.prepare('SELECT table_name, row_key, column_name, reason FROM _replicate_rejected_rows ORDER BY row_key').all(),
      skipped: s.prepare('SELECT table_name, row_key, parent_table, parent_key FROM _replicate_skipped_rows ORDER BY row_key').all(),
    };
  } finally {
    s.close();
  }
}

const twins = twinPairs(PG, SQLITE);

describe('a first load binding text as slices of its batch', () => {
  it('lands every value and ledger entry as the in-process load does', async () => {
    const cli = await spawnCli(['run', '--direction', 'pg-to-sqlite', ...twins.threaded.flags, '--batch-size', '150', '--json'], { cwd: twins.threaded.dir.path });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(3);
    const summary = JSON.parse(cli.stdout.trim().split('\n').pop() ?? '') as { tables: { name: string; read: number; written: number; skipped: number; rejected: number }[] };
    expect(summary.tables.find((t) => t.name === 'children')).toMatchObject({ read: ROWS, written: ROWS - 2, skipped: 1, rejected: 1 });

    const local = await twins.inProcess.run('pg-to-sqlite', '--batch-size', '150');
    expect(local.code).toBe(3);
    expect(contents(twins.threaded)).toEqual(contents(twins.inProcess));

    const s = twins.threaded.sqlite();
    try {
      // the values themselves, not only their agreement with the in-process load
      const note = s.prepare('SELECT note FROM children WHERE id = ?').pluck();
      expect(note.get(4)).toBe('😀4');
      expect(note.get(6)).toBe('日本語テキスト');
      expect(note.get(7)).toBe(null);
      expect(note.get(33)).toBe('');
      expect(note.get(29)).toBe('x'.repeat(70) + '🎉29');
      expect(s.prepare("SELECT count(*) FROM children WHERE note = ''").pluck().get()).toBeGreaterThan(5);
      const amounts = s.prepare('SELECT typeof(amount) AS t, count(*) AS n FROM children GROUP BY 1 ORDER BY 1').raw().all();
      expect(amounts.map((r) => (r as unknown[])[0])).toEqual(['integer', 'null', 'real']);
      expect(s.prepare('SELECT amount FROM children WHERE id IN (9, 13, 14) ORDER BY id').pluck().all()).toEqual([Infinity, -Infinity, 14.14]);
      expect(s.prepare('SELECT label FROM children WHERE id IN (2, 3) ORDER BY id').pluck().all()).toEqual(['ßé', 'ü€']);
      expect(s.prepare("SELECT count(*) FROM children WHERE parent_id IS NOT NULL AND typeof(parent_id) = 'text'").pluck().get()).toBeGreaterThan(300);
    } finally {
      s.close();
    }
  });
});
