/**
 * `referee run --suite <kind: ltm>` and the flags of `referee run`: one that means something to an
 * LTM run reaches every run of the suite, and a resumed suite keeps it; a task-only flag is refused
 * in one line, exit 2, before anything is written.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, readJson, runCli, tempDir } from '../helpers.js';
import { writeFiles } from '../reliability/helpers.js';

// jokes is scored by GoodAI's LLM judge: without --judge-config its tests are left unscored.
const DATASET = `config:
  run_name: ltm-flags
  intro: false
datasets:
  args:
    memory_span: 600
    dataset_examples: 1
    seed: 0
  datasets:
    - name: colours
    - name: jokes
      args: { jokes_told: 2 }
`;

interface Meta {
  concurrency: number;
  agent_config: { pricing?: { input_per_mtok?: number } };
  dataset_config: { config: { isolated?: boolean } };
}
interface Stats {
  tests_unscored?: number;
  tests: { dataset: string; score: number | null }[];
}
interface Summary {
  runs: { run_id: string; run_dir: string; status: string }[];
  concurrency?: number;
  judge_config?: string;
  overrides?: string[];
}

const root = tempDir('referee-ltm-suite-flags-');
const files = writeFiles(root, {
  'dataset.yaml': DATASET,
  'suite.yaml': `kind: ltm\nagents: [${join(ROOT, 'configs/agents/sim-mini.yaml')}]\ndatasets: [./dataset.yaml]\nseeds: [0, 1]\n`,
});
const SUITE = files['suite.yaml']!;
const JUDGE = join(ROOT, 'configs/agents/sim-judge.yaml');
const GIVEN = ['--concurrency', '2', '--judge-config', JUDGE, '--input-price-per-mtok', '7', '--isolated'];

/** What each run shows of the flags: its concurrency, price, mode, and whether the judge scored jokes. */
function asRun(runDir: string): { concurrency: number; price: number | undefined; isolated: boolean | undefined; unscored: number; jokesScored: boolean } {
  const meta = readJson<Meta>(join(runDir, 'run.json'));
  const stats = readJson<Stats>(join(runDir, 'runstats.json'));
  const jokes = stats.tests.filter((t) => t.dataset === 'jokes');
  return {
    concurrency: meta.concurrency,
    price: meta.agent_config.pricing?.input_per_mtok,
    isolated: meta.dataset_config.config.isolated,
    unscored: stats.tests_unscored ?? 0,
    jokesScored: jokes.length > 0 && jokes.every((t) => t.score !== null),
  };
}
const EVERY_FLAG = { concurrency: 2, price: 7, isolated: true, unscored: 0, jokesScored: true };

describe('referee run --suite (kind: ltm): the flags of its LTM runs', () => {
  const runs = join(root, 'runs');
  const summaryFile = join(runs, 'ltm-suite-flags.json');

  beforeAll(async () => {
    const r = await runCli(['run', '--suite', SUITE, '--runs-dir', runs, '--run-id', 'flags', '--quiet', ...GIVEN], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
  }, 150_000);

  it('without them, a run has the suite default concurrency and leaves jokes unscored (the baseline the flags change)', async () => {
    const plain = join(root, 'plain');
    const r = await runCli(['run', '--suite', SUITE, '--runs-dir', plain, '--run-id', 'plain', '--quiet'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const s = readJson<Summary>(join(plain, 'ltm-suite-plain.json'));
    expect(asRun(s.runs[0]!.run_dir)).toMatchObject({ concurrency: 1, isolated: false, jokesScored: false });
    expect(asRun(s.runs[0]!.run_dir).unscored).toBeGreaterThan(0);
    expect(s).not.toHaveProperty('concurrency');
  }, 150_000);

  it('--concurrency, --judge-config, --input-price-per-mtok and --isolated reach every run', () => {
    const s = readJson<Summary>(summaryFile);
    expect(s.runs.map((r) => r.run_id)).toEqual(['flags-sim-mini-dataset-s0', 'flags-sim-mini-dataset-s1']);
    expect(s.runs.map((r) => asRun(r.run_dir))).toEqual([EVERY_FLAG, EVERY_FLAG]);
    expect({ concurrency: s.concurrency, judge_config: s.judge_config, overrides: s.overrides }).toEqual({
      concurrency: 2,
      judge_config: JUDGE,
      overrides: ['agent.pricing.input_per_mtok=7', 'dataset.config.isolated=true'],
    });
  });

  it('a suite stopped between runs resumes with them: the run not yet made gets every flag', async () => {
    // As a suite killed after its first run leaves it: one run in the summary, the next not started.
    const s = readJson<Summary>(summaryFile);
    const [, second] = s.runs;
    rmSync(second!.run_dir, { recursive: true });
    writeFiles(runs, { 'ltm-suite-flags.json': JSON.stringify({ ...s, runs: s.runs.slice(0, 1) }) });
    const r = await runCli(['run', '--resume', summaryFile, '--quiet'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(asRun(second!.run_dir)).toEqual(EVERY_FLAG);
    expect(readJson<Summary>(summaryFile).runs.map((x) => x.status)).toEqual(['finished', 'finished']);
  }, 150_000);

  it.each([
    ['--attempts', '2'],
    ['--cooling-s', '1'],
    ['--unsafe-code-exec'],
    ['--compare-with', join(ROOT, 'configs/agents/sim-mini.yaml')],
  ])('refuses %s in one line, exit 2, with no run directory', async (...flag) => {
    const out = join(root, `refused${flag[0]}`);
    const r = await runCli(['run', '--suite', SUITE, '--runs-dir', out, '--run-id', 'no', ...flag]);
    const where = flag[0] === '--compare-with' ? 'match mode (--compare-with), a --suite run of tasks' : flag[0] === '--unsafe-code-exec' ? 'a --tasks run, a --suite run of tasks, --resume' : 'a --tasks run, a --suite run of tasks';
    expect([r.code, r.stderr.trim()]).toEqual([2, `referee: command line: ${flag[0]}: does not apply to an LTM --suite run (it applies to ${where})`]);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses --unsafe-code-exec on its resume too, leaving the summary as it was', async () => {
    const before = readFileSync(summaryFile, 'utf8');
    const r = await runCli(['run', '--resume', summaryFile, '--unsafe-code-exec']);
    expect([r.code, r.stderr.trim()]).toEqual([2, 'referee: command line: --unsafe-code-exec: does not apply to an LTM --suite run (it applies to a --tasks run, a --suite run of tasks, --resume)']);
    expect(readFileSync(summaryFile, 'utf8')).toBe(before);
  });
});
