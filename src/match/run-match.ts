import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createOutputDir } from '../artifacts/make-dir.js';
import { writeJsonAtomic } from '../artifacts/run-dir-writer.js';
import { readRunDir, type RunDirContents } from '../artifacts/run-dir-reader.js';
import { loadAgentConfig, loadDatasetConfig } from '../config/load.js';
import { parseOverride, recordedOverrides } from '../config/overrides.js';
import { probeAgent } from '../agents/probe.js';
import { AgentError, RefereeError } from '../errors.js';
import { prepareDataset } from '../runner/run-benchmark.js';
import { loadDataset } from '../datasets/load.js';
import { newRunId } from '../runner/run-id.js';
import { acquireRunLock, type RunLock } from '../runner/run-lock.js';
import { ABORT_MESSAGE } from './child-link.js';
import { newMatchId } from './compare.js';
import { compareSides, MATCH_PLAN_FILE, matchStatus, recordedEnding, writeMatchEnding, type EndingPlan, type MatchEnding, type MatchStatus } from './match-ending.js';
import { killPoint } from '../kill-point.js';
import type { MatchResult } from './schemas.js';
import { plural } from '../plural.js';
import { EXIT } from '../exit-codes.js';
import { packagePath } from '../package-path.js';

export type MatchRole = 'champion' | 'challenger';

export interface MatchOptions {
  /** Agent YAML of the champion (A). */
  championConfig: string;
  /** Agent YAML of the challenger (B). */
  challengerConfig: string;
  datasetConfig: string;
  /** `key.path=value` patches applied to both agents and the dataset. @default [] */
  overrides?: string[];
  /** Output root; the match gets `<outputDir>/<matchId>/`. */
  outputDir: string;
  /** Run both agents side by side instead of one after the other. @default false */
  parallel?: boolean;
  /** Passed to each agent's run. @default 1 */
  concurrency?: number;
  matchId?: string;
  /** Aborting stops both runs gracefully (each writes what it has). */
  signal?: AbortSignal;
  /** Kill an agent's process that has not finished after this many ms (a hang). Unset: no limit. */
  agentTimeoutMs?: number;
  /** How long a stopped child may take to write its files before it is killed. @default 30000 */
  stopGraceMs?: number;
  allowDatasetMismatch?: boolean;
  /** Child progress: none when quiet. */
  quiet?: boolean;
  progressIntervalS?: number;
  /** Where progress and problems are written. @default process.stderr */
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** The `referee` bin the children run. @default this package's dist/cli/main.js */
  cliPath?: string;
  /** Issue 13: flags passed on to both children's `referee run` (--judge-config, --sample-interval, --max-failed-turns). @default [] */
  childArgs?: string[];
  /** Issue 13: resume the match in this directory (from its match_plan.json) instead of starting one. */
  resumeDir?: string;
}

export interface ChildOutcome {
  role: MatchRole;
  agent: string;
  runId: string;
  runDir: string;
  pid: number | undefined;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Never started (the match was stopped first). */
  skipped: boolean;
}

export interface MatchRunResult {
  matchId: string;
  matchDir: string;
  children: ChildOutcome[];
  /** Null when a run left nothing to compare (it died before writing run.json). */
  match: MatchResult | null;
  matchFile: string | null;
  reportFile: string | null;
  problems: string[];
  interrupted: boolean;
  /** Issue 24: finished (both sides finished and compared), interrupted or failed, as match_plan.json says. */
  status: MatchStatus;
}

/** A handle on a running match: its result, and a hard stop for a second Ctrl-C. */
export interface MatchHandle {
  result: Promise<MatchRunResult>;
  /** SIGKILLs every child now. */
  kill(): void;
}

function defaultCli(): string {
  return packagePath('dist/cli/main.js');
}

function describeExit(o: ChildOutcome): string | null {
  if (o.skipped) return `${o.role} ${o.agent} did not run (the match was stopped)`;
  if (o.exitCode === 0) return null;
  if (o.timedOut) return `${o.role} ${o.agent} (pid ${o.pid}) did not finish within the agent time limit and was stopped`;
  if (o.signal) return `${o.role} ${o.agent} (pid ${o.pid}) was killed by ${o.signal}`;
  if (o.exitCode === 130) return `${o.role} ${o.agent} was interrupted`;
  // issue 22: a side that finished with tests not answered (a scored call failed) is compared, and flagged.
  if (o.exitCode === EXIT.testsErrored) return `${o.role} ${o.agent} finished with tests not answered (a scored call failed; exit 5): its score counts them as 0`;
  if (o.exitCode !== 0) return `${o.role} ${o.agent} (pid ${o.pid}) exited with code ${o.exitCode}`;
  return null;
}

