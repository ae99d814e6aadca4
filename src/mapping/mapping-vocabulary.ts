/**
 * The mapping files' vocabulary: the transforms, canonical kinds, conflict policies and
 * soft-delete kinds a mapping may name, as runtime lists of their union types. Kept apart
 * from the zod schema (mapping-schema.ts) so rendering a mapping does not load zod.
 */
import type { CanonicalKind } from '../model/schema.js';
import type { ConflictPolicy, SoftDelete, Transform } from './table-mapping.js';

export const TRANSFORMS = [
  'none',
  'bool-int',
  'decimal-text',
  'decimal-real',
  'timestamp-text',
  'date-text',
  'json-text',
  'uuid-text',
  'bytea-blob',
  'array-json',
  'enum-text',
  'int8-bigint',
] as const satisfies readonly Transform[];

export const CANONICAL_KINDS = [
  'smallint',
  'integer',
  'bigint',
  'numeric',
  'real',
  'double',
  'boolean',
  'text',
  'varchar',
  'char',
  'uuid',
  'json',
  'jsonb',
  'bytea',
  'date',
  'time',
  'timetz',
  'timestamp',
  'timestamptz',
  'interval',
  'enum',
  'untyped',
  'unknown',
] as const satisfies readonly CanonicalKind[];

export const CONFLICT_POLICIES = ['latest-wins', 'sqlite-wins', 'pg-wins', 'manual'] as const satisfies readonly ConflictPolicy[];
export const SOFT_DELETE_KINDS = ['timestamp', 'flag'] as const satisfies readonly SoftDelete['kind'][];

// The lists above are the runtime copy of union types; these fail to compile when a union grows.
type Covers<All, Listed extends All> = [All] extends [Listed] ? true : never;
const listsAreComplete: [
  Covers<Transform, (typeof TRANSFORMS)[number]>,
  Covers<CanonicalKind, (typeof CANONICAL_KINDS)[number]>,
  Covers<ConflictPolicy, (typeof CONFLICT_POLICIES)[number]>,
  Covers<SoftDelete['kind'], (typeof SOFT_DELETE_KINDS)[number]>,
] = [true, true, true, true];
void listsAreComplete;
