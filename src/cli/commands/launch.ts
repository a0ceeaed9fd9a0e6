/**
 * `referee launch slurm|k8s SUITE --shards N`: writes (and with --submit/--apply, submits) what runs
 * a suite's shards on a cluster and merges them. See docs/past-one-machine.md.
 */
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { ConfigError } from '../../errors.js';
import { applyK8s, k8sManifests, RUNS_MOUNT, writeK8s } from '../../launch/k8s.js';
import { launchPlan, suiteDir, type LaunchPlan, type LaunchPlanOptions } from '../../launch/launch-plan.js';
import { withSuiteSpan } from '../../launch/suite-span.js';
import { mkdirSync } from 'node:fs';
import { submitSlurm, writeSlurm } from '../../launch/slurm.js';

/** Where Referee is in the image the project's Dockerfile builds. */
const IMAGE_REFEREE = ['node', '/app/dist/cli/main.js'];

export function launchBuilder(y: Argv): Argv {
  return y
    .positional('platform', { type: 'string', choices: ['slurm', 'k8s'], describe: 'slurm: an sbatch array and a merge job; k8s: an Indexed Job and a merge Job' })
    .positional('suite', { type: 'string', describe: 'Suite YAML (k8s: a path inside the image, relative to /app, checked here against the same path)' })
    .options({
      shards: { type: 'number', describe: 'How many shards (array tasks, Job completion indexes)' },
      'runs-dir': { type: 'string', default: 'runs', describe: "Shared runs directory: the suite's shards and merged run go in <runs-dir>/<run-id>/ (k8s: where the manifests are written)" },
      'run-id': { type: 'string', describe: 'Run id every shard shares (default: <suite>-<timestamp>-<random>)' },
      'referee-cmd': { type: 'string', describe: 'How the nodes run Referee (default slurm: this installation by absolute path; k8s: node /app/dist/cli/main.js)' },
      partition: { type: 'string', describe: 'slurm: --partition of the jobs' },
      time: { type: 'string', describe: 'slurm: --time of each job (Slurm format, 2:00:00)' },
      'gpus-per-task': { type: 'number', describe: 'slurm: --gpus-per-task of each shard' },
      setup: { type: 'string', describe: 'slurm: a shell command run before each shard (start a model server on the node, load modules)' },
      submit: { type: 'boolean', default: false, describe: 'slurm: submit the array and the merge (sbatch --parsable, then --dependency=afterok)' },
      image: { type: 'string', describe: "k8s: the image with Referee (the project's Dockerfile) and the suite's files" },
      pvc: { type: 'string', describe: 'k8s: an existing ReadWriteMany claim for the runs (default: a 10Gi claim is written too)' },
      namespace: { type: 'string', default: 'default', describe: 'k8s: the namespace of the Jobs' },
      'backoff-limit-per-index': { type: 'number', default: 2, describe: 'k8s: retries of one shard (each resumes it) before its index fails' },
      apply: { type: 'boolean', default: false, describe: "k8s: create the claim and Jobs through the API with the user's kubeconfig" },
    })
    .example('$0 launch slurm configs/suites/example.yaml --shards 4 --run-id nightly', 'write runs/nightly/slurm/{shards.sbatch,merge.sbatch,submit.sh}')
    .example('$0 launch k8s configs/suites/example.yaml --shards 4 --image ghcr.io/me/referee:1 --run-id nightly', 'write runs/nightly/k8s/referee.yaml');
}

function planOptions(argv: Record<string, unknown>): LaunchPlanOptions {
  const suite = argv['suite'] as string | undefined;
  const shards = argv['shards'] as number | undefined;
  if (suite === undefined) throw new ConfigError('CONFIG_INVALID', 'command line: launch needs a suite: referee launch slurm|k8s SUITE --shards N');
  if (shards === undefined) throw new ConfigError('CONFIG_INVALID', 'command line: launch needs --shards N');
  const cmd = argv['referee-cmd'] as string | undefined;
  return {
    suite,
    shards,
    runsDir: argv['runs-dir'] as string,
    ...(argv['run-id'] !== undefined ? { runId: argv['run-id'] as string } : {}),
    ...(cmd !== undefined ? { referee: cmd.split(/\s+/).filter(Boolean) } : {}),
  };
}

