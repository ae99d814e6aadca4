/**
 * The catalog queries behind PostgresIntrospector: four round trips for a whole
 * schema (tables, columns, constraints, indexes), each parameterised by schema name.
 * information_schema supplies tables and columns; pg_catalog supplies what it lacks
 * (format_type, generated/identity flags, enums, arrays, domains) and the constraints,
 * where pg_constraint's key arrays are exact even when constraint names repeat across
 * tables (information_schema joins constraints by name alone).
 */

export interface TableRow {
  table_name: string;
}

/** Ordinary and partitioned tables; partitions are reached through their parent. */
export const TABLES_SQL = `
SELECT t.table_name::text AS table_name
  FROM information_schema.tables t
  JOIN pg_namespace n ON n.nspname = t.table_schema
  JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.table_name
 WHERE t.table_schema = $1
   AND t.table_type = 'BASE TABLE'
   AND c.relkind IN ('r', 'p')
   AND NOT c.relispartition`;

export interface ColumnRow {
  table_name: string;
  column_name: string;
  attnum: number;
  is_nullable: string;
  column_default: string | null;
  generation_expression: string | null;
  /** '' none, 's' stored, 'v' virtual (PostgreSQL 18) */
  attgenerated: string;
  /** '' none, 'a' always, 'd' by default */
  attidentity: string;
  /** format_type of the column's own type (the domain name for a domain) */
  formatted: string;
  /** format_type of the type under a domain, or of the column's type */
  base_formatted: string;
  domain_name: string | null;
  /** element type of an array (after resolving a domain), else null */
  element_formatted: string | null;
  /** typtype of the scalar type: the element of an array, the base of a domain */
  scalar_typtype: string;
  enum_labels: string[] | null;
}

/**
 * b = the type under a domain (or the column type), e = b's element when b is an
 * array, s = the scalar type that decides the kind. One domain level is resolved.
 */
export const COLUMNS_SQL = `
SELECT c.table_name::text AS table_name,
       c.column_name::text AS column_name,
       a.attnum::int AS attnum,
       c.is_nullable::text AS is_nullable,
       c.column_default::text AS column_default,
       c.generation_expression::text AS generation_expression,
       a.attgenerated::text AS attgenerated,
       a.attidentity::text AS attidentity,
       format_type(a.atttypid, a.atttypmod) AS formatted,
       format_type(b.oid, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END) AS base_formatted,
       CASE WHEN t.typtype = 'd' THEN t.typname::text END AS domain_name,
       CASE WHEN e.oid IS NOT NULL
            THEN format_type(e.oid, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END) END
         AS element_formatted,
       s.typtype::text AS scalar_typtype,
       (SELECT array_agg(en.enumlabel::text ORDER BY en.enumsortorder)
          FROM pg_enum en WHERE en.enumtypid = s.oid) AS enum_labels
  FROM information_schema.columns c
  JOIN pg_namespace n ON n.nspname = c.table_schema
  JOIN pg_class cl ON cl.relnamespace = n.oid AND cl.relname = c.table_name
  JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attnum = c.ordinal_position
  JOIN pg_type t ON t.oid = a.atttypid
  JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
  LEFT JOIN pg_type e ON b.typcategory = 'A' AND e.oid = b.typelem
  JOIN pg_type s ON s.oid = COALESCE(e.oid, b.oid)
 WHERE c.table_schema = $1
   AND cl.relkind IN ('r', 'p')
   AND NOT a.attisdropped
 ORDER BY c.table_name, a.attnum`;

export interface ConstraintRow {
  table_name: string;
  conname: string;
  /** p primary key, u unique, f foreign key, c check */
  contype: string;
  columns: string[];
  ref_schema: string | null;
  ref_table: string | null;
  ref_columns: string[] | null;
  confdeltype: string | null;
  confupdtype: string | null;
  definition: string;
}

/**
 * conparentid = 0 drops the copies PostgreSQL makes of a constraint for each
 * partition (on partitions, and on referencing tables for partitioned parents).
 */
export const CONSTRAINTS_SQL = `
SELECT cl.relname::text AS table_name,
       con.conname::text AS conname,
       con.contype::text AS contype,
       ARRAY(SELECT a.attname::text
               FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
              ORDER BY k.ord) AS columns,
       rn.nspname::text AS ref_schema,
       rcl.relname::text AS ref_table,
       CASE WHEN con.contype = 'f' THEN
         ARRAY(SELECT a.attname::text
                 FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
                ORDER BY k.ord) END AS ref_columns,
       CASE WHEN con.contype = 'f' THEN con.confdeltype::text END AS confdeltype,
       CASE WHEN con.contype = 'f' THEN con.confupdtype::text END AS confupdtype,
       pg_get_constraintdef(con.oid) AS definition
  FROM pg_constraint con
  JOIN pg_class cl ON cl.oid = con.conrelid
  JOIN pg_namespace n ON n.oid = cl.relnamespace
  LEFT JOIN pg_class rcl ON rcl.oid = con.confrelid
  LEFT JOIN pg_namespace rn ON rn.oid = rcl.relnamespace
 WHERE n.nspname = $1
   AND cl.relkind IN ('r', 'p')
   AND con.contype IN ('p', 'u', 'f', 'c')
   AND con.conparentid = 0
 ORDER BY cl.relname, con.conname`;

export interface IndexKey {
  /** column name, or null for an expression key */
  column: string | null;
  /** pg_get_indexdef text of the key: the column name or the expression */
  definition: string;
}

export interface IndexRow {
  table_name: string;
  index_name: string;
  is_unique: boolean;
  is_primary: boolean;
  /** a UNIQUE constraint (not just CREATE UNIQUE INDEX) owns this index */
  backs_unique: boolean;
  is_partial: boolean;
  keys: IndexKey[];
}

/** Key columns only (indnkeyatts): INCLUDE columns do not take part in the key. */
export const INDEXES_SQL = `
SELECT t.relname::text AS table_name,
       i.relname::text AS index_name,
       x.indisunique AS is_unique,
       x.indisprimary AS is_primary,
       EXISTS (SELECT 1 FROM pg_constraint con
                WHERE con.conindid = x.indexrelid AND con.conrelid = x.indrelid AND con.contype = 'u') AS backs_unique,
       x.indpred IS NOT NULL AS is_partial,
       (SELECT json_agg(json_build_object(
                  'column', CASE WHEN x.indkey[g.i] = 0 THEN NULL ELSE a.attname END,
                  'definition', pg_get_indexdef(x.indexrelid, g.i + 1, true))
                ORDER BY g.i)
          FROM generate_series(0, x.indnkeyatts - 1) AS g(i)
          LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[g.i]) AS keys
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname = $1
   AND t.relkind IN ('r', 'p')
 ORDER BY t.relname, i.relname`;
