/**
 * Issue 25 (item 5), through the real CLI on the simulated model: without a judge, a test GoodAI
 * scores with its LLM judge is `unscored: needs judge` in every output (runstats.json, its result,
 * test_end, report.html, the monitor and viewer, the summary line, the match metrics, the GoodAI
 * export): no number, in no total. With the offline sim judge the same run scores every test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportGoodai } from '../../src/artifacts/goodai-export.js';
import { readRunDir } from '../../src/artifacts/run-dir-reader.js';
import { computeRunMetrics } from '../../src/match/metrics.js';
import { RunModel } from '../../src/monitor/run-model.js';
import { singleReportData } from '../../src/report/report-data.js';
import { ROOT, readJson, readJsonl, runCli, tempDir } from '../helpers.js';
import { runDirsIn, writeFiles } from '../reliability/helpers.js';

interface TestLine {
  test_id: string;
  dataset: string;
  score: number | null;
  max_score: number | null;
  reasons: string[];
  status?: string;
}
interface Stats {
  score: number;
  max_score: number;
  tests: TestLine[];
  tests_unscored?: number;
  per_dataset: Record<string, { score: number; max_score: number; tests: number; unscored?: number }>;
}

const AGENT = `name: big
kind: chat
llm: { provider: sim, model: sim-1, max_tokens: 256 }
context_size: 16384
`;
const DATASET = `config:
  run_name: unscored
  intro: false
datasets:
  args:
    memory_span: 600
    dataset_examples: 1
    seed: 2
  datasets:
    - name: colours
    - name: trigger_response
    - name: jokes
      args: { jokes_told: 2 }
    - name: locations_directions
`;

async function run(extra: string[]): Promise<{ dir: string; stderr: string; code: number | null; stats: Stats }> {
  const root = tempDir('referee-unscored-');
  const files = writeFiles(root, { 'agent.yaml': AGENT, 'dataset.yaml': DATASET });
  const out = join(root, 'runs');
  const r = await runCli(['run', '--agent-config', files['agent.yaml']!, '--dataset-config', files['dataset.yaml']!, '--output-dir', out, '--progress-interval', '60', ...extra], { timeoutMs: 90_000 });
  const [dir] = runDirsIn(out);
  return { dir: dir!, stderr: r.stderr, code: r.code, stats: readJson<Stats>(join(dir!, 'runstats.json')) };
}

describe('judged tests without a judge are unscored (issue 25)', () => {
  it('are no number and in no total, in every output', async () => {
    const { dir, stderr, code, stats } = await run([]);
    expect(code, stderr).toBe(0);
    const unscored = stats.tests.filter((t) => t.status === 'unscored');
    // Locations Directions always goes to GoodAI's judge; a Jokes reply without the joke verbatim does too.
    expect(unscored.map((t) => t.dataset).sort()).toEqual(['jokes', 'locations_directions']);
    for (const t of unscored) {
      expect(t).toMatchObject({ score: null, max_score: null });
      expect(t.reasons[0]).toMatch(/^unscored: needs judge \(GoodAI scores this test with its LLM judge; give --judge-config/);
    }
    const scored = stats.tests.filter((t) => t.status === undefined);
    expect(scored.map((t) => t.dataset).sort()).toEqual(['colours', 'trigger_response']);
    expect(stats.tests_unscored).toBe(2);
    expect(stats.score).toBe(scored.reduce((a, t) => a + t.score!, 0));
    expect(stats.max_score).toBe(scored.reduce((a, t) => a + t.max_score!, 0));
    expect(stats.per_dataset['jokes']).toEqual({ score: 0, max_score: 0, tests: 1, unscored: 1 });

    // The summary line: how many, and what --judge-config would do.
    expect(stderr).toContain(`score ${stats.score}/${stats.max_score} (`);
    expect(stderr).toContain("of 4 tests, 2 unscored (need a judge: --judge-config <agent.yaml> has an LLM score them with GoodAI's prompts)");

    // The result files and the test_end events.
    const result = readJson<Record<string, unknown>>(join(dir, 'results', 'big', 'Locations Directions', '0_0.json'));
    expect(result).toMatchObject({ score: null, max_score: null, status: 'unscored' });
    const ends = readJsonl<Record<string, unknown>>(join(dir, 'events.jsonl')).filter((e) => e['type'] === 'test_end');
    expect(ends.filter((e) => e['status'] === 'unscored').map((e) => e['score'])).toEqual([null, null]);

    // The report and the match metrics read the same tally.
    const contents = readRunDir(dir);
    const metrics = computeRunMetrics(contents);
    expect(metrics).toMatchObject({ tests: 4, tests_unscored: 2, total_score: stats.score, max_score: stats.max_score });
    const report = singleReportData(contents);
    const jokes = report.tests.find((t) => t.dataset === 'jokes')!;
    expect(jokes.scores[0]).toMatchObject({ score: null, max_score: null, status: 'unscored' });
    expect(jokes.turns.filter((t) => t.is_question).map((t) => t.answers[0]!.verdict)).toEqual(['unscored']);
    const page = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(page).toContain('Tests unscored (need a judge: --judge-config)');
    expect(page).toContain('unscored: needs judge');

    // The monitor folds the events: neither a pass nor a fail, in no score.
    const model = new RunModel('k', 'r', null);
    for (const e of readJsonl<Record<string, unknown>>(join(dir, 'events.jsonl'))) model.apply(e);
    expect(model.summary()).toMatchObject({ unscored: 2, tests_done: 4, score: stats.score, max_score: stats.max_score });
    const views = [...model.tests.values()].filter((t) => t.status === 'unscored');
    expect(views.map((t) => [t.dataset, t.score, t.max_score]).sort()).toEqual([
      ['jokes', null, null],
      ['locations_directions', null, null],
    ]);

    // The GoodAI export: GoodAI's files keep GoodAI's fields; an unscored result is beside results/, named in the note.
    const exported = exportGoodai(dir, join(dir, '..', '..', 'goodai'));
    expect(exported.unscored.sort()).toEqual(['Jokes/0', 'Locations Directions/0']);
    expect(existsSync(join(exported.dir, 'results', 'big', 'Jokes', '0_0.json'))).toBe(false);
    expect(existsSync(join(exported.dir, 'results', 'big', 'Colours', '0_0.json'))).toBe(true);
    const aside = readJson<Record<string, unknown>>(join(exported.dir, 'referee_unscored', 'big', 'Jokes', '0_0.json'));
    expect(Object.keys(aside).sort()).toEqual(['actual_responses', 'characters', 'expected_responses', 'full_log', 'max_score', 'needles', 'reasoning', 'score', 'task_log', 'tokens']);
    expect(aside['score']).toBeNull();
    const note = readJson<{ unscored_tests: string[]; note: string }>(exported.note!);
    expect(note.unscored_tests.sort()).toEqual(['Jokes/0', 'Locations Directions/0']);
    expect(note.note).toContain('unscored: needs judge');
    expect(Object.keys(readJson<Record<string, unknown>>(join(exported.dir, 'results', 'big', 'runstats.json'))).sort()).toEqual(['agent_costs_usd', 'agent_tokens', 'duration', 'managing_costs_usd', 'total_tokens']);
  });

  it('with the offline sim judge, the same tests are scored through its prompts', async () => {
    const { code, stderr, stats } = await run(['--judge-config', join(ROOT, 'configs/agents/sim-judge.yaml')]);
    expect(code, stderr).toBe(0);
    expect(stats.tests.filter((t) => t.status !== undefined)).toEqual([]);
    expect(stats.tests_unscored).toBe(0);
    const route = stats.tests.find((t) => t.dataset === 'locations_directions')!;
    expect(route.score).toBe(1);
    expect(route.reasons[0]).toMatch(/judged by sim-judge/);
    expect(stderr).not.toContain('need a judge');
  });
});
