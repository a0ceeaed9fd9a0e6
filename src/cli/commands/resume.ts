import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunFlags } from '../../config/run-options.js';
import { ConfigError } from '../../errors.js';
import { prepareResume, type ResumePlan } from '../../runner/resume.js';
import { isTaskRunMeta } from '../../tasks/task-resume.js';

/** Flags that choose what a run is; a resumed run takes all of that from its run.json. */
const FIXED_BY_RUN_DIR = ['agent-config', 'dataset-config', 'run-id'] as const;

/** What a resume continues: an LTM run, a task run, a suite (its matrix summary) or a match directory (issue 13). */
export type ResumeTarget = 'ltm' | 'tasks' | 'suite' | 'match';

/** `--resume` takes what the run directory fixes from it; naming it again on the command line is an error. */
export function checkResumeFlags(flags: RunFlags): void {
  for (const name of FIXED_BY_RUN_DIR) {
    if (flags[name] !== undefined) throw new ConfigError('CONFIG_INVALID', `command line: --${name}: not allowed with --resume (the run directory's run.json fixes it)`);
  }
  if (flags.overrides.length > 0) throw new ConfigError('CONFIG_INVALID', 'command line: --overrides: not allowed with --resume (run.json holds the configs after overrides)');
}

/** Tells the kinds of resumable thing apart; anything else is left to the LTM resume to reject with its own message. */
export function resumeTarget(path: string): ResumeTarget {
  if (!existsSync(path)) return 'ltm';
  if (statSync(path).isFile()) return path.endsWith('.json') && isMatrixSummary(path) ? 'suite' : 'ltm';
  const meta = join(path, 'run.json');
  if (existsSync(meta)) return isTaskRunMeta(readJsonQuietly(meta) ?? {}) ? 'tasks' : 'ltm';
  // A match directory: its dataset/ and the two agents' run directories, each with a role.
  const roles = readdirSync(path).filter((d) => {
    const m = readJsonQuietly(join(path, d, 'run.json')) as { role?: unknown } | undefined;
    return m?.role === 'champion' || m?.role === 'challenger';
  });
  return roles.length > 0 ? 'match' : 'ltm';
}

function isMatrixSummary(file: string): boolean {
  const s = readJsonQuietly(file) as { suite_file?: unknown; cells?: unknown } | undefined;
  return typeof s?.suite_file === 'string' && Array.isArray(s.cells);
}

function readJsonQuietly(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * `referee run --resume <run-dir>` (issue 4). Returns the plan, or null when
 * the run already finished (its directory is printed, nothing is redone).
 */
export async function resumeFromFlags(flags: RunFlags, stdout: NodeJS.WritableStream = process.stdout): Promise<ResumePlan | null> {
  const dir = flags.resume as string;
  checkResumeFlags(flags);
  const plan = await prepareResume(dir, { judge: flags['judge-config'] !== undefined });
  if (!plan) {
    alreadyFinished(dir, stdout);
    return null;
  }
  process.stderr.write(`[referee] resuming ${plan.runId}: ${plan.turnsRestored} completed turns restored\n`);
  return plan;
}

/** What every resume says of a run that already finished. */
export function alreadyFinished(dir: string, stdout: NodeJS.WritableStream = process.stdout): void {
  process.stderr.write(`[referee] ${dir}: run already finished; nothing to resume\n`);
  stdout.write(`${dir}\n`);
}
