/**
 * A stable fingerprint of one side's table schema, recorded in the mapping file so a
 * later run can tell the schema moved since `replicate map` wrote it.
 */
import { createHash } from 'node:crypto';
import type { Table } from '../model/schema.js';

export function fingerprintTable(table: Table | undefined): string | null {
  if (!table) return null;
  const shape = {
    name: table.name,
    columns: table.columns.map((c) => [c.name, c.declaredType, c.nullable, c.default, c.generated?.expression ?? null]),
    primaryKey: table.primaryKey,
    foreignKeys: table.foreignKeys.map((f) => [f.columns, f.refTable, f.refColumns, f.onDelete, f.onUpdate]),
  };
  return 'sha256:' + createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
}
