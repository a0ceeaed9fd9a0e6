import type { RunFlags } from '../config/run-options.js';
import { ConfigError } from '../errors.js';

/**
 * issue 17 (seed 003): `--seed`, `--input-price-per-mtok` and `--output-price-per-mtok`
 * are `--overrides` paths with a name of their own; they become those overrides, so
 * every kind of run that takes overrides (LTM, tasks, suite, match) honours them, and
 * where one cannot apply the run refuses (a flag is never silently ignored).
 */
export function withFlagOverrides(flags: RunFlags): RunFlags {
  const extra: string[] = [];
  if (flags.seed !== undefined) {
    if (flags.suite !== undefined || flags.tasks !== undefined) {
      throw new ConfigError('CONFIG_INVALID', 'command line: --seed is for LTM and match runs; a task file is fixed, nothing in it is generated, and an LTM suite lists its seeds');
    }
    if (flags['dataset-dir'] !== undefined) throw new ConfigError('CONFIG_INVALID', 'command line: --seed generates a dataset; --dataset-dir runs one already made');
    extra.push(`dataset.datasets.args.seed=${flags.seed}`);
  }
  if (flags['input-price-per-mtok'] !== undefined) extra.push(`agent.pricing.input_per_mtok=${flags['input-price-per-mtok']}`);
  if (flags['output-price-per-mtok'] !== undefined) extra.push(`agent.pricing.output_per_mtok=${flags['output-price-per-mtok']}`);
  if (extra.length === 0) return flags;
  if (flags.resume !== undefined) {
    throw new ConfigError('CONFIG_INVALID', 'command line: --seed and --*-price-per-mtok are not allowed with --resume (run.json holds the configs the run started with)');
  }
  return { ...flags, overrides: [...flags.overrides, ...extra] };
}
