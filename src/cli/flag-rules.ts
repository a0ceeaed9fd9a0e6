/**
 * Which `referee run` flags apply to which kind of run (issue 13: a flag is
 * never silently ignored). A flag given to a kind of run it cannot apply to is
 * a one-line ConfigError (exit 2). README's flag table says the same.
 */
import { RunFlagsSchema, type RunFlags } from '../config/run-options.js';
import { ConfigError } from '../errors.js';

/** `suite` is a suite of tasks; `ltm-suite` one of `kind: ltm`, whose every run is an LTM run. */
export type RunKind = 'ltm' | 'tasks' | 'suite' | 'ltm-suite' | 'match' | 'resume';

const ALL: readonly RunKind[] = ['ltm', 'tasks', 'suite', 'ltm-suite', 'match', 'resume'];
const FRESH: readonly RunKind[] = ['ltm', 'tasks', 'suite', 'ltm-suite', 'match'];

/** The kinds of run each flag applies to; a flag not listed applies to all. */
export const FLAG_KINDS: Partial<Record<keyof RunFlags, readonly RunKind[]>> = {
  'agent-config': ['ltm', 'tasks', 'match'],
  'dataset-config': ['ltm', 'match'],
  'dataset-dir': ['ltm'],
  'allow-dataset-mismatch': ['ltm', 'match'],
  overrides: FRESH,
  'run-id': FRESH,
  concurrency: FRESH,
  'judge-config': ALL,
  evaluator: ['tasks'],
  attempts: ['tasks', 'suite'],
  'cooling-s': ['tasks', 'suite'],
  shard: ['tasks', 'suite', 'ltm-suite'],
  monitor: ALL,
  port: ALL,
  host: ALL,
  token: ALL,
  'compute-hourly-usd': ALL,
  // issue 17: overrides with names of their own (withFlagOverrides refines where they cannot apply).
  seed: ['ltm', 'match'],
  'input-price-per-mtok': FRESH,
  'output-price-per-mtok': FRESH,
  // issue 14: LTM and match runs execute no model-written code.
  'unsafe-code-exec': ['tasks', 'suite', 'resume'],
  // issue 12: GoodAI's -i is a schedule of GoodAI-shaped runs; a resumed run keeps its mode from run.json.
  isolated: ['ltm', 'ltm-suite', 'match'],
  'sample-interval': ALL,
  'max-failed-turns': ALL,
  'trace-per': ALL,
  parallel: ['match'],
  'agent-timeout': ['match'],
  role: ['ltm', 'resume'],
  suite: ['suite', 'ltm-suite'],
  tasks: ['tasks'],
  // issue 13: a suite in match mode compares cell by cell (the flag names the challenger).
  'compare-with': ['match', 'suite'],
};

const KIND_WORDS: Record<RunKind, string> = {
  ltm: 'an LTM run',
  tasks: 'a --tasks run',
  suite: 'a --suite run of tasks',
  'ltm-suite': 'an LTM --suite run',
  match: 'match mode (--compare-with)',
  resume: '--resume',
};

/**
 * The kind of run the flags ask for. `isLtmSuite` reads a --suite file's `kind`: an LTM suite takes
 * the flags of the LTM runs it is made of, never a task suite's (left out, any suite is a task suite).
 */
export function runKindOf(flags: RunFlags, isLtmSuite: (file: string) => boolean = () => false): RunKind {
  if (flags.resume !== undefined) return 'resume';
  // A suite with --compare-with is still a suite: its cells, one more agent, then the comparisons.
  if (flags.suite !== undefined) return isLtmSuite(flags.suite) ? 'ltm-suite' : 'suite';
  if (flags['compare-with'] !== undefined) return 'match';
  if (flags.tasks !== undefined) return 'tasks';
  return 'ltm';
}

/** Whether `flag` was given: set, and not its schema default. */
function given(flags: RunFlags, flag: keyof RunFlags): boolean {
  const value = flags[flag];
  if (value === undefined) return false;
  const field = RunFlagsSchema.shape[flag];
  const parsedDefault = field.safeParse(undefined);
  if (parsedDefault.success && parsedDefault.data !== undefined) return JSON.stringify(parsedDefault.data) !== JSON.stringify(value);
  return true;
}

/** Throws the one-line error for the first given flag that cannot apply to this kind of run. */
export function checkFlagsApply(flags: RunFlags, kind: RunKind = runKindOf(flags)): void {
  for (const [flag, kinds] of Object.entries(FLAG_KINDS) as [keyof RunFlags, readonly RunKind[]][]) {
    if (!kinds.includes(kind) && given(flags, flag)) {
      const where = kinds.map((k) => KIND_WORDS[k]).join(', ');
      throw new ConfigError('CONFIG_INVALID', `command line: --${flag}: does not apply to ${KIND_WORDS[kind]} (it applies to ${where})`);
    }
  }
}
