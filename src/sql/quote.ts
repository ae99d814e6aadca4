/**
 * Identifier and literal quoting shared by SQLite and PostgreSQL: both follow the SQL
 * standard (double quotes for names, single quotes for strings, quote doubled inside),
 * so one implementation serves both dialects.
 */

/** "Branch Notes" -> "\"Branch Notes\""; embedded double quotes are doubled. */
export function quoteIdent(name: string): string {
  return '"' + name.replaceAll('"', '""') + '"';
}

/**
 * note's -> 'note''s'. Backslashes are ordinary characters in both dialects
 * (PostgreSQL's standard_conforming_strings is on by default since 9.1).
 */
export function quoteLiteral(value: string): string {
  return "'" + value.replaceAll("'", "''") + "'";
}

/** public, t -> "public"."t" */
export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}
