import { packagePath } from '../package-path.js';

/** src/monitor/assets (the pages and their stylesheet), from src/monitor (tests) and the built CLI alike. */
export function assetDir(): string {
  return `${packagePath('src/monitor/assets')}/`;
}

/** A file of the front-end bundle (dist/web), from src/monitor (tests) and the built CLI alike. */
export function webBundle(name: string): string {
  return packagePath(`dist/web/${name}`);
}
