/**
 * issue 14: model-written code runs only inside bubblewrap. A task run with
 * code tasks where bubblewrap cannot run stops before anything is written or
 * called, unless the user accepted the unsafe fallback (`--unsafe-code-exec`).
 * issue 24: the same for each of the sandbox's bounds (a cgroup per evaluation,
 * the seccomp filter, sized tmpfs); with the flag, bubblewrap runs without them.
 */
import { ConfigError } from '../errors.js';
import type { TaskDataset } from '../tasks/load.js';
import type { EvaluatorSpec } from '../tasks/schema.js';
import { bwrapStatus, codeExecMode, sandboxShortfall } from './code-exec.js';

/** How the dataset's code tasks will run (null: it has none); throws the one-line refusal when they cannot. */
export function requireCodeSandbox(dataset: TaskDataset, evaluator: EvaluatorSpec | undefined, unsafe: boolean): 'bwrap' | 'partial' | 'unsafe' | null {
  const coded = dataset.tasks.find((t) => (t.evaluator ?? dataset.evaluator ?? evaluator)?.type === 'code');
  if (!coded) return null;
  const mode = codeExecMode(unsafe);
  if (!mode) {
    const where = `${dataset.file}: task "${coded.id}": `;
    if (!bwrapStatus().available) {
      throw new ConfigError(
        'CONFIG_INVALID',
        `${where}code tasks run only inside bubblewrap, and ${bwrapStatus().reason}; install it (apt-get install bubblewrap, or scripts/ensure-bwrap.sh) or pass --unsafe-code-exec`,
      );
    }
    throw new ConfigError(
      'CONFIG_INVALID',
      `${where}code tasks run only inside the bounded bubblewrap sandbox, and ${sandboxShortfall()}; see "Code execution" in docs/tasks-and-suites.md, or pass --unsafe-code-exec to run without ${codeExecMode(true) === 'partial' ? 'those bounds' : 'them'}`,
    );
  }
  return mode;
}

/** The warning printed on every run that uses the unsafe fallback. */
export const UNSAFE_CODE_EXEC_WARNING =
  'warning: --unsafe-code-exec: bubblewrap is unavailable, so model-written code runs WITHOUT a sandbox; it can read this machine\'s files and environment (API keys included)';

/** issue 24: the warning for a run whose code runs in bubblewrap without some of its bounds (one line). */
export function partialSandboxWarning(): string {
  return `warning: --unsafe-code-exec: model-written code runs in bubblewrap WITHOUT some of its bounds (${sandboxShortfall()}); a solution can exhaust this machine's memory, processes or kernel surface that those bounds would hold`;
}

/** The warning a run prints for the modes of its datasets, or null when every bound applies. */
export function codeSandboxWarning(modes: ReadonlyArray<ReturnType<typeof requireCodeSandbox>>): string | null {
  if (modes.includes('unsafe')) return UNSAFE_CODE_EXEC_WARNING;
  if (modes.includes('partial')) return partialSandboxWarning();
  return null;
}
