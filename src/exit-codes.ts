/**
 * issue 21: every exit code of the `referee` CLI, defined once. The commands return
 * these, the bare `--help` prints the table, and the library exports it for the docs.
 */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  regression: 3,
  runFailed: 4,
  testsErrored: 5,
  interrupted: 130,
} as const;

const MEANINGS: Record<keyof typeof EXIT, string> = {
  ok: 'success (compare --baseline: no significant regression)',
  error: 'an unexpected error; a replay the collector refused; a match side that crashed, hung or failed',
  usage: 'bad input: a flag, config, dataset, task file or run directory (one line names it)',
  regression: 'compare --baseline: the run is significantly worse than the baseline',
  runFailed: 'the run ended failed: more failed turns than --max-failed-turns allows',
  testsErrored: 'finished, but tests were not answered (a scored call failed); no history line unless --max-failed-turns',
  interrupted: 'stopped by Ctrl-C or SIGTERM; what was done is written (run --resume continues it)',
};

export interface ExitCodeRow {
  code: number;
  name: keyof typeof EXIT;
  meaning: string;
}

export const EXIT_CODE_TABLE: readonly ExitCodeRow[] = (Object.keys(EXIT) as (keyof typeof EXIT)[]).map((name) => ({
  code: EXIT[name],
  name,
  meaning: MEANINGS[name],
}));

/** The table as text: one `code  meaning` line each, under a heading. */
export function formatExitCodeTable(): string {
  return ['Exit codes:', ...EXIT_CODE_TABLE.map((r) => `  ${String(r.code).padEnd(4)}${r.meaning}`)].join('\n');
}
