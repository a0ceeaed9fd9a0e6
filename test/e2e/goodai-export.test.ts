/**
 * issue 12: every GoodAI output shape as a golden fixture. A small GoodAI-shaped
 * run (test/fixtures/goodai/export-small, written for this project) against a
 * loopback server answering "OK", exported with `referee export goodai`; the
 * files are compared, timestamps and durations normalised, with the golden
 * copies under golden/ (REFEREE_UPDATE_GOLDEN=1 rewrites them), and the lines
 * are checked against the patterns GoodAI's own readers apply.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AgentConfigSchema } from '../../src/config/agent.js';
import { loadDatasetConfig } from '../../src/config/load.js';
import { runBenchmark } from '../../src/runner/run-benchmark.js';
import { startConstantServer, type RecordingServer } from '../agents/helpers.js';
import { readJson, readJsonl, ROOT, runCli, tempDir } from '../helpers.js';

const FIXTURE = join(ROOT, 'test/fixtures/goodai/export-small');
const GOLDEN = join(FIXTURE, 'golden');
/** GoodAI's reporting/generate.py formatted_log and evaluate.py reconstruct_history pattern. */
const GOODAI_LINE = /^((Test|Agent|System) (\(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\))?:)/;

function normalise(file: string, text: string): string {
  let t = text.replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}/g, '<ts>');
  if (file.endsWith('master_log.jsonl')) t = t.replace(/"timestamp":\s*[\d.]+/g, '"timestamp":0');
  if (file.endsWith('runstats.json')) t = t.replace(/"duration":\s*[\d.e-]+/g, '"duration":0');
  return t;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
}

describe('referee export goodai: GoodAI\'s layout and shapes', () => {
  let server: RecordingServer;
  let out = '';
  let stdout = '';
  beforeAll(async () => {
    server = await startConstantServer('OK');
    const agentConfig = AgentConfigSchema.parse({ name: 'ok-agent', kind: 'chat', context_size: 100000, llm: { provider: 'openai', base_url: server.url, model: 'ok', max_tokens: 16 } });
    const root = tempDir();
    const run = await runBenchmark({ agentConfig, datasetConfig: loadDatasetConfig(join(FIXTURE, 'definitions/config.yml')), datasetDir: FIXTURE, outputDir: join(root, 'runs'), runId: 'golden', env: {} });
    out = join(root, 'goodai');
    const r = await runCli(['export', 'goodai', run.runDir, out]);
    expect(r.code, r.stderr).toBe(0);
    stdout = r.stdout;
  }, 60_000);
  afterAll(() => server?.close());

  it('writes <run_name>/definitions and <run_name>/results/<agent>', () => {
    // issue 25: "OK" is not the trigger's sentence, so GoodAI asks its LLM judge: with none, Trigger Response is
    // unscored, its result kept beside results/ (GoodAI's reports cannot read a null score) and named in the note.
    expect(stdout).toContain('wrote 3 definitions and 2 results of agent ok-agent');
    expect(stdout).toContain('1 tests unscored (need a judge) are left out of results/');
    const dir = join(out, 'Golden small');
    expect(files(dir).map((f) => relative(dir, f)).sort()).toEqual([
      'definitions/Colours/0.def.json',
      'definitions/Prospective Memory/0.def.json',
      'definitions/Trigger Response/0.def.json',
      'definitions/config.yml',
      'referee_note.json',
      'referee_unscored/ok-agent/Trigger Response/0_0.json',
      'results/ok-agent/Colours/0_0.json',
      'results/ok-agent/Prospective Memory/0_0.json',
      'results/ok-agent/master_log.jsonl',
      'results/ok-agent/runstats.json',
    ]);
  });

  it('matches the golden copy of every file, timestamps normalised', () => {
    const dir = join(out, 'Golden small');
    for (const file of files(dir)) {
      const rel = relative(dir, file);
      const actual = normalise(rel, readFileSync(file, 'utf8'));
      const golden = join(GOLDEN, rel);
      if (process.env['REFEREE_UPDATE_GOLDEN'] === '1' || !existsSync(golden)) {
        mkdirSync(dirname(golden), { recursive: true });
        writeFileSync(golden, actual);
      }
      expect(actual, rel).toBe(readFileSync(golden, 'utf8'));
    }
  });

  it('writes task_log and full_log as GoodAI\'s readers parse them, SUITE_RESET after the introduction', () => {
    const dir = join(out, 'Golden small/results/ok-agent');
    const colours = readJson<{ task_log: string[]; full_log: string[]; actual_responses: string[]; score: number }>(join(dir, 'Colours/0_0.json'));
    expect(colours.task_log).toHaveLength(6);
    for (const line of colours.task_log) expect(line).toMatch(GOODAI_LINE);
    expect(colours.task_log[0]).toMatch(/^Test \(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\): My favourite colour is teal\.$/);
    expect(colours.full_log.every((l) => typeof l === 'string')).toBe(true);
    expect(colours.full_log.some((l) => /^SYSTEM \(.*\): Test 'Colours - 0' WAITING for \d+ TOKENS\.$/.test(l))).toBe(true);
    expect(colours.full_log.some((l) => l.startsWith('System (') && l.includes('Here are some trivia questions and answers'))).toBe(true);
    // A callback test's task_log runs on past its question, filler included (GoodAI's messages_past_question).
    const pm = readJson<{ task_log: string[] }>(join(dir, 'Prospective Memory/0_0.json'));
    for (const line of pm.task_log) expect(line).toMatch(GOODAI_LINE);
    const master = readJsonl<{ type: number; test_id: string }>(join(dir, 'master_log.jsonl'));
    expect(master.slice(0, 3).map((e) => e.type)).toEqual([3, 5, 7]);
    const stats = readJson<Record<string, number>>(join(dir, 'runstats.json'));
    expect(Object.keys(stats).sort()).toEqual(['agent_costs_usd', 'agent_tokens', 'duration', 'managing_costs_usd', 'total_tokens']);
    const config = parse(readFileSync(join(out, 'Golden small/definitions/config.yml'), 'utf8')) as { datasets: { args: Record<string, unknown> } };
    expect(Object.keys(config.datasets.args).sort()).toEqual(['dataset_examples', 'memory_span', 'seed']);
    const def = readJson<Record<string, unknown>>(join(out, 'Golden small/definitions/Colours/0.def.json'));
    expect(def).not.toHaveProperty('evaluation');
  });
});
