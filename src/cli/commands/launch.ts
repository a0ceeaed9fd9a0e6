/**
 * `referee launch slurm|k8s SUITE --shards N`: writes (and with --submit/--apply, submits) what runs
 * a suite's shards on a cluster and merges them. See docs/past-one-machine.md.
 */
import type { Argv } from 'yargs';
import { ConfigError } from '../../errors.js';
import { launchPlan, type LaunchPlan } from '../../launch/launch-plan.js';
import { submitSlurm, writeSlurm } from '../../launch/slurm.js';

export function launchBuilder(y: Argv): Argv {
  return y
    .positional('platform', { type: 'string', choices: ['slurm', 'k8s'], describe: 'slurm: an sbatch array and a merge job; k8s: an Indexed Job and a merge Job' })
    .positional('suite', { type: 'string', describe: 'Suite YAML (its task files and agents must be readable where the shards run)' })
    .options({
      shards: { type: 'number', describe: 'How many shards (array tasks, Job completions)' },
      'runs-dir': { type: 'string', default: 'runs', describe: "Shared runs directory: the suite's shards and merged run go in <runs-dir>/<run-id>/" },
      'run-id': { type: 'string', describe: 'Run id every shard shares (default: <suite>-<timestamp>-<random>)' },
      'referee-cmd': { type: 'string', describe: 'How the nodes run Referee (default: this installation, node <abs path>/dist/cli/main.js)' },
      partition: { type: 'string', describe: 'slurm: --partition of the jobs' },
      time: { type: 'string', describe: 'slurm: --time of each job (Slurm format, 2:00:00)' },
      'gpus-per-task': { type: 'number', describe: 'slurm: --gpus-per-task of each shard' },
      setup: { type: 'string', describe: 'slurm: a shell command run before each shard (start a model server on the node, load modules)' },
      submit: { type: 'boolean', default: false, describe: 'slurm: submit the array and the merge (sbatch --parsable, then --dependency=afterok)' },
    })
    .example('$0 launch slurm configs/suites/example.yaml --shards 4 --run-id nightly', 'write runs/nightly/slurm/{shards.sbatch,merge.sbatch,submit.sh}');
}

function plan(argv: Record<string, unknown>): LaunchPlan {
  const suite = argv['suite'] as string | undefined;
  const shards = argv['shards'] as number | undefined;
  if (suite === undefined) throw new ConfigError('CONFIG_INVALID', 'command line: launch needs a suite: referee launch slurm|k8s SUITE --shards N');
  if (shards === undefined) throw new ConfigError('CONFIG_INVALID', 'command line: launch needs --shards N');
  const cmd = argv['referee-cmd'] as string | undefined;
  return launchPlan({
    suite,
    shards,
    runsDir: argv['runs-dir'] as string,
    ...(argv['run-id'] !== undefined ? { runId: argv['run-id'] as string } : {}),
    ...(cmd !== undefined ? { referee: cmd.split(/\s+/).filter(Boolean) } : {}),
  });
}

export function launchCommand(argv: Record<string, unknown>): number {
  if (argv['platform'] !== 'slurm') throw new ConfigError('CONFIG_INVALID', `command line: launch: unknown platform "${String(argv['platform'])}" (slurm or k8s)`);
  const p = plan(argv);
  const files = writeSlurm(p, {
    ...(argv['partition'] !== undefined ? { partition: argv['partition'] as string } : {}),
    ...(argv['time'] !== undefined ? { time: argv['time'] as string } : {}),
    ...(argv['gpus-per-task'] !== undefined ? { gpusPerTask: argv['gpus-per-task'] as number } : {}),
    ...(argv['setup'] !== undefined ? { setup: argv['setup'] as string } : {}),
  });
  const out = [`wrote ${files.shards}`, `wrote ${files.merge}`, `wrote ${files.submit}`, `suite span (TRACEPARENT): ${p.traceparent}`];
  if (argv['submit']) {
    const { arrayJob, mergeJob } = submitSlurm(files);
    out.push(`submitted array job ${arrayJob} (${p.shards} shards) and merge job ${mergeJob} (afterok:${arrayJob})`, `merged run: ${p.runsDir}/${p.runId}/matrix-${p.runId}.json`);
  } else out.push(`submit with: bash ${files.submit}`);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
