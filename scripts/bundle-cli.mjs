/**
 * `npm run build`, second step: the command line in fewer, larger ES module files. Node 20
 * resolves, loads and links every module file on its own (it has no compile cache before
 * Node 22): an incremental run (bench case d) loaded about 90 of our modules and 50 CommonJS
 * files of the pg driver, about a third of its CPU time; bundled, it loads about 40 files.
 *
 * tsc has written dist/ (the library, dist/index.js, stays exactly as tsc wrote it). This
 * replaces dist/cli/main.js, the file bin/replicate imports, with a bundle of the CLI built
 * from those files, split at its dynamic imports (each command, the engine and the terminal
 * UI load only when used, as before), with the pg driver inside it. The reader threads'
 * entry files are bundled next to it, under the names the engine looks for beside its own
 * code (io/sqlite-read-thread.ts, io/postgres-read-thread.ts).
 *
 * The terminal UI's packages (Ink, React and what they import) are bundled too, into the
 * chunks only the UI loads (UI_ROOTS below). Everything else from node_modules stays an import
 * of the installed package: better-sqlite3 is a native addon.
 */
import { build } from 'esbuild';
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const out = join(dist, 'cli');

/**
 * The pg driver and what it requires: bundled. It is CommonJS, so inside the bundle it is
 * evaluated where it is first imported, after connect/navigator-stand-in.ts has answered its
 * Cloudflare probe (left as an import of the package, it would be hoisted above the stand-in
 * and load all of undici). pg-native and pg-cloudflare are optional and stay outside.
 */
const BUNDLED = new Set([
  'pg', 'pg-pool', 'pg-protocol', 'pg-types', 'pg-int8', 'pg-connection-string', 'pgpass', 'split2',
  'postgres-array', 'postgres-bytea', 'postgres-date', 'postgres-interval', 'xtend', 'pg-copy-streams', 'obuf',
]);

const packageName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

/**
 * The terminal UI's packages: Ink and React, and whatever they import, bundled into the UI's
 * own chunks (loaded only when it opens, with NODE_ENV and CI set as commands/tui.ts sets them).
 * Installed, Ink loads 587 module files, 416 of them es-toolkit/compat's, for the one throttle
 * it uses. Loading the UI took 0.6-0.8 s of CPU, 21-23 MB of heap and 90-95 MB RSS; bundled,
 * 0.14-0.15 s, 12 MB and 68 MB (in a run watched with `run --tui`, bench case f, every core is
 * busy, and goal e caps its peak RSS). Optional packages that are never installed stay imports.
 */
const UI_ROOTS = new Set(['ink', 'react']);
const NEVER_BUNDLED = new Set(['react-devtools-core', 'pg-native', 'pg-cloudflare', 'better-sqlite3']);
const insidePackage = (file) => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(file.replaceAll('\\', '/'));
  return m ? m[1] : null;
};
/**
 * Faster stand-ins for two packages Ink's renderer calls for every line of every frame
 * (src/tui/ink-speedups/: the same results, remembered across frames, far less garbage): a frame
 * of `run --tui` went from about 14 to 5 ms of CPU and from 9.5 to 1.3 MB of garbage. Put where
 * an import resolves to the very copy the stand-in wraps (wrap-ansi keeps its own string-width 7).
 */
const SPEEDUPS = {
  'string-width': join(dist, 'tui/ink-speedups/cached-string-width.js'),
  '@alcalzone/ansi-tokenize': join(dist, 'tui/ink-speedups/cached-ansi-tokenize.js'),
};
/**
 * Ink's Output, the frame's grid of styled cells, stood in for where Ink's renderer imports it
 * (src/tui/ink-speedups/remembered-output.ts: the same frames; a row written as in an earlier
 * frame is not composed again): a steady frame of `run --tui` drew 4,800 cell objects and
 * turned 40 rows back into text, to change about five of them.
 */
const INK_OUTPUT = join(dist, 'tui/ink-speedups/remembered-output.js');
const STAND_INS = new Set([...Object.values(SPEEDUPS), INK_OUTPUT]);
const inkSpeedups = {
  name: 'ink-speedups',
  setup(b) {
    const wrapped = new Map();
    const resolveAs = (path, importer, resolveDir, kind) => b.resolve(path, { importer, resolveDir, kind, pluginData: { speedups: false } }).then((r) => r.path);
    b.onResolve({ filter: /^(string-width|@alcalzone\/ansi-tokenize)$/ }, async (args) => {
      const standIn = SPEEDUPS[args.path];
      if (args.pluginData?.speedups === false || args.importer === standIn) return undefined;
      if (!wrapped.has(args.path)) wrapped.set(args.path, resolveAs(args.path, standIn, dirname(standIn), 'import-statement'));
      const [own, here] = await Promise.all([wrapped.get(args.path), resolveAs(args.path, args.importer, args.resolveDir, args.kind)]);
      return own === here ? { path: standIn } : undefined;
    });
    b.onResolve({ filter: /^\.\/output\.js$/ }, (args) => (/node_modules[\\/]ink[\\/]build[\\/]renderer\.js$/.test(args.importer) ? { path: INK_OUTPUT } : undefined));
  },
};

