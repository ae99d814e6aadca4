/**
 * Introspects both databases of a replication pair into the normalized model.
 * Connections are opened for the duration of the call and always closed.
 */
import type { SchemaModel } from '../model/schema.js';
import { openSqlite } from '../connect/sqlite-connection.js';
import { connectPostgres } from '../connect/postgres-connection.js';
import { SqliteIntrospector } from './sqlite-introspector.js';
import { PostgresIntrospector } from './postgres-introspector.js';

export interface PairLocation {
  sqlitePath: string;
  pgUrl: string;
  /** PostgreSQL schema, 'public' by default */
  schema?: string;
}

export interface SchemaPair {
  sqlite: SchemaModel;
  postgres: SchemaModel;
}

export async function introspectSqliteFile(path: string): Promise<SchemaModel> {
  const db = openSqlite(path, { readonly: true });
  try {
    return new SqliteIntrospector(db).introspectSync();
  } finally {
    db.close();
  }
}

export async function introspectPostgres(url: string, schema = 'public'): Promise<SchemaModel> {
  const client = await connectPostgres(url, { applicationName: 'replicate introspect' });
  try {
    return await new PostgresIntrospector(client, schema).introspect();
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function introspectPair(loc: PairLocation): Promise<SchemaPair> {
  // SQLite first: a wrong path fails fast without a network round trip.
  const sqlite = await introspectSqliteFile(loc.sqlitePath);
  const postgres = await introspectPostgres(loc.pgUrl, loc.schema ?? 'public');
  return { sqlite, postgres };
}
