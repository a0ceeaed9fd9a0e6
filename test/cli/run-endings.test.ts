/**
 * Every kind of run ends through one CLI path (src/cli/run-process.ts): the same ending on the
 * terminal (`--json` one JSON object, else the results on stdout and the next steps on stderr)
 * and the same exit codes. An LTM suite, which had its own ending, ends as a task suite does.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliResult } from '../helpers.js';
import { SMALL_DATASET, agentYaml, writeFiles } from '../reliability/helpers.js';

const INCOMPLETE =
  'incomplete: 2 tests not answered (a scored call failed: see each test\'s reasons); exit 5, not added to benchmark_history.jsonl (give --max-failed-turns to accept such a run)';

describe('an LTM suite ends as every run does', () => {
  const root = tempDir('referee-run-endings-');
  const runs = join(root, 'runs');
  let files: Record<string, string>;
  const suite = (agents: string[]): string => `name: endings\nkind: ltm\nagents: [${agents.join(', ')}]\ndatasets: [${files['ds.yaml']}]\nseeds: [0]\n`;
  const run = (file: string, runId: string, ...flags: string[]): Promise<CliResult> =>
    runCli(['run', '--suite', file, '--run-id', runId, '--runs-dir', runs, ...flags], { timeoutMs: 90_000 });

  beforeAll(() => {
    files = writeFiles(root, {
      'ds.yaml': SMALL_DATASET,
      'ok.yaml': agentYaml(),
      // Every question after the first turn answers HTTP 500, once: two tests not answered, the run still finishes.
      'faulty.yaml': agentYaml('retries: { max_attempts: 1 }\nsim:\n  faults:\n    - { kind: status, status: 500, at: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }\n').replace('name: rel', 'name: faulty'),
    });
    files = { ...files, ...writeFiles(root, { 'ok-suite.yaml': suite([files['ok.yaml']!]), 'faulty-suite.yaml': suite([files['ok.yaml']!, files['faulty.yaml']!]) }) };
  });

  it('--json: one JSON object on stdout (kind suite, the summary file, its runs under matrix), nothing else', async () => {
    const r = await run(files['ok-suite.yaml']!, 'json', '--json', '--quiet');
    expect(r.code, r.stderr).toBe(0);
    const ending = JSON.parse(r.stdout) as Record<string, unknown> & { matrix: { runs: { run_id: string; status: string; errored: number }[] } };
    expect(Object.keys(ending)).toEqual(['kind', 'status', 'path', 'report', 'runs_dir', 'matrix']);
    expect(ending).toMatchObject({ kind: 'suite', status: 'finished', path: join(runs, 'ltm-suite-json.json'), report: null, runs_dir: runs });
    expect(ending.matrix.runs).toEqual([expect.objectContaining({ run_id: 'json-rel-ds-s0', status: 'finished', errored: 0 })]);
  }, 90_000);

  it('without --json: the matrix and the runs on stdout, then the browse line on stderr', async () => {
    const r = await run(files['ok-suite.yaml']!, 'text');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.endsWith(`\n\nLTM suite summary: ${join(runs, 'ltm-suite-text.json')}\n${join(runs, 'text-rel-ds-s0')}\n`)).toBe(true);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`[referee] browse: npx referee view --runs-dir ${runs}`);
  }, 90_000);

  it('a run with tests not answered flags the suite as it flags a task suite: exit 5 and the notice (none under --json)', async () => {
    const r = await run(files['faulty-suite.yaml']!, 'faulty', '--quiet');
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`[referee] ${INCOMPLETE}`);
    const again = await run(files['faulty-suite.yaml']!, 'faulty-json', '--json', '--quiet');
    expect(again.code, again.stderr).toBe(5);
    expect(again.stderr).not.toContain('incomplete:');
    expect((JSON.parse(again.stdout) as { matrix: { runs: { errored: number }[] } }).matrix.runs.map((x) => x.errored)).toEqual([0, 2]);
  }, 90_000);

  it('--resume <ltm-suite summary> continues it under its run id (was: cannot load the suite as a task suite), then says it finished', async () => {
    const first = await run(files['faulty-suite.yaml']!, 'resumed', '--quiet', '--max-failed-turns', '1');
    expect(first.code, first.stderr).toBe(0);
    // --max-failed-turns reaches each run: the one with tests not answered is accepted, with its history line.
    expect(readFileSync(join(runs, 'benchmark_history.jsonl'), 'utf8')).toContain('"run_id":"resumed-faulty-ds-s0"');
    // As a process killed between its two runs leaves it: the summary holds the first run, the second never started.
    const summaryFile = join(runs, 'ltm-suite-resumed.json');
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { runs: { run_dir: string }[]; cells: unknown[] };
    rmSync(summary.runs[1]!.run_dir, { recursive: true });
    writeFileSync(summaryFile, JSON.stringify({ ...summary, runs: summary.runs.slice(0, 1), cells: [] }));
    const resumed = await runCli(['run', '--resume', summaryFile, '--json', '--quiet'], { timeoutMs: 90_000 });
    expect(resumed.code, resumed.stderr).toBe(5);
    const ending = JSON.parse(resumed.stdout) as { kind: string; path: string; matrix: { runs: { run_id: string; status: string }[] } };
    expect(ending).toMatchObject({ kind: 'suite', path: summaryFile });
    expect(ending.matrix.runs.map((r) => [r.run_id, r.status])).toEqual([
      ['resumed-rel-ds-s0', 'finished'],
      ['resumed-faulty-ds-s0', 'finished'],
    ]);
    const again = await runCli(['run', '--resume', summaryFile], { timeoutMs: 90_000 });
    expect([again.code, again.stdout, again.stderr]).toEqual([0, `${summaryFile}\n`, `[referee] ${summaryFile}: run already finished; nothing to resume\n`]);
  }, 120_000);
});
