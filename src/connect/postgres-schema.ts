/**
 * Is the schema a command works in there? Asked in a round trip that is made anyway (a
 * session's settings, the catalog read), so a mistyped --schema fails before anything is
 * read or written, instead of reading as a schema without tables: a run of 0 tables, a
 * verify with nothing to compare, a `map` that forgets the PostgreSQL side of every file.
 */
import type pg from 'pg';
import { SchemaMissingError } from '../errors.js';

/** replicate's own state (state-tables.ts STATE_SCHEMA): not offered as a schema to use */
const STATE_SCHEMA = 'replicate';

interface SchemaCheckRow {
  database: string;
  found: boolean;
  usable: boolean;
  schemas: string[];
}

/** One statement answering with one row: append it to a multi-statement request. */
export function schemaCheckSql(client: pg.Client, schema: string): string {
  const name = client.escapeLiteral(schema);
  return `SELECT current_database()::text AS database,
  EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ${name}) AS found,
  COALESCE((SELECT has_schema_privilege(oid, 'USAGE') FROM pg_namespace WHERE nspname = ${name}), false) AS usable,
  ARRAY(SELECT nspname::text FROM pg_namespace
         WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' AND nspname <> ${client.escapeLiteral(STATE_SCHEMA)}
           AND has_schema_privilege(oid, 'USAGE')
         ORDER BY 1 LIMIT 20) AS schemas`;
}

/** Throws SchemaMissingError unless the answer to schemaCheckSql says the schema is there and usable. */
export function checkSchemaAnswer(result: pg.QueryResult | undefined, schema: string): void {
  const row = result?.rows[0] as SchemaCheckRow | undefined;
  if (!row || (row.found && row.usable)) return;
  throw new SchemaMissingError(schema, row.database, row.schemas, row.found);
}
