/**
 * replicate.config.json|yaml|yml: parsed and validated here, in a module of its own so
 * that YAML and zod load only when a config file exists (config.ts imports it on demand).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.js';

const configSchema = z
  .object({
    sqlite: z.string().min(1).optional(),
    pg: z.string().min(1).optional(),
    schema: z.string().min(1).optional(),
    mappings: z.string().min(1).optional(),
    /** values of the :params in mappings' row filters */
    params: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a :param name is letters, digits and _'), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof configSchema>;

export function readConfig(path: string): ConfigFile {
  let raw: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigError(`cannot parse: ${e instanceof Error ? e.message : String(e)}`, null, path);
  }
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join('.') || (issue && 'keys' in issue ? String(issue.keys) : null);
    throw new ConfigError(`${key ? `key ${key}: ` : ''}${issue?.message ?? 'invalid'} (allowed keys: sqlite, pg, schema, mappings, params)`, key ?? null, path);
  }
  return parsed.data;
}
