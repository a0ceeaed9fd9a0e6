// Bundles the typed front end (src/web) into dist/web at build time, pinned esbuild (issue 21).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// A bundle renamed or removed must not linger beside the new one.
rmSync('dist/web', { recursive: true, force: true });

await build({
  entryPoints: { app: 'src/web/app/main.tsx' },
  outdir: 'dist/web',
  bundle: true,
  format: 'iife',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  sourcemap: true,
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