/**
 * Match mode (seed 001 1.2): the dataset is generated once, then each agent
 * runs in its own `referee run` child process (its own telemetry provider,
 * resource role champion/challenger) on that very directory. A child that
 * crashes or hangs is reported; the other one and the parent carry on. At the
 * end both run directories are compared: match.json and comparison_report.html.
 * Config errors throw before anything starts.
 */
export function startMatch(options: MatchOptions): MatchHandle {
  const live = new Set<ChildProcess>();
  const kill = (): void => {
    for (const c of live) c.kill('SIGKILL');
  };
  return { result: runMatchInner(options, live), kill };
}

/** `startMatch(...).result`, for callers that never need the hard stop. */
export function runMatch(options: MatchOptions): Promise<MatchRunResult> {
  return startMatch(options).result;
}

export { MATCH_PLAN_FILE };

interface ChildPlan {
  role: MatchRole;
  file: string;
  agent: string;
  runId: string;
  runDir: string;
}

interface MatchPlan extends EndingPlan {
  match_id: string;
  champion_config: string;
  challenger_config: string;
  dataset_config: string;
  overrides: string[];
  concurrency: number;
  /** Flags passed on to both children (issue 13: --judge-config, --sample-interval, --max-failed-turns). */
  child_args: string[];
  allow_dataset_mismatch: boolean;
  children: ChildPlan[];
}

/** The plan of a new match: configs checked, dataset generated, child run ids chosen and recorded. */
async function newMatch(options: MatchOptions, log: (line: string) => void): Promise<{ plan: MatchPlan; matchDir: string; sha256: string }> {
  const overrides = options.overrides ?? [];
  const parsed = overrides.map(parseOverride);
  // Validate everything in the parent first: a bad config is exit 2 before any process starts.
  const agents = {
    champion: { file: options.championConfig, config: loadAgentConfig(options.championConfig, parsed) },
    challenger: { file: options.challengerConfig, config: loadAgentConfig(options.challengerConfig, parsed) },
  };
  const datasetConfig = loadDatasetConfig(options.datasetConfig, parsed);
  // Both sides' servers are up before either starts: one down is one line, exit 2, no match directory.
  for (const side of [agents.champion, agents.challenger]) {
    await probeAgent(side.config).catch((err: unknown) => {
      throw err instanceof AgentError ? new AgentError('AGENT_ERROR', `${side.file}: ${err.message}`, { exitCode: err.exitCode }) : err;
    });
  }
  const matchId = options.matchId ?? newMatchId();
  const matchDir = join(resolve(options.outputDir), matchId);
  createOutputDir(matchDir, 'match directory');
  const datasetDir = join(matchDir, 'dataset');
  const dataset = await prepareDataset(datasetConfig, datasetDir, { allowMismatch: options.allowDatasetMismatch ?? false });
  log(`[referee] match ${matchId}: dataset ${dataset.sha256.slice(0, 16)} (${plural(dataset.definitions.length, 'test')}) in ${datasetDir}`);

  const roles: MatchRole[] = ['champion', 'challenger'];
  const plan: MatchPlan = {
    match_id: matchId,
    champion_config: resolve(options.championConfig),
    challenger_config: resolve(options.challengerConfig),
    dataset_config: resolve(options.datasetConfig),
    overrides,
    concurrency: options.concurrency ?? 1,
    child_args: options.childArgs ?? [],
    allow_dataset_mismatch: options.allowDatasetMismatch ?? false,
    children: roles.map((role) => {
      const { file, config } = agents[role];
      const runId = newRunId(config.name);
      return { role, file: resolve(file), agent: config.name, runId, runDir: join(matchDir, runId) };
    }),
  };
  writeJsonAtomic(join(matchDir, MATCH_PLAN_FILE), plan);
  return { plan, matchDir, sha256: dataset.sha256 };
}

