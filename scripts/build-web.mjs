// Bundles the typed front end (src/web) into dist/web at build time, pinned esbuild (issue 21).
import { build } from 'esbuild';

await build({
  entryPoints: { viewer: 'src/web/app/main.tsx', monitor: 'src/web/app/live/main.ts' },
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
