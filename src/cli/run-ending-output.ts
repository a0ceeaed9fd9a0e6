import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { RunStats } from '../artifacts/schemas.js';

/** What a finished `referee run` hands its user: where the results are, and their figures. */
export interface RunEndingOutput {
  kind: 'ltm' | 'tasks' | 'suite' | 'match';
  status: string;
  /** The run (or match) directory; a suite's matrix summary file. */
  path: string;
  /** The HTML a person opens first, when it was written. */
  report?: string;
  /** The runs directory, for `referee view`. */
  runsDir: string;
  /** The figures, as their own file has them (runstats.json, match.json, the matrix summary). */
  summary: Record<string, unknown>;
}

/**
 * issue 21: the last thing a run prints. With --json, one JSON object on stdout and nothing
 * else; otherwise the path on stdout (scripts read it) and, unless --quiet, the next steps on
 * stderr: the report to open and the `referee view` command over the same runs directory.
 */
export function printRunEnding(e: RunEndingOutput, options: { json: boolean; quiet: boolean; stdoutLines?: string[] }): void {
  const report = e.report !== undefined && existsSync(e.report) ? e.report : undefined;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ kind: e.kind, status: e.status, path: e.path, report: report ?? null, runs_dir: e.runsDir, ...e.summary }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${(options.stdoutLines ?? [e.path]).join('\n')}\n`);
  if (options.quiet) return;
  if (report) process.stderr.write(`[referee] report: ${report}\n`);
  process.stderr.write(`[referee] browse: npx referee view --runs-dir ${shown(e.runsDir)}\n`);
}

/**
 * issue 21: runstats.json keeps GoodAI's keys at the top (its tools read them), where `total_tokens`
 * is GoodAI's cl100k count of messages and replies and `duration` its summed response time. In
 * the summary a script reads they sit under `goodai`, apart from Referee's usage tokens and wall time.
 */
export function namedStats(stats: RunStats): Record<string, unknown> {
  const { total_tokens, agent_tokens, duration, ...own } = stats;
  return { ...own, goodai: { total_tokens, agent_tokens, duration } };
}

/** A path as the user would type it: relative to where they are, when it lies below. */
function shown(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel && !rel.startsWith('..') ? rel : dir;
}
