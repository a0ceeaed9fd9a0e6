import { fileURLToPath } from 'node:url';

/** Files shipped with the package (configs, data, dashboards); resolved from src/ or dist/ alike. */
export function packagePath(relative: string): string {
  return fileURLToPath(new URL(`../${relative}`, import.meta.url));
}
