/** Reads one database's schema into the normalized model (src/model/schema.ts). */
import type { SchemaModel } from '../model/schema.js';

export interface SchemaIntrospector {
  introspect(): Promise<SchemaModel>;
}
