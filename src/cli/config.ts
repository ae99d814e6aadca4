/**
 * Where the two databases are: flags first, then environment (SQLITE_PATH, PG_URL,
 * PG_SCHEMA), then replicate.config.json|yaml|yml in the working directory (or --config).
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, FileMissingError } from '../errors.js';
import type { ConfigFile } from './config-file.js';
import type { CliIO } from './io.js';

export const CONFIG_FILE_NAMES = ['replicate.config.json', 'replicate.config.yaml', 'replicate.config.yml'] as const;

export interface ConnectionFlags {
  sqlite?: string | undefined;
  pg?: string | undefined;
  schema?: string | undefined;
  mappings?: string | undefined;
  config?: string | undefined;
}

export interface Settings {
  sqlitePath: string;
  pgUrl: string;
  schema: string;
  mappingsDir: string;
  /** row-filter :param values from the config file (flags add to them: see parseParams) */
  params: Record<string, string | number | boolean | null>;
  configFile: string | null;
}

function findConfig(flags: ConnectionFlags, io: CliIO): string | null {
  if (flags.config) {
    const p = resolve(io.cwd, flags.config);
    if (!existsSync(p)) throw new FileMissingError(p, 'config file');
    return p;
  }
  for (const name of CONFIG_FILE_NAMES) {
    const p = resolve(io.cwd, name);
    if (existsSync(p)) return p;
  }
  return null;
}

/** What a command needs of the settings. */
export interface SettingsNeeds {
  /** default true */
  sqlite?: boolean;
  /** default true */
  pg?: boolean;
  /** the command writes the mappings directory (`map`): one named that does not exist yet is made, not refused */
  writesMappings?: boolean;
}

/** An empty schema name would read as a schema with no tables; refused as the config file refuses it. */
function schemaName(flags: ConnectionFlags, io: CliIO, file: ConfigFile): string {
  if (flags.schema === '') throw new ConfigError('--schema is empty: name a PostgreSQL schema, or leave the flag out for "public"', 'schema');
  if (flags.schema === undefined && io.env.PG_SCHEMA === '') throw new ConfigError('PG_SCHEMA is set but empty: name a PostgreSQL schema, or unset it for "public"', 'schema');
  return flags.schema ?? io.env.PG_SCHEMA ?? file.schema ?? 'public';
}

/**
 * The mappings directory. Only the default ./mappings may be absent (a pair on its generated
 * mappings): a directory the user named that is not there is a typo, and running on the
 * generated mappings instead would drop every row filter and rename of the real files.
 */
function mappingsDir(flags: ConnectionFlags, io: CliIO, fromConfig: string | undefined, configFile: string | null, writes: boolean): string {
  if (flags.mappings === '') throw new ConfigError('--mappings is empty: name the mapping files directory, or leave the flag out for ./mappings', 'mappings');
  const named = flags.mappings ? { dir: resolve(io.cwd, flags.mappings), by: '--mappings', file: null } : fromConfig ? { dir: fromConfig, by: '"mappings" in the config file', file: configFile } : null;
  if (!named) return resolve(io.cwd, 'mappings');
  if (!writes && !existsSync(named.dir)) {
    throw new ConfigError(
      `mappings directory ${named.dir} (${named.by}) does not exist: fix the path; without its files every table would run on a generated mapping, with no row filters (only the default ./mappings may be absent)`,
      'mappings',
      named.file,
    );
  }
  return named.dir;
}

/** Async because the config file's parser (YAML, zod) loads only when there is a file. */
export async function resolveSettings(flags: ConnectionFlags, io: CliIO, needs: SettingsNeeds = {}): Promise<Settings> {
  const need = { sqlite: needs.sqlite ?? true, pg: needs.pg ?? true };
  const configFile = findConfig(flags, io);
  const file: ConfigFile = configFile ? (await import('./config-file.js')).readConfig(configFile) : {};
  const base = configFile ? dirname(configFile) : io.cwd;
  const fromFile = (p: string | undefined): string | undefined => (p === undefined ? undefined : isAbsolute(p) ? p : resolve(base, p));

  const sqlite = flags.sqlite ? resolve(io.cwd, flags.sqlite) : io.env.SQLITE_PATH ? resolve(io.cwd, io.env.SQLITE_PATH) : fromFile(file.sqlite);
  const pgUrl = flags.pg ?? io.env.PG_URL ?? file.pg;
  if (need.sqlite && !sqlite) {
    throw new ConfigError('no SQLite database given: use --sqlite PATH, set SQLITE_PATH, or add "sqlite" to replicate.config.json', 'sqlite', configFile);
  }
  if (need.pg && !pgUrl) {
    throw new ConfigError('no PostgreSQL connection given: use --pg URL, set PG_URL, or add "pg" to replicate.config.json', 'pg', configFile);
  }
  return {
    sqlitePath: sqlite ?? '',
    pgUrl: pgUrl ?? '',
    schema: schemaName(flags, io, file),
    mappingsDir: mappingsDir(flags, io, fromFile(file.mappings), configFile, needs.writesMappings ?? false),
    params: { ...(file.params ?? {}) },
    configFile,
  };
}

/** `--param store=7 --param region=north` -> { store: '7', region: 'north' }; a flag wins over the config file. */
export function parseParams(values: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(v);
    if (!m) throw new ConfigError(`--param must look like NAME=VALUE (e.g. --param store=7); got '${v}'`, 'param');
    out[m[1] as string] = m[2] as string;
  }
  return out;
}
