#!/usr/bin/env node
/**
 * The `referee` bin. Start-up: the CLI runs from one esbuild bundle (dist/bin, written by
 * scripts/build-cli.mjs from ./program.ts and what it imports), split where the program loads a
 * part lazily, so a run reads a few files instead of ~800 modules one by one. On Node >= 22.1 V8's
 * compiled code for it is kept between runs (Node's compile cache: the OS temp dir, or
 * NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off); Node 20 has no such cache.
 */
import module from 'node:module';

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// Not a literal: the bundle exists only after the build, and tsc must not look for it.
const bundle = '../bin/referee.js';
await import(bundle);
