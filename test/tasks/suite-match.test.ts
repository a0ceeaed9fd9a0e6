/**
 * issue 13 item 4: a suite in match mode compares cell by cell. `referee run --suite S.yaml
 * --compare-with B.yaml` runs B as one more agent of the matrix on the same task files, then
 * compares every (agent, dataset) cell with B's cell on that dataset.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SuiteComparison } from '../../src/match/suite-compare.js';
import { ROOT, readJson, runCli, tempDir } from '../helpers.js';

interface Summary {
  agents: string[];
  challenger?: { agent: string; file: string };
  cells: { agent: string; dataset: string; run_dir: string; status: string }[];
}

const XSS = '<img src=x onerror=alert(1)></script><!--';

describe('referee run --suite --compare-with', () => {
  const dir = tempDir('referee-suite-match-');
  const out = join(dir, 'runs');
  const suite = join(dir, 'suite.yaml');
  const challenger = join(dir, 'plain.yaml');
  let first: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    // A task file of our own whose prompt a browser would run if the report did not escape it.
    writeFileSync(
      join(dir, 'odd.jsonl'),
      [
        { id: 'xss', prompt: `What is 2 + 2? ${XSS}`, expected: 4, evaluator: 'numeric' },
        { id: 'add', prompt: 'What is 17 + 25?', expected: 42, evaluator: 'numeric' },
      ]
        .map((t) => JSON.stringify(t))
        .join('\n') + '\n',
    );
    writeFileSync(
      suite,
      [
        'name: duel',
        'datasets:',
        '  - file: odd.jsonl',
        `  - file: ${join(ROOT, 'configs/tasks/basics.jsonl')}`,
        '    evaluator: exact',
        'agents:',
        `  - ${join(ROOT, 'configs/agents/sim-think.yaml')}`,
        `  - ${join(ROOT, 'configs/agents/sim-mini.yaml')}`,
        'defaults: { evaluator: exact, concurrency: 4 }',
        '',
      ].join('\n'),
    );
    writeFileSync(challenger, 'name: sim-plain\nkind: chat\nllm: { provider: sim, model: sim-1 }\n');
    first = await runCli(['run', '--suite', suite, '--compare-with', challenger, '--output-dir', out, '--run-id', 'duel', '--quiet']);
  }, 120_000);

  const comparisonFile = (): string => join(out, 'suite-comparison-duel.json');

  it('compares each (agent, dataset) cell with the challenger on the same dataset, with the scores of the cells', () => {
    expect(first.code, first.stderr).toBe(0);
    const summary = readJson<Summary>(join(out, 'matrix-duel.json'));
    expect(summary.agents).toEqual(['sim-think', 'sim-mini', 'sim-plain']);
    expect(summary.challenger?.agent).toBe('sim-plain');
    expect(summary.cells).toHaveLength(6);

    const s = readJson<SuiteComparison>(comparisonFile());
    expect(s.skipped).toEqual([]);
    expect(s.comparisons.map((c) => `${c.champion}/${c.dataset} vs ${c.challenger}`).sort()).toEqual(
      ['sim-mini/basics vs sim-plain', 'sim-mini/odd vs sim-plain', 'sim-think/basics vs sim-plain', 'sim-think/odd vs sim-plain'],
    );
    for (const c of s.comparisons) {
      // Both sides ran the very same task file: the cells of that dataset.
      const cellA = summary.cells.find((x) => x.agent === c.champion && x.dataset === c.dataset)!;
      const cellB = summary.cells.find((x) => x.agent === 'sim-plain' && x.dataset === c.dataset)!;
      expect([c.champion_run_dir, c.challenger_run_dir]).toEqual([cellA.run_dir, cellB.run_dir]);
      const a = readJson<{ score: number; max_score: number }>(join(c.champion_run_dir, 'runstats.json'));
      const b = readJson<{ score: number; max_score: number }>(join(c.challenger_run_dir, 'runstats.json'));
      expect([c.champion_score, c.champion_max_score, c.challenger_score, c.challenger_max_score]).toEqual([a.score, a.max_score, b.score, b.max_score]);
      // The winner named is the side with the higher score.
      const expected = a.score > b.score ? c.champion : a.score < b.score ? 'sim-plain' : 'tie';
      expect(c.winner, `${c.champion}/${c.dataset}`).toBe(expected);
      // And the table on stdout says the same.
      expect(first.stdout).toMatch(new RegExp(`${c.champion}\\s+${c.dataset}\\s+${a.score}/${a.max_score}\\s+${b.score}/${b.max_score}\\s+${c.winner}\\s`));
    }
    // Not vacuous: sim-mini misses half of basics, the plain sim does not.
    const mini = s.comparisons.find((c) => c.champion === 'sim-mini' && c.dataset === 'basics')!;
    expect([mini.champion_score, mini.challenger_score, mini.winner]).toEqual([6, 12, 'sim-plain']);
    expect(mini.verdict).toContain('sim-plain better by 50.0 points');
  });

  it('writes one escaped comparison report per pair under the suite output', () => {
    const s = readJson<SuiteComparison>(comparisonFile());
    expect(s.comparisons).toHaveLength(4);
    for (const c of s.comparisons) {
      expect(c.report).toBe(join(out, `comparison_report-${basename(c.champion_run_dir)}-vs-${basename(c.challenger_run_dir)}.html`));
      expect(first.stdout).toContain(`${c.report}\n`);
      const html = readFileSync(c.report, 'utf8');
      expect(html).toContain(c.champion);
      expect(html).toContain('sim-plain');
      expect(html).not.toContain('<img src=x');
      expect(html).not.toContain('</script><!--');
      if (c.dataset === 'odd') expect(html).toContain('\\u003cimg src=x onerror=alert(1)\\u003e\\u003c/script');
    }
  });

  it('resumes: the challenger cells are just cells, and the comparisons come out the same', async () => {
    const before = readJson<SuiteComparison>(comparisonFile());
    // As if killed once the champions had finished: the challenger's cells never ran.
    const summaryFile = join(out, 'matrix-duel.json');
    const summary = readJson<Summary>(summaryFile);
    for (const c of summary.cells.filter((x) => x.agent === 'sim-plain')) rmSync(c.run_dir, { recursive: true });
    for (const c of before.comparisons) rmSync(c.report);
    rmSync(comparisonFile());
    writeFileSync(summaryFile, JSON.stringify({ ...summary, cells: summary.cells.filter((x) => x.agent !== 'sim-plain') }));

    const r = await runCli(['run', '--resume', summaryFile, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const after = readJson<SuiteComparison>(comparisonFile());
    const key = (s: SuiteComparison): unknown => s.comparisons.map((c) => [c.champion, c.dataset, c.champion_score, c.challenger_score, c.winner, c.verdict, c.report]);
    expect(key(after)).toEqual(key(before));
    for (const c of after.comparisons) expect(existsSync(c.report)).toBe(true);
    expect(readJson<Summary>(summaryFile).cells.filter((x) => x.agent === 'sim-plain' && x.status === 'finished')).toHaveLength(2);
  }, 120_000);

  it('refuses a challenger named like one of the suite agents, and match-only flags, in one line with exit 2', async () => {
    const same = await runCli(['run', '--suite', suite, '--compare-with', 'configs/agents/sim-mini.yaml', '--output-dir', join(dir, 'x'), '--quiet']);
    expect(same.code).toBe(2);
    expect(same.stderr.trim().split('\n')).toHaveLength(1);
    expect(same.stderr).toContain('agent name "sim-mini" is already one of the suite\'s agents');
    const parallel = await runCli(['run', '--suite', suite, '--compare-with', challenger, '--parallel', '--output-dir', join(dir, 'x'), '--quiet']);
    expect(parallel.code).toBe(2);
    expect(parallel.stderr.trim().split('\n')).toHaveLength(1);
    expect(parallel.stderr).toContain('--parallel: does not apply to a --suite run');
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});
