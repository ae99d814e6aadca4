/**
 * replicate.config.json|yaml|yml: parsed and validated here, in a module of its own so
 * that YAML and zod load only when a config file exists (config.ts imports it on demand).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, maskCredentials, redactSecret } from '../errors.js';

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

/**
 * Passwords as the file spells them: what follows `scheme://user:` on a line, up to its last
 * '@'. A parse error quotes lines of the file, and a password with a space or a quote in it
 * is not masked by its shape alone (maskCredentials).
 */
function passwordsWritten(text: string): string[] {
  return [...text.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^\s:/@"']*:(.+)@/gi)].map((m) => m[1] ?? '').filter((p) => p.length > 0);
}

/** The parser's message with no password in it; V8's JSON messages quote a snippet of the text, which is dropped. */
function parseFailure(e: unknown, text: string, json: boolean): string {
  let message = e instanceof Error ? e.message : String(e);
  if (json) message = message.replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, ' (not valid JSON)');
  for (const p of passwordsWritten(text)) message = redactSecret(message, p);
  return maskCredentials(message);
}

export function readConfig(path: string): ConfigFile {
  let raw: unknown;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read: ${e instanceof Error ? e.message : String(e)}`, null, path);
  }
  const json = path.endsWith('.json');
  try {
    raw = json ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigError(`cannot parse: ${parseFailure(e, text, json)}`, null, path);
  }
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join('.') || (issue && 'keys' in issue ? String(issue.keys) : null);
    throw new ConfigError(`${key ? `key ${key}: ` : ''}${issue?.message ?? 'invalid'} (allowed keys: sqlite, pg, schema, mappings, params)`, key ?? null, path);
  }
  return parsed.data;
}
