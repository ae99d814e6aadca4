/**
 * The catalog queries behind PostgresIntrospector: four queries for a whole schema
 * (tables, columns, constraints, indexes), each taking the schema name as $1, sent
 * together as one request.
 * All read pg_catalog: tables and columns with information_schema's definitions of what
 * a user sees (planning those views' queries took most of a run's introspection), plus
 * what the views lack (format_type, generated/identity flags, enums, arrays, domains);
 * the constraints from pg_constraint, whose key arrays are exact even when constraint
 * names repeat across tables (information_schema joins constraints by name alone).
 */

export interface TableRow {
  table_name: string;
}

/**
 * Ordinary and partitioned tables; partitions are reached through their parent. The
 * catalog read directly with information_schema.tables' own conditions ('BASE TABLE',
 * tables the user owns or holds a privilege on): planning the view's query cost more
 * than the rest of the introspection together, on every run.
 */
export const TABLES_SQL = `
SELECT c.relname::text AS table_name
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1
   AND c.relkind IN ('r', 'p')
   AND NOT c.relispartition
   AND NOT pg_is_other_temp_schema(n.oid)
   AND n.oid IS DISTINCT FROM pg_my_temp_schema()
   AND (pg_has_role(c.relowner, 'USAGE')
        OR has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
        OR has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))`;

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
 * nullability, default, generation expression and the visibility rule (columns the user
 * owns or holds a privilege on) are information_schema.columns' own definitions, read
 * from the catalog directly (planning the view's query was most of the introspection).
 */
export const COLUMNS_SQL = `
SELECT cl.relname::text AS table_name,
       a.attname::text AS column_name,
       a.attnum::int AS attnum,
       CASE WHEN a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) THEN 'NO' ELSE 'YES' END AS is_nullable,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS column_default,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS generation_expression,
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
  FROM pg_attribute a
  JOIN pg_class cl ON cl.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = cl.relnamespace
  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  JOIN pg_type t ON t.oid = a.atttypid
  JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
  LEFT JOIN pg_type e ON b.typcategory = 'A' AND e.oid = b.typelem
  JOIN pg_type s ON s.oid = COALESCE(e.oid, b.oid)
 WHERE n.nspname = $1
   AND cl.relkind IN ('r', 'p')
   AND a.attnum > 0
   AND NOT a.attisdropped
   AND NOT pg_is_other_temp_schema(n.oid)
   AND (pg_has_role(cl.relowner, 'USAGE') OR has_column_privilege(cl.oid, a.attnum, 'SELECT, INSERT, UPDATE, REFERENCES'))
 ORDER BY cl.relname, a.attnum`;

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
