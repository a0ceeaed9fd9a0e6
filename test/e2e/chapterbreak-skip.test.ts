/**
 * ChapterBreak's passages are the user's to supply. Without them a run that lists it skips it with
 * one line saying where to get them, and the summary, runstats.json and the report say the run is
 * incomplete, so its score is never read as a full v3 score. With them, it runs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson, ROOT, runCli, tempDir } from '../helpers.js';

const SAMPLE = join(ROOT, 'test/fixtures/goodai/chapterbreak-format-sample.json');

function config(dir: string, chapterbreak: string): string {
  const file = join(dir, 'v3-part.yaml');
  writeFileSync(
    file,
    `config: { run_name: part, clock: { step_s: 0 } }\ndatasets:\n  args: { memory_span: 600, dataset_examples: 1 }\n  datasets:\n    - name: colours\n    - name: chapterbreak\n${chapterbreak}`,
  );
  return file;
}

describe('chapterbreak without its data', () => {
  it('is skipped with one line saying where to get it; summary, runstats.json and report say INCOMPLETE', async () => {
    const dir = tempDir('referee-cb-skip-');
    const cache = tempDir('referee-cb-cache-');
    const r = await runCli(['run', '--dataset-config', config(dir, ''), '--output-dir', join(dir, 'runs'), '--run-id', 'skip', '--progress-interval', '60'], {
      env: { REFEREE_CACHE_DIR: cache },
    });
    expect(r.code, r.stderr).toBe(0);
    const skipLines = r.stderr.split('\n').filter((l) => l.includes('chapterbreak skipped:'));
    expect(skipLines).toEqual([
      `[referee] chapterbreak skipped: its book passages are not shipped; download https://github.com/GoodAI/goodai-ltm-benchmark/releases/download/v1.1/chapterbreak_ctx_8192.zst (sha256 1567de846314...) to ${cache}/data/ChapterBreak/chapterbreak_ctx_8192.zst, or set datasets[].args.data_file`,
    ]);
    const summary = r.stderr.split('\n').find((l) => l.startsWith('[referee] finished: score'))!;
    expect(summary).toMatch(/; INCOMPLETE: 1 of GoodAI v3's 11 datasets \(chapterbreak skipped\)$/);
    const stats = readJson<{ coverage?: { datasets: number; of: number; skipped: { name: string; reason: string }[] }; per_dataset: Record<string, unknown> }>(join(dir, 'runs/skip/runstats.json'));
    expect(stats.coverage).toMatchObject({ datasets: 1, of: 11, benchmark: 'GoodAI v3', skipped: [{ name: 'chapterbreak', reason: skipLines[0]!.replace('[referee] ', '') }] });
    expect(Object.keys(stats.per_dataset)).toEqual(['colours']);
    expect(readFileSync(join(dir, 'runs/skip/report.html'), 'utf8')).toContain("INCOMPLETE: 1 of GoodAI v3's 11 datasets (chapterbreak skipped)");
  }, 120_000);

  it('runs when the data is supplied, and the run is complete', async () => {
    const dir = tempDir('referee-cb-run-');
    const r = await runCli(['run', '--dataset-config', config(dir, `      args: { data_file: ${JSON.stringify(SAMPLE)}, max_message_size: 400 }\n`), '--output-dir', join(dir, 'runs'), '--run-id', 'full', '--quiet'], {
      env: { REFEREE_CACHE_DIR: tempDir('referee-cb-cache-') },
    });
    expect(r.code, r.stderr).toBe(0);
    const stats = readJson<{ coverage?: unknown; per_dataset: Record<string, { tests: number }> }>(join(dir, 'runs/full/runstats.json'));
    expect(stats.coverage).toBeUndefined();
    expect(stats.per_dataset['chapterbreak']?.tests).toBe(1);
  }, 120_000);
});
