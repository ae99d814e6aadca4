/**
 * DataRow messages handed over as the bytes PostgreSQL sent, for the reader thread
 * (postgres-read-worker.ts): node-postgres makes a JS string of every field of every row
 * (a UTF-8 decode per value, then garbage), and a pg-to-sqlite load passes most values on
 * unchanged (uuids, names, JSON, numeric text), so the reader thread copies those bytes
 * straight into the batch it packs (postgres-read-convert.ts) and decodes only the values
 * it converts. In the bench's 1M-row load that per-field decode and its garbage were the
 * reader thread's largest costs (utf8Slice, Buffer#toString and scavenges).
 *
 * How: node-postgres's protocol parser (pg-protocol's Parser) is given a handlePacket
 * that returns, for a DataRow, a message holding the parser's buffer and the row's offset,
 * with `fields` decoded only when asked for (every other query reads them as before). The
 * bytes are valid only while the message is being delivered: node-postgres hands each
 * message on synchronously (Parser.parse -> Connection -> Client -> Query.handleDataRow),
 * which is where both node-postgres and our CollectingQuery read it. If pg-protocol cannot
 * be loaded or has changed shape, nothing is patched and rows come as strings, as before.
 * Installed on the reader thread only; the main thread's sessions are untouched.
 * package.json declares pg-protocol with pg's own range, so npm installs the one copy pg uses.
 */

/** A DataRow as received: `bytes[offset]` is its field count (int16), then per field an int32 length (-1: NULL) and the bytes. */
export class RawDataRow {
  readonly name = 'dataRow';
  length: number;
  constructor(readonly bytes: Buffer, readonly offset: number, length: number) {
    this.length = length;
  }
  get fieldCount(): number {
    return this.bytes.readInt16BE(this.offset);
  }
  /** the fields as node-postgres would have given them (UTF-8 text, null for NULL) */
  get fields(): (string | null)[] {
    return rawFields(this.bytes, this.offset);
  }
}

/** A DataRow body's fields as strings, as node-postgres decodes them. */
export function rawFields(bytes: Buffer, offset: number): (string | null)[] {
  let at = offset;
  const n = bytes.readInt16BE(at);
  at += 2;
  const fields = new Array<string | null>(n);
  for (let j = 0; j < n; j++) {
    const len = bytes.readInt32BE(at);
    at += 4;
    if (len === -1) {
      fields[j] = null;
    } else {
      fields[j] = bytes.toString('utf8', at, at + len);
      at += len;
    }
  }
  return fields;
}

const DATA_ROW = 68; // 'D'

type HandlePacket = (this: unknown, offset: number, code: number, length: number, bytes: Buffer) => unknown;

let installed: Promise<boolean> | null = null;

/** Patch the protocol parser (once per thread); true when DataRows now come as RawDataRow. */
export function installRawDataRows(): Promise<boolean> {
  installed ??= import('pg-protocol/dist/parser.js').then(
    (m: unknown) => {
      const proto = (m as { Parser?: { prototype?: { handlePacket?: HandlePacket } } }).Parser?.prototype;
      const original = proto?.handlePacket;
      if (!proto || typeof original !== 'function') return false;
      proto.handlePacket = function (offset, code, length, bytes) {
        return code === DATA_ROW ? new RawDataRow(bytes, offset, length) : original.call(this, offset, code, length, bytes);
      };
      return true;
    },
    () => false,
  );
  return installed;
}
