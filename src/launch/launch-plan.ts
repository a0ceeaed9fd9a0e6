/**
 * What every launcher writes the same way: the plan of a sharded suite (which suite, how many
 * shards, the shared runs directory, the run id every shard shares) and the command lines a shard
 * and the merge run. Launchers only write and submit these; they never schedule work themselves.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { loadSuite } from '../tasks/load.js';
import { isLtmSuiteYaml, loadLtmSuite } from '../ltm-suite/load.js';
import { readYaml } from '../config/load.js';
import { newRunId } from '../runner/run-id.js';
import { newTraceparent } from '../shards/trace-parent.js';
import { packagePath } from '../package-path.js';

export interface LaunchPlan {
  /** The suite YAML, as the shards will open it (absolute: they start elsewhere). */
  suite: string;
  /** The suite's name. */
  name: string;
  /** An LTM suite (agents × dataset configs × seeds): running its command again resumes it. */
  ltm: boolean;
  shards: number;
  /** The shared runs directory; the suite's shards and merged run go in `<runsDir>/<runId>/`. */
  runsDir: string;
  runId: string;
  /** The command that runs Referee where the shards run. */
  referee: string[];
  /** The suite's span: every shard's run spans are its children. */
  traceparent: string;
}

export interface LaunchPlanOptions {
  suite: string;
  shards: number;
  /** @default "runs" */
  runsDir?: string;
  /** @default a fresh `<suite>-<timestamp>-<random>` */
  runId?: string;
  /** @default this installation's `node dist/cli/main.js`, by absolute path (a shared file system) */
  referee?: string[];
  /** @default a fresh sampled one */
  traceparent?: string;
  /** The suite's path where the shards run (a container's), when it differs from `suite`. @default `suite`, absolute */
  suiteWhereRun?: string;
  /** The runs directory where the shards run, when it differs from `runsDir`. @default `runsDir`, absolute */
  runsDirWhereRun?: string;
}

/** This installation's CLI entry, by absolute path. */
export function thisReferee(): string[] {
  return [process.execPath, packagePath('dist/cli/main.js')];
}

/** Checks the suite loads and the shard count is sane, before anything is written. */
export function launchPlan(o: LaunchPlanOptions): LaunchPlan {
  if (!Number.isInteger(o.shards) || o.shards < 1) throw new ConfigError('CONFIG_INVALID', `command line: --shards: ${o.shards} is not a whole number of shards ≥ 1`);
  const suite = resolve(o.suite);
  if (!existsSync(suite)) throw new ConfigError('CONFIG_NOT_FOUND', `${o.suite}: no such suite file`);
  const ltm = isLtmSuiteYaml(readYaml(suite));
  const loaded = ltm ? loadLtmSuite(suite) : loadSuite(suite);
  if (o.runId !== undefined && !/^[A-Za-z0-9._-]+$/.test(o.runId)) throw new ConfigError('CONFIG_INVALID', `command line: --run-id: "${o.runId}" may hold only letters, digits, ".", "_" and "-"`);
  return {
    suite: o.suiteWhereRun ?? suite,
    name: loaded.name,
    ltm,
    shards: o.shards,
    runsDir: o.runsDirWhereRun ?? resolve(o.runsDir ?? 'runs'),
    runId: o.runId ?? newRunId(loaded.name),
    referee: o.referee ?? thisReferee(),
    traceparent: o.traceparent ?? newTraceparent(),
  };
}

/** Where the suite's shards and its merged run go. */
export function suiteDir(plan: LaunchPlan): string {
  return join(plan.runsDir, plan.runId);
}

/** A word for a POSIX shell. */
export function shq(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The shell lines one shard runs, `$index` (a shell expression, 1-based) naming it: a shard whose
 * matrix summary exists is resumed (a re-run of a failed shard continues where it stopped, and one
 * that finished only says so). Exit 5 (finished, some tests not answered) lets the merge run: the
 * merged run records those tests.
 */
export function shardScript(plan: LaunchPlan, index: string): string[] {
  const referee = plan.referee.map(shq).join(' ');
  const dir = suiteDir(plan);
  const run = `${referee} run --suite ${shq(plan.suite)} --runs-dir ${shq(dir)} --run-id ${shq(plan.runId)} --shard "$i/${plan.shards}" --quiet`;
  // An LTM suite's shard continues where it stopped when started again (finished runs kept).
  if (plan.ltm) return [`i=${index}`, `set +e; ${run}; rc=$?; set -e`, 'if [ "$rc" -eq 5 ]; then rc=0; fi', 'exit "$rc"'];
  return [
    `i=${index}`,
    `summary=${shq(dir)}/matrix-${plan.runId}.shard-$i-of-${plan.shards}.json`,
    'if [ -f "$summary" ]; then',
    `  set +e; ${referee} run --resume "$summary" --quiet; rc=$?; set -e`,
    'else',
    `  set +e; ${run}; rc=$?; set -e`,
    'fi',
    'if [ "$rc" -eq 5 ]; then rc=0; fi',
    'exit "$rc"',
  ];
}

/** The environment every shard gets: the suite's span and its shard label on every metric and span. */
export function shardEnv(plan: LaunchPlan, index: string): string[] {
  return [
    `export TRACEPARENT=${shq(plan.traceparent)}`,
    `export OTEL_RESOURCE_ATTRIBUTES="referee.shard=${index}/${plan.shards},referee.suite_run_id=${plan.runId}\${OTEL_RESOURCE_ATTRIBUTES:+,$OTEL_RESOURCE_ATTRIBUTES}"`,
  ];
}

/** The merge's command line. */
export function mergeCommand(plan: LaunchPlan): string {
  const dir = shq(suiteDir(plan));
  return `${plan.referee.map(shq).join(' ')} merge ${dir} --output-dir ${dir}`;
}
