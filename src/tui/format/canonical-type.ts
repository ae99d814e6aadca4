/** A canonical column type as the Schema tab prints it: numeric(12,2), varchar(40), text[], enum. */
import type { CanonicalType } from '../../model/schema.js';

export function canonicalTypeText(t: CanonicalType): string {
  let s: string = t.kind;
  if (t.kind === 'numeric' && t.precision !== undefined) s += t.scale ? `(${t.precision},${t.scale})` : `(${t.precision})`;
  else if ((t.kind === 'varchar' || t.kind === 'char') && t.length !== undefined) s += `(${t.length})`;
  else if ((t.kind === 'timestamp' || t.kind === 'timestamptz' || t.kind === 'time' || t.kind === 'timetz') && t.precision !== undefined) s += `(${t.precision})`;
  if (t.array) s += '[]';
  return s;
}
