/**
 * issue 14: model-written code runs only inside bubblewrap. A task run with
 * code tasks where bubblewrap cannot run stops before anything is written or
 * called, unless the user accepted the unsafe fallback (`--unsafe-code-exec`).
 */
import { ConfigError } from '../errors.js';
import type { TaskDataset } from '../tasks/load.js';
import type { EvaluatorSpec } from '../tasks/schema.js';
import { bwrapStatus, codeExecMode } from './code-exec.js';

/** How the dataset's code tasks will run (null: it has none); throws the one-line refusal when they cannot. */
export function requireCodeSandbox(dataset: TaskDataset, evaluator: EvaluatorSpec | undefined, unsafe: boolean): 'bwrap' | 'unsafe' | null {
  const coded = dataset.tasks.find((t) => (t.evaluator ?? dataset.evaluator ?? evaluator)?.type === 'code');
  if (!coded) return null;
  const mode = codeExecMode(unsafe);
  if (!mode) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `${dataset.file}: task "${coded.id}": code tasks run only inside bubblewrap, and ${bwrapStatus().reason}; install it (apt-get install bubblewrap, or scripts/ensure-bwrap.sh) or pass --unsafe-code-exec`,
    );
  }
  return mode;
}

/** The warning printed on every run that uses the unsafe fallback. */
export const UNSAFE_CODE_EXEC_WARNING =
  'warning: --unsafe-code-exec: bubblewrap is unavailable, so model-written code runs WITHOUT a sandbox; it can read this machine\'s files and environment (API keys included)';
