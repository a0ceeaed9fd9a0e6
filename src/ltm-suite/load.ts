/**
 * An LTM suite: agents × GoodAI-shaped dataset configs × seeds, each combination one LTM run.
 *
 *   name: ltm-nightly
 *   kind: ltm
 *   agents: [../agents/memory.yaml]
 *   datasets: [../datasets/default.yaml]
 *   seeds: [0, 1, 2, 3, 4]
 */
import { basename, dirname, extname, resolve } from 'node:path';
import { z } from 'zod';
import type { AgentConfig } from '../config/agent.js';
import type { DatasetConfig } from '../config/dataset.js';
import { formatZodIssues, loadAgentConfig, loadDatasetConfig, readYaml } from '../config/load.js';
import { parseOverride } from '../config/overrides.js';
import { ConfigError } from '../errors.js';

export const LtmSuiteSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]+$/).optional(),
  kind: z.literal('ltm'),
  agents: z.array(z.string()).min(1),
  datasets: z.array(z.string()).min(1),
  seeds: z.array(z.number().int().nonnegative()).min(1).default([0]),
  defaults: z.strictObject({ concurrency: z.number().int().positive().default(1) }).default({ concurrency: 1 }),
});
export type LtmSuite = z.infer<typeof LtmSuiteSchema>;

export interface LoadedLtmSuite {
  name: string;
  file: string;
  suite: LtmSuite;
  agents: { file: string; config: AgentConfig }[];
  /** Each dataset config, named by its file (`default.yaml` → `default`). */
  datasets: { file: string; name: string; config: DatasetConfig }[];
  /** `--overrides` given to every agent (`agent.*`) and dataset config (`dataset.*`), as given. */
  overrides: string[];
}

/** Whether a suite file's YAML is an LTM suite (`kind: ltm`). */
export function isLtmSuiteYaml(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'ltm';
}

export function loadLtmSuite(file: string, overrides: string[] = []): LoadedLtmSuite {
  const parsedOverrides = overrides.map(parseOverride);
  const parsed = LtmSuiteSchema.safeParse(readYaml(file));
  if (!parsed.success) throw new ConfigError('CONFIG_INVALID', formatZodIssues(file, parsed.error));
  const suite = parsed.data;
  const here = dirname(resolve(file));
  const agents = suite.agents.map((f) => ({ file: resolve(here, f), config: loadAgentConfig(resolve(here, f), parsedOverrides) }));
  const datasets = suite.datasets.map((f) => ({ file: resolve(here, f), name: basename(f, extname(f)), config: loadDatasetConfig(resolve(here, f), parsedOverrides) }));
  for (const list of [agents.map((a) => a.config.name), datasets.map((d) => d.name)]) {
    const twice = list.find((n, i) => list.indexOf(n) !== i);
    if (twice !== undefined) throw new ConfigError('CONFIG_INVALID', `${file}: "${twice}" is named twice; each agent and dataset config needs a name of its own`);
  }
  const seeds = suite.seeds;
  if (new Set(seeds).size !== seeds.length) throw new ConfigError('CONFIG_INVALID', `${file}: seeds: a seed is listed twice`);
  const pinned = datasets.find((d) => d.config.config.sha256 !== undefined && seeds.some((s) => s !== d.config.datasets.args.seed));
  if (pinned) throw new ConfigError('CONFIG_INVALID', `${pinned.file}: config.sha256 pins the dataset of seed ${pinned.config.datasets.args.seed}; an LTM suite's other seeds generate other datasets (drop the pin or the seeds)`);
  return { name: suite.name ?? basename(file, extname(file)), file: resolve(file), suite, agents, datasets, overrides };
}

/** The dataset config with `datasets.args.seed` set. */
export function withSeed(config: DatasetConfig, seed: number): DatasetConfig {
  return { ...config, datasets: { ...config.datasets, args: { ...config.datasets.args, seed } } };
}
