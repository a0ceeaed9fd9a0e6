import type { RunFlags } from '../../config/run-options.js';
import { ConfigError } from '../../errors.js';
import { prepareResume, type ResumePlan } from '../../runner/resume.js';

/** Flags that choose what a run is; a resumed run takes all of that from its run.json. */
const FIXED_BY_RUN_DIR = ['agent-config', 'dataset-config', 'run-id'] as const;

/**
 * `referee run --resume <run-dir>` (issue 4). Returns the plan, or null when
 * the run already finished (its directory is printed, nothing is redone).
 */
export async function resumeFromFlags(flags: RunFlags, stdout: NodeJS.WritableStream = process.stdout): Promise<ResumePlan | null> {
  const dir = flags.resume as string;
  for (const name of FIXED_BY_RUN_DIR) {
    if (flags[name] !== undefined) throw new ConfigError('CONFIG_INVALID', `command line: --${name}: not allowed with --resume (the run directory's run.json fixes it)`);
  }
  if (flags.overrides.length > 0) throw new ConfigError('CONFIG_INVALID', 'command line: --overrides: not allowed with --resume (run.json holds the configs after overrides)');
  const plan = await prepareResume(dir);
  if (!plan) {
    process.stderr.write(`[referee] ${dir}: run already finished; nothing to resume\n`);
    stdout.write(`${dir}\n`);
    return null;
  }
  process.stderr.write(`[referee] resuming ${plan.runId}: ${plan.turnsRestored} completed turns restored\n`);
  return plan;
}
