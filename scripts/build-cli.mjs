// Bundles the CLI (dist/cli/program.js, as tsc wrote it, and everything it imports) into dist/bin
// for start-up: a 20-task run's process loaded ~800 module files one by one. Splitting keeps the
// program's lazy parts (the monitor, match mode, launchers, exporters) in chunks of their own,
// loaded only by the runs that use them. dist/cli/main.js (the bin) imports dist/bin/referee.js.
// The library (dist/index.js) stays tsc's output, unbundled. What the program loads through
// createRequire (the tokenizers, chart.js, cli-progress, OTLP exporters) stays in node_modules.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { build } from 'esbuild';

const OUT = 'dist/bin';
// Written beside, then swapped in: a CLI started during a build (another terminal, a test) finds a
// whole bundle, old or new, and no chunk of an old build lingers beside the new ones.
const NEXT = `${OUT}.next-${process.pid}`;
rmSync(NEXT, { recursive: true, force: true });

/**
 * yargs finds its locales and the program's package.json (for --version) from its own file's
 * place in node_modules; bundled, that place is dist/bin, and it fell back to the working
 * directory: `referee --version` printed the version of the project the user stood in, after
 * listing every folder from there up. This gives it back both places.
 */
const SHIM_PLACE = `const __dirname = fileURLToPath(import.meta.url);
const mainFilename = __dirname.substring(0, __dirname.lastIndexOf('node_modules'));`;
const yargsShim = {
  name: 'yargs-shim-places',
  setup(b) {
    b.onLoad({ filter: /yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(SHIM_PLACE)) throw new Error(`${args.path}: yargs changed how it finds its place; see scripts/build-cli.mjs`);
      const placed = text.replace(
        SHIM_PLACE,
        `const __dirname = join(dirname(createRequire(import.meta.url).resolve('yargs')), 'lib/platform-shims/esm.mjs');
const mainFilename = fileURLToPath(new URL('../../', import.meta.url));`,
      );
      return { contents: placed, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

const result = await build({
  entryPoints: { referee: 'dist/cli/program.js' },
  outdir: NEXT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: ['node20.19'],
  // CommonJS packages inside an ES module bundle call require(): give every chunk one.
  banner: { js: "import { createRequire as __refereeCreateRequire } from 'node:module';\nconst require = __refereeCreateRequire(import.meta.url);" },
  legalComments: 'none',
  // Whitespace and syntax only: ~5 MB less resident, names kept; a crash's stack maps back to
  // dist/ with NODE_OPTIONS=--enable-source-maps.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  metafile: true,
  plugins: [yargsShim],
  // The ES module builds (package.json "module") where a package has one: esbuild drops what
  // is never imported from them (all but a few of @opentelemetry/semantic-conventions' 130 KB).
  mainFields: ['module', 'main'],
  logLevel: 'warning',
});
// Which source modules each chunk holds: the start-up test reads it to tell what a run loaded.
writeFileSync(`${NEXT}/meta.json`, JSON.stringify(result.metafile).replaceAll(`${NEXT}/`, `${OUT}/`));
const OLD = `${OUT}.old-${process.pid}`;
try {
  renameSync(OUT, OLD);
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
}
renameSync(NEXT, OUT);
rmSync(OLD, { recursive: true, force: true });
