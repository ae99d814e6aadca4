/**
 * Loading a CommonJS bundle (quick-run.ts's, built by scripts/bundle-cli.mjs) with a V8 code
 * cache, what Node >= 22.1 does for every module with module.enableCompileCache and Node 20
 * cannot: the bytecode V8 compiled for the bundle in an earlier run, read back instead of
 * compiling the source again. The cache is written after a run that found none (or whose
 * cache V8 turned down), so it holds the functions that run needed, not only the top level.
 *
 * It is only ever a shortcut. Its file is named by the bundle's content hash (appended by
 * the build), Node's version and the CPU architecture, and carries a digest of its data
 * (see MAGIC); V8 checks its own version, flags and the source's length and turns down
 * anything else (cachedDataRejected). Either way the source is then compiled as without a
 * cache, and the cache written again. A cache folder that cannot be made or written, or one that
 * is not private to this user (bytecode is code: another user's file is never run), means
 * no cache, never an error.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import vm from 'node:vm';

/** The build's last line of the bundle: `// bundle-hash: <hex>`. */
const HASH_LINE = /\n\/\/ bundle-hash: ([0-9a-f]{16,64})\s*$/;

/** Where caches go: REPLICATE_CODE_CACHE_DIR, else a folder of this user's in the OS temp folder; null when REPLICATE_CODE_CACHE=off. */
export function codeCacheDir(env: NodeJS.ProcessEnv): string | null {
  if (env.REPLICATE_CODE_CACHE === 'off') return null;
  if (env.REPLICATE_CODE_CACHE_DIR) return env.REPLICATE_CODE_CACHE_DIR;
  const uid = process.getuid?.();
  return join(tmpdir(), uid === undefined ? 'replicate-code-cache' : `replicate-code-cache-${uid}`);
}

/**
 * True when `dir` is a folder (not a link to one: in a shared temp folder a link could point
 * our writes anywhere), belongs to this user and no one else may write in it.
 */
function privateFolder(dir: string): boolean {
  try {
    const s = lstatSync(dir);
    const uid = process.getuid?.();
    return s.isDirectory() && (uid === undefined || (s.uid === uid && (s.mode & 0o022) === 0));
  } catch {
    return false;
  }
}

/**
 * A cache file: MAGIC, the SHA-256 of the rest, then V8's data. Node 20's V8 does not check
 * its code cache's checksum (only debug builds do): a damaged file (a full disk, a crash
 * mid-write on a file system without atomic rename) would crash the process in its
 * deserializer. So the data is only handed to V8 when its digest matches. 40 bytes keep
 * the data 8-byte aligned, so V8 reads it where it is.
 */
const MAGIC = Buffer.from('RPLCC\u0001\u0000\u0000', 'latin1');
const HEADER = MAGIC.length + 32;
const digest = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

function readCache(file: string): Buffer | undefined {
  if (!privateFolder(dirname(file))) return undefined;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  if (bytes.length <= HEADER || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const data = bytes.subarray(HEADER);
  return digest(data).equals(bytes.subarray(MAGIC.length, HEADER)) ? data : undefined;
}

/** Writes the cache whole or not at all (a rename), and removes the caches of other builds of the same bundle. */
function writeCache(file: string, data: Buffer, stem: string): void {
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!privateFolder(dir)) return;
    const part = `${file}.${process.pid}.part`;
    writeFileSync(part, Buffer.concat([MAGIC, digest(data), data]), { mode: 0o600 });
    renameSync(part, file);
    for (const name of readdirSync(dir)) {
      if (name.startsWith(`${stem}-`) && name !== basename(file) && !name.endsWith('.part')) rmSync(join(dir, name), { force: true });
    }
  } catch {
    // no cache this time: the next run compiles again
  }
}

export interface CachedModule {
  /** the bundle's module.exports */
  exports: unknown;
  /** True when V8 took the cached code instead of compiling the source. */
  cacheUsed: boolean;
  /** Writes the cache when this run had none or V8 turned it down; call when the work is done. */
  saveCache(): void;
}

/**
 * Runs the CommonJS file `file` as Node would (module, exports, require beside it) with its
 * code cache in `cacheDir` (null: none); null when the file is not there.
 */
export function loadWithCodeCache(file: string, cacheDir: string | null): CachedModule | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return null;
  }
  // The build writes the bundle in ASCII (scripts/bundle-cli.mjs): read as Latin-1, it is the
  // same text, and V8 gets a one-byte string without a UTF-8 decoding (about 10 ms here).
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const hash = HASH_LINE.exec(source.slice(-120))?.[1];
  const stem = basename(file).replace(/\.c?js$/, '');
  const cacheFile = cacheDir && hash ? join(cacheDir, `${stem}-${hash}-${process.version}-${process.arch}.v8cache`) : null;
  const cachedData = cacheFile ? readCache(cacheFile) : undefined;
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n})`;
  // no import() in the bundle (the build checks): a vm.Script has no module loader for one
  const script = new vm.Script(wrapped, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const fn = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dir: string) => void;
  const mod = { exports: {} as unknown };
  fn.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  const needed = cacheFile !== null && (cachedData === undefined || script.cachedDataRejected === true);
  return {
    exports: mod.exports,
    cacheUsed: cachedData !== undefined && script.cachedDataRejected === false,
    saveCache() {
      if (needed) writeCache(cacheFile, script.createCachedData(), stem);
    },
  };
}