/**
 * React's packages choose their build from NODE_ENV when they load, and the UI always loads
 * them as production (commands/tui.ts). Said at build time instead, the development builds,
 * never run, are left out of the UI's chunk: 1.6 -> 0.9 MB for Node to parse each time the UI
 * opens (loading it: 95-114 -> 84-93 ms of CPU).
 */
const reactProduction = {
  name: 'react-production',
  setup(b) {
    b.onLoad({ filter: /node_modules[\\/](react|react-reconciler|scheduler)[\\/][^\\/]+\.js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll('process.env.NODE_ENV', '"production"'),
      loader: 'js',
    }));
  },
};

const bundled = (args) => {
  const name = packageName(args.path);
  if (NEVER_BUNDLED.has(name)) return false;
  if (BUNDLED.has(name) || UI_ROOTS.has(name)) return true;
  // what a stand-in wraps goes into the UI's chunks with it
  if (STAND_INS.has(args.importer)) return true;
  // a dependency of a UI package (imported from inside node_modules, not from our code)
  const from = insidePackage(args.importer);
  return from !== null && !BUNDLED.has(from);
};

const require = createRequire(import.meta.url);

const externalPackages = {
  name: 'external-packages',
  setup(b) {
    // pg's CommonJS entry, not its ESM wrapper: each importer then runs the driver where it
    // imports it (after the stand-in), where the wrapper's own import would sit at the top of
    // a shared chunk and run first
    b.onResolve({ filter: /^pg$/ }, () => ({ path: require.resolve('pg') }));
    b.onResolve({ filter: /^[^./]/ }, (args) => (bundled(args) ? undefined : { path: args.path, external: true }));
  },
};

const CHUNKS = 'cli-chunks';
const BANNER = "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);";

const main = join(out, 'main.js');
// the input is tsc's main.js, which `npm run build` has just written; a bundle is no input
if (readFileSync(main, 'utf8').startsWith(BANNER)) throw new Error(`${main} is already a bundle: run \`npm run build\` (tsc first)`);
// chunks of an earlier build: their names change with their content
rmSync(join(dist, CHUNKS), { recursive: true, force: true });

// The state tables' DDL as knex writes it, computed now so a run never loads knex for it
// (replicator/state/state-tables.ts, STATE_TABLE_DDL).
const { allStateTableDdl } = await import(pathToFileURL(join(dist, 'replicator/state/state-tables.js')).href);

const common = {
  outdir: dist,
  define: { STATE_TABLE_DDL: JSON.stringify(allStateTableDdl()) },
  allowOverwrite: true,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  metafile: true,
  absWorkingDir: root,
  logLevel: 'warning',
  // the bundled CommonJS (pg) calls require() for Node's own modules
  banner: { js: BANNER },
  plugins: [inkSpeedups, reactProduction, externalPackages],
};

const cli = await build({
  ...common,
  entryPoints: { 'cli/main': main },
  // one level below the package root, as every folder of dist/ is: paths the code takes
  // from import.meta.url (the demo's ../../tests/fixtures/pos/) mean the same from here
  chunkNames: `${CHUNKS}/[name]-[hash]`,
  splitting: true,
});

// The reader threads' entry files, each whole in one file (a thread shares no module with the
// main thread), beside the chunks, where the engine's code looks for them
// (new URL('./…-worker.js', import.meta.url)). Built apart: as entry points of the CLI's build
// they split the code both use into many more small chunks, each one more file to load.
const workers = await build({
  ...common,
  entryPoints: {
    [`${CHUNKS}/sqlite-read-worker`]: join(dist, 'replicator/io/sqlite-read-worker.js'),
    [`${CHUNKS}/postgres-read-worker`]: join(dist, 'replicator/io/postgres-read-worker.js'),
  },
});

