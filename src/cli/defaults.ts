export { packagePath } from '../package-path.js';

export const DEFAULT_AGENT_CONFIG = 'configs/agents/memory.yaml';
export const DEFAULT_DATASET_CONFIG = 'configs/datasets/default.yaml';