/** The plan of a match directory to resume (its parent was killed or interrupted). */
async function resumedMatch(dir: string): Promise<{ plan: MatchPlan; matchDir: string; sha256: string }> {
  const matchDir = resolve(dir);
  const file = join(matchDir, MATCH_PLAN_FILE);
  if (!existsSync(file)) throw new RefereeError('RUN_DIR_INVALID', `${file}: missing; not a match directory this version can resume`);
  let plan: MatchPlan;
  try {
    plan = JSON.parse(readFileSync(file, 'utf8')) as MatchPlan;
  } catch (err) {
    throw new RefereeError('RUN_DIR_INVALID', `${file}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  plan = { ...plan, overrides: recordedOverrides(file, plan.overrides ?? []) };
  const { manifest } = await loadDataset(join(matchDir, 'dataset'), { allowMismatch: true });
  return { plan, matchDir, sha256: manifest.sha256 };
}

/** A child's `referee run` arguments: a fresh run, or the resume of the run it started. */
function childArgs(plan: MatchPlan, child: ChildPlan, matchDir: string, options: MatchOptions): string[] {
  const output = [
    '--progress-interval', String(options.progressIntervalS ?? 5),
    ...(options.quiet ? ['--quiet'] : []),
    ...plan.child_args,
  ];
  if (existsSync(join(child.runDir, 'run.json'))) return [options.cliPath ?? defaultCli(), 'run', '--resume', child.runDir, '--role', child.role, ...output];
  return [
    options.cliPath ?? defaultCli(),
    'run',
    '--agent-config', child.file,
    '--dataset-config', plan.dataset_config,
    ...plan.overrides.flatMap((o) => ['--overrides', o]),
    '--runs-dir', matchDir,
    '--run-id', child.runId,
    '--dataset-dir', join(matchDir, 'dataset'),
    '--role', child.role,
    '--concurrency', String(plan.concurrency),
    ...(plan.allow_dataset_mismatch ? ['--allow-dataset-mismatch'] : []),
    ...output,
  ];
}

/** Whether a child's run already finished (a resumed match does not run it again). */
function finishedRun(runDir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { status?: unknown }).status === 'finished';
  } catch {
    return false;
  }
}

async function runMatchInner(options: MatchOptions, live: Set<ChildProcess>): Promise<MatchRunResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { plan: matchPlan, matchDir, sha256 } = options.resumeDir !== undefined ? await resumedMatch(options.resumeDir) : await newMatch(options, log);
  // issue 24: one process resumes a match at a time, and neither side starts while either is still
  // held (a killed side stays a zombie for a moment): otherwise one side ran alone and a partial
  // comparison and history line were written.
  const locks: RunLock[] = [acquireRunLock(matchDir)];
  try {
    // Both sides' locks are taken before either starts; a side's process takes its own from this one.
    if (options.resumeDir !== undefined) for (const child of matchPlan.children) if (existsSync(child.runDir)) locks.push(acquireRunLock(child.runDir));
    return await runMatchSides(options, live, log, { matchPlan, matchDir, sha256 });
  } finally {
    for (const lock of locks) lock.release();
  }
}

async function runMatchSides(
  options: MatchOptions,
  live: Set<ChildProcess>,
  log: (line: string) => void,
  { matchPlan, matchDir, sha256 }: { matchPlan: MatchPlan; matchDir: string; sha256: string },
): Promise<MatchRunResult> {
  const matchId = matchPlan.match_id;
  const plans = matchPlan.children;

  const runChild = (plan: ChildPlan): Promise<ChildOutcome> => {
    if (finishedRun(plan.runDir)) {
      log(`[referee] ${plan.role} ${plan.agent} finished before; not run again`);
      return Promise.resolve({ ...plan, pid: undefined, exitCode: 0, signal: null, timedOut: false, skipped: false });
    }
    const args = childArgs(matchPlan, plan, matchDir, options);
    // Side by side, two progress bars would fight over one terminal: pipe and prefix instead.
    const pipeErr = options.parallel === true;
    const child = spawn(process.execPath, args, {
      env: { ...(options.env ?? process.env) },
      stdio: ['ignore', 'pipe', pipeErr ? 'pipe' : 'inherit', 'ipc'],
    });
    live.add(child);
    log(`[referee] ${plan.role} ${plan.agent} started (pid ${child.pid}), run ${plan.runId}`);
    child.stdout?.resume();
    if (pipeErr) forwardLines(child.stderr!, (line) => log(`[${plan.role}] ${line}`));
    let timedOut = false;
    let graceTimer: NodeJS.Timeout | undefined;
    let resend: NodeJS.Timeout | undefined;
    const ask = (): void => {
      if (child.connected) child.send(ABORT_MESSAGE, () => {});
    };
    const stop = (): void => {
      if (child.exitCode !== null || child.signalCode !== null || graceTimer) return;
      ask();
      // A child still starting up has no listener yet and would drop the message: ask again until it exits.
      resend = setInterval(ask, 500);
      graceTimer = setTimeout(() => child.kill('SIGKILL'), options.stopGraceMs ?? 30_000);
    };
    const hangTimer =
      options.agentTimeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            log(`[referee] ${plan.role} ${plan.agent} has not finished after ${options.agentTimeoutMs} ms: stopping it`);
            stop();
          }, options.agentTimeoutMs)
        : undefined;
    const onAbort = (): void => stop();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    return new Promise<ChildOutcome>((resolveOutcome) => {
      const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
        live.delete(child);
        clearTimeout(hangTimer);
        clearTimeout(graceTimer);
        clearInterval(resend);
        options.signal?.removeEventListener('abort', onAbort);
        resolveOutcome({ role: plan.role, agent: plan.agent, runId: plan.runId, runDir: plan.runDir, pid: child.pid, exitCode, signal, timedOut, skipped: false });
      };
      child.once('error', (err) => {
        log(`[referee] ${plan.role} ${plan.agent} could not start: ${err.message}`);
        finish(null, null);
      });
      child.once('exit', (code, signal) => finish(code, signal));
    });
  };

  // A side that finished before this process (a resumed match) is not run again.
  const finishedBefore = plans.map((p) => finishedRun(p.runDir));
  const runSide = async (plan: ChildPlan): Promise<ChildOutcome> => {
    const outcome = await runChild(plan);
    killPoint(`match:${plan.role}-ended`);
    return outcome;
  };
  let children: ChildOutcome[];
  const skipped = (plan: ChildPlan): ChildOutcome => ({ ...plan, pid: undefined, exitCode: null, signal: null, timedOut: false, skipped: true });
  if (options.parallel) {
    children = await Promise.all(plans.map(runSide));
  } else {
    children = [];
    for (const plan of plans) children.push(options.signal?.aborted ? skipped(plan) : await runSide(plan));
  }
  const interrupted = options.signal?.aborted ?? false;
  // issue 24: an ending a kill cut short is completed as it was decided (its time, exit codes and problems).
  const recorded = finishedBefore.every(Boolean) ? recordedEnding(matchPlan) : undefined;
  if (recorded) children = children.map((c, i) => ({ ...c, exitCode: recorded.exit_codes[i] ?? c.exitCode }));

  const problems = recorded
    ? [...recorded.problems]
    : children.flatMap((c) => {
        const d = describeExit(c);
        return d ? [d] : [];
      });
  if (!recorded) for (const p of problems) log(`[referee] ${p}`);

  const runs: (RunDirContents | null)[] = children.map((c) => {
    if (!existsSync(join(c.runDir, 'run.json'))) return null;
    try {
      return readRunDir(c.runDir);
    } catch (err) {
      problems.push(`${c.role} run directory unreadable: ${(err as Error).message}`);
      return null;
    }
  });
  const [a, b] = runs;
  const finishedAt = recorded?.finished_at ?? new Date().toISOString();
  const match = a && b ? compareSides(a, b, matchId, { problems, finished_at: finishedAt }) : null;
  if (!match) {
    const missing = children.filter((_, i) => !runs[i]).map((c) => c.role);
    problems.push(`no comparison: the ${missing.join(' and ')} run left no run directory`);
    log(`[referee] ${problems.at(-1)}`);
  }
  const ending: MatchEnding = recorded ?? {
    status: matchStatus(interrupted, match),
    finished_at: finishedAt,
    problems,
    exit_codes: children.map((c) => c.exitCode),
    history: {
      run_type: 'match',
      match_id: matchId,
      finished_at: finishedAt,
      dataset_sha256: sha256,
      match_dir: matchDir,
      champion: { agent: plans[0]!.agent, run_id: plans[0]!.runId, score: match?.champion.total_score ?? null },
      challenger: { agent: plans[1]!.agent, run_id: plans[1]!.runId, score: match?.challenger.total_score ?? null },
      leader: match?.comparison.leader ?? null,
      significant: match?.comparison.significant ?? null,
      verdict: match?.comparison.verdict ?? null,
      problems,
    },
  };
  const { matchFile, reportFile } = writeMatchEnding(matchDir, matchPlan, ending, match && a && b ? { match, a, b } : null);
  return { matchId, matchDir, children, match, matchFile, reportFile, problems: match?.problems ?? problems, interrupted, status: ending.status };
}

function forwardLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    // A TTY-less child writes whole lines; carriage returns from a bar are flattened.
    const lines = buffer.split(/\r?\n|\r/);
    buffer = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) onLine(l);
  });
  stream.on('end', () => {
    if (buffer.trim()) onLine(buffer);
  });
}
