import { fileURLToPath } from 'node:url';

/** Files shipped with the package; resolved from src/cli or dist/cli alike. */
export function packagePath(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}

export const DEFAULT_AGENT_CONFIG = 'configs/agents/memory.yaml';
export const DEFAULT_DATASET_CONFIG = 'configs/datasets/default.yaml';