// A plain `replicate run` on Node 20 (no module.enableCompileCache): quick-run.ts and all it
// needs in one CommonJS file, which bin/replicate compiles with a V8 code cache
// (cli/code-cache.ts). An incremental run (bench case d): about 70-80 ms less CPU and wall.
// The terminal UI (ES modules only) is never part of it: quick-run.ts leaves --tui to main.
// Beside the chunks, so the reader threads' files are where the engine looks. Its last line
// is its content hash, which names its cache.
const QUICK_RUN = join(dist, CHUNKS, 'quick-run.cjs');
const noTui = {
  name: 'no-tui',
  setup(b) {
    b.onResolve({ filter: /^\.\/tui\.js$/ }, (args) => (/cli[\\/]commands[\\/]run\.js$/.test(args.importer) ? { path: 'tui', namespace: 'no-tui' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'no-tui' }, () => ({
      contents: "const no = () => { throw new Error('run --tui goes through cli/main.js, never quick-run.cjs'); }; export const hasTerminal = no, runTui = no;",
      loader: 'js',
    }));
  },
};
const quick = await build({
  ...common,
  entryPoints: [join(out, 'quick-run.js')],
  outdir: undefined,
  outfile: QUICK_RUN,
  format: 'cjs',
  splitting: false,
  // Read and compiled on every run: without comments and indentation it is 25% smaller, and
  // in ASCII (esbuild escapes the rest; the check below holds it to that) cli/code-cache.ts
  // reads it as a one-byte string. Names stay, so a stack trace still reads.
  minifyWhitespace: true,
  legalComments: 'none',
  banner: { js: "var __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { ...common.define, 'import.meta.url': '__bundleUrl' },
  plugins: [noTui, externalPackages],
});
{
  const text = readFileSync(QUICK_RUN, 'utf8');
  if (/\bimport\.meta\b/.test(text)) throw new Error(`${QUICK_RUN} still uses import.meta, which a CommonJS file does not have`);
  // a script compiled by vm.Script (cli/code-cache.ts) has no loader for import()
  if (/\bimport\s*\(/.test(text)) throw new Error(`${QUICK_RUN} has an import(), which cli/code-cache.ts cannot load: bundle what it imports`);
  if (!isAscii(Buffer.from(text))) throw new Error(`${QUICK_RUN} is not ASCII: cli/code-cache.ts then decodes it as UTF-8 on every run`);
  writeFileSync(QUICK_RUN, `${text}\n// bundle-hash: ${createHash('sha256').update(text).digest('hex').slice(0, 32)}\n`);
}

// The loader of that bundle, as CommonJS for bin/replicate, which is CommonJS (bin/package.json)
// so that Node starts it without its ES module loader. It imports Node's own modules only.
await build({
  ...common,
  entryPoints: [join(out, 'code-cache.js')],
  outdir: undefined,
  outfile: join(dist, CHUNKS, 'code-cache.cjs'),
  format: 'cjs',
  splitting: false,
  banner: undefined,
  plugins: [],
});

// The stand-ins must be where Ink draws: a newer Ink that no longer imports them would be
// slower without a word, so fail the build instead.
const inputOf = (pattern) => Object.entries(cli.metafile.inputs).find(([file]) => pattern.test(file))?.[1];
const importsOf = (input) => new Set((input?.imports ?? []).map((i) => join(root, i.path)));
if (!importsOf(inputOf(/node_modules\/ink\/build\/renderer\.js$/)).has(INK_OUTPUT)) throw new Error(`Ink's build/renderer.js no longer imports the Output that ${INK_OUTPUT} stands in for: see INK_OUTPUT in scripts/bundle-cli.mjs`);
if (inputOf(/node_modules\/ink\/build\/output\.js$/)) throw new Error("Ink's own build/output.js is in the UI's chunk beside its stand-in: see INK_OUTPUT in scripts/bundle-cli.mjs");
// the stand-in composes rows with the other two stand-ins, as Ink's output.js would
const outputImports = importsOf(inputOf(/tui\/ink-speedups\/remembered-output\.js$/));
for (const standIn of Object.values(SPEEDUPS)) {
  if (!outputImports.has(standIn)) throw new Error(`${INK_OUTPUT} does not import ${standIn}: see SPEEDUPS in scripts/bundle-cli.mjs`);
}

// React's development builds stay out (reactProduction): a React that chose its build some other way would bring them back
if (Object.keys(cli.metafile.inputs).some((file) => /node_modules\/(react|react-reconciler|scheduler)\/cjs\/.*development\.js$/.test(file))) throw new Error("React's development build is in the UI's chunk: see reactProduction in scripts/bundle-cli.mjs");

// Files the code finds from its own location must be there from the bundle's too: a worker
// file the engine did not find would make it read on the main thread without a word
// (io/sqlite-read-thread.ts), so fail the build instead.
for (const file of [...Object.keys(cli.metafile.outputs), ...Object.keys(workers.metafile.outputs), ...Object.keys(quick.metafile.outputs)].filter((f) => /\.c?js$/.test(f))) {
  const text = readFileSync(join(root, file), 'utf8');
  for (const [, rel] of text.matchAll(/new URL\(\s*["'](\.{1,2}\/[^"']*)["']\s*,\s*(?:import\.meta\.url|__bundleUrl)\s*\)/g)) {
    // Ink reads its own package.json only under DEV=true (for React's devtools), never here
    if (rel === '../package.json' && /render-tui-/.test(file)) continue;
    if (!existsSync(join(root, dirname(file), rel))) throw new Error(`${file} refers to ${rel} beside itself, which is not there`);
  }
}
