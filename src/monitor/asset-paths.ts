import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** src/monitor/assets (the pages and their stylesheet), from src/monitor (tests) and dist/monitor (the bin) alike. */
export function assetDir(): string {
  return fileURLToPath(new URL('../../src/monitor/assets/', import.meta.url));
}

/** A file of the front-end bundle: dist/web, from dist/monitor (the bin) and src/monitor (tests) alike. */
export function webBundle(name: string): string {
  const beside = fileURLToPath(new URL(`../web/${name}`, import.meta.url));
  return existsSync(beside) ? beside : fileURLToPath(new URL(`../../dist/web/${name}`, import.meta.url));
}