export async function launchCommand(argv: Record<string, unknown>): Promise<number> {
  if (argv['platform'] === 'k8s') return launchK8s(argv);
  if (argv['platform'] !== 'slurm') throw new ConfigError('CONFIG_INVALID', `command line: launch: unknown platform "${String(argv['platform'])}" (slurm or k8s)`);
  const plan = launchPlan(planOptions(argv));
  const dir = join(suiteDir(plan), 'slurm');
  mkdirSync(dir, { recursive: true });
  return withSuiteSpan({ suite: plan.name, runId: plan.runId, shards: plan.shards, dir, launcher: 'slurm' }, (traceparent) => slurm(argv, { ...plan, traceparent }));
}

function slurm(argv: Record<string, unknown>, p: LaunchPlan): number {
  const files = writeSlurm(p, {
    ...(argv['partition'] !== undefined ? { partition: argv['partition'] as string } : {}),
    ...(argv['time'] !== undefined ? { time: argv['time'] as string } : {}),
    ...(argv['gpus-per-task'] !== undefined ? { gpusPerTask: argv['gpus-per-task'] as number } : {}),
    ...(argv['setup'] !== undefined ? { setup: argv['setup'] as string } : {}),
  });
  const out = [`wrote ${files.shards}`, `wrote ${files.merge}`, `wrote ${files.submit}`, `suite span (TRACEPARENT): ${p.traceparent}, recorded in ${join(files.dir, 'spans.jsonl')}`];
  if (argv['submit']) {
    const { arrayJob, mergeJob } = submitSlurm(files);
    out.push(
      `submitted array job ${arrayJob} (${p.shards} shards) and merge job ${mergeJob} (afterok:${arrayJob})`,
      `merged run: ${p.runsDir}/${p.runId}/${p.ltm ? 'ltm-suite' : 'matrix'}-${p.runId}.json`,
      `a failed shard: bash ${files.rerun} SHARD (re-runs it alone; the merge then waits for it)`,
    );
  } else out.push(`submit with: bash ${files.submit}`);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

async function launchK8s(argv: Record<string, unknown>): Promise<number> {
  const image = argv['image'] as string | undefined;
  if (image === undefined) throw new ConfigError('CONFIG_INVALID', 'command line: launch k8s needs --image (an image with Referee and the suite, see the Dockerfile)');
  const o = planOptions(argv);
  const suite = o.suite;
  const plan = launchPlan({ referee: IMAGE_REFEREE, ...o, suiteWhereRun: suite, runsDirWhereRun: RUNS_MOUNT });
  const local = join(resolve(o.runsDir ?? 'runs'), plan.runId);
  mkdirSync(join(local, 'k8s'), { recursive: true });
  return withSuiteSpan({ suite: plan.name, runId: plan.runId, shards: plan.shards, dir: join(local, 'k8s'), launcher: 'k8s' }, (traceparent) =>
    k8s(argv, { ...plan, traceparent }, image, local),
  );
}

async function k8s(argv: Record<string, unknown>, p: LaunchPlan, image: string, local: string): Promise<number> {
  const m = k8sManifests(p, {
    image,
    namespace: argv['namespace'] as string,
    backoffLimitPerIndex: argv['backoff-limit-per-index'] as number,
    ...(argv['pvc'] !== undefined ? { pvc: argv['pvc'] as string } : {}),
  });
  const file = writeK8s(p, m, local);
  const out = [`wrote ${file}`, `suite span (TRACEPARENT): ${p.traceparent}, recorded in ${join(local, 'k8s', 'spans.jsonl')}`];
  if (argv['apply']) out.push(...(await applyK8s(m)).map((c) => `created ${c}`));
  else out.push(`apply with: kubectl apply -f ${file}   (or referee launch k8s … --apply)`);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
