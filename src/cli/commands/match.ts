import { dirname } from 'node:path';
import type { RunFlags } from '../../config/run-options.js';
import { EXIT } from '../../exit-codes.js';
import { matchFinished } from '../../match/match-ending.js';
import { startMatch, type MatchOptions } from '../../match/run-match.js';
import { alreadyFinished } from './resume.js';
import { DEFAULT_AGENT_CONFIG, DEFAULT_DATASET_CONFIG, packagePath } from '../defaults.js';
import { printRunEnding } from '../run-ending-output.js';

/**
 * `referee run --compare-with B`: runs the match, prints the verdict to stderr
 * and the match directory to stdout. Ctrl-C stops both agents gracefully; a
 * second Ctrl-C kills them. Exit: 0 both runs finished, 130 interrupted, 1 a
 * run crashed, hung or failed.
 */
export async function matchCommand(flags: RunFlags): Promise<number> {
  return superviseMatch(flags, {
    championConfig: flags['agent-config'] ?? packagePath(DEFAULT_AGENT_CONFIG),
    challengerConfig: flags['compare-with']!,
    datasetConfig: flags['dataset-config'] ?? packagePath(DEFAULT_DATASET_CONFIG),
    overrides: flags.overrides,
    outputDir: flags['runs-dir'],
    // --run-id names the match directory; each agent's run gets its own id inside it.
    ...(flags['run-id'] !== undefined ? { matchId: flags['run-id'] } : {}),
    parallel: flags.parallel,
    concurrency: flags.concurrency,
    ...(flags['agent-timeout'] !== undefined ? { agentTimeoutMs: flags['agent-timeout'] * 1000 } : {}),
    allowDatasetMismatch: flags['allow-dataset-mismatch'],
    quiet: flags.quiet,
    progressIntervalS: flags['progress-interval'],
    childArgs: forwardedFlags(flags),
  });
}

/** Issue 13: `--resume <match dir>`: a match whose parent was killed or interrupted goes on; a finished side is not run again. */
export async function resumeMatchCommand(flags: RunFlags): Promise<number> {
  // issue 24: a match whose ending is complete is not compared again, nor given a second history line.
  if (matchFinished(flags.resume as string)) {
    alreadyFinished(flags.resume as string);
    return EXIT.ok;
  }
  return superviseMatch(flags, {
    championConfig: '',
    challengerConfig: '',
    datasetConfig: '',
    outputDir: '',
    resumeDir: flags.resume as string,
    parallel: flags.parallel,
    ...(flags['agent-timeout'] !== undefined ? { agentTimeoutMs: flags['agent-timeout'] * 1000 } : {}),
    quiet: flags.quiet,
    progressIntervalS: flags['progress-interval'],
  });
}

/** The flags both children take as they are (issue 13: never silently dropped in match mode). */
function forwardedFlags(flags: RunFlags): string[] {
  return [
    ...(flags['judge-config'] !== undefined ? ['--judge-config', flags['judge-config']] : []),
    '--sample-interval', String(flags['sample-interval']),
    ...(flags['max-failed-turns'] !== undefined ? ['--max-failed-turns', String(flags['max-failed-turns'])] : []),
    '--trace-per', flags['trace-per'],
  ];
}

async function superviseMatch(flags: RunFlags, options: Omit<MatchOptions, 'signal'>): Promise<number> {
  const abort = new AbortController();
  const handle = startMatch({ ...options, signal: abort.signal });
  const onSignal = (): void => {
    if (abort.signal.aborted) {
      process.stderr.write('\n[referee] killing both agents\n');
      handle.kill();
      return;
    }
    process.stderr.write('\n[referee] interrupted: stopping both agents, they write what is done (Ctrl-C again to kill them)\n');
    abort.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const r = await handle.result;
    if (r.match) {
      const { champion: a, challenger: b, comparison: c } = r.match;
      process.stderr.write(
        `[referee] ${a.agent_name} (champion) ${round(a.total_score)}/${round(a.max_score)} vs ${b.agent_name} (challenger) ${round(b.total_score)}/${round(b.max_score)}\n` +
          `[referee] ${c.verdict}\n`,
      );
    }
    printRunEnding(
      {
        kind: 'match',
        status: r.status,
        path: r.matchDir,
        ...(r.reportFile ? { report: r.reportFile } : {}),
        runsDir: dirname(r.matchDir),
        summary: r.match ? { match: r.match } : {},
      },
      { json: flags.json, quiet: flags.quiet },
    );
    if (r.interrupted) return EXIT.interrupted;
    if (r.children.every((c) => c.exitCode === EXIT.ok) && r.match) return EXIT.ok;
    // issue 22: both sides finished, but some tests were not answered: the match is compared and flagged with the same code.
    if (r.match && r.children.every((c) => c.exitCode === EXIT.ok || c.exitCode === EXIT.testsErrored)) return EXIT.testsErrored;
    return EXIT.error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
