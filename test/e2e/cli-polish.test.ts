import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plural } from '../../src/plural.js';
import { ROOT, readJson, readJsonl, runCli, tempDir } from '../helpers.js';
import { writeSmallDataset } from '../monitor/helpers.js';

const fastAgent = (dir: string): string => {
  const file = join(dir, 'fast.yaml');
  writeFileSync(file, 'name: fast\nkind: chat\nllm: { provider: sim, model: sim-1, max_tokens: 32 }\ncontext_size: 512\n');
  return file;
};

// issue 17: the CLI without rough edges.
describe('referee --help', () => {
  it('describes every run flag, hides the internal --role, and shows examples', async () => {
    const r = await runCli(['run', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('--role');
    for (const flag of ['--seed', '--input-price-per-mtok', '--output-price-per-mtok', '--compute-hourly-usd']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toMatch(/Examples:\n[\s\S]*--resume runs\/<run-id>/);
  });

  it('describes the sim and stack options', async () => {
    const sim = await runCli(['sim', '--help']);
    const options = sim.stdout.slice(0, sim.stdout.indexOf('Examples:')).split('\n');
    expect(options.filter((l) => /^\s+--(port|host|ttft-ms|tokens-per-s|latency-ms)\b/.test(l))).toHaveLength(5);
    for (const line of options.filter((l) => /^\s+--(port|host|ttft-ms|tokens-per-s|latency-ms)\b/.test(l))) {
      expect(line, line).toMatch(/--[a-z-]+\s+[A-Z]/);
    }
    const stack = await runCli(['stack', '--help']);
    expect(stack.stdout).toContain('up: start them');
  });
});

describe('referee validate', () => {
  it('reports every problem of every file, each on its own line naming file and field, exit 2', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.yaml'), 'name: "bad name!"\nkind: robot\ncontext_size: 3\n');
    writeFileSync(join(dir, 'openai.yaml'), 'name: oa\nkind: chat\nllm: { provider: openai, model: gpt-4o }\n');
    writeFileSync(join(dir, 'ds.yaml'), 'datasets:\n  args: { memory_span: 200 }\n  datasets:\n    - name: no_such_generator\n');
    const r = await runCli(['validate', join(dir, 'bad.yaml'), join(dir, 'openai.yaml'), join(dir, 'ds.yaml'), 'configs/agents/memory.yaml']);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      `referee: ${join(dir, 'bad.yaml')}: name: letters, digits, dot, dash and underscore only`,
      expect.stringMatching(new RegExp(`^referee: ${join(dir, 'bad.yaml')}: kind: `)),
      expect.stringMatching(new RegExp(`^referee: ${join(dir, 'bad.yaml')}: context_size: `)),
      `referee: ${join(dir, 'openai.yaml')}: agent 'oa': llm.base_url is required when llm.provider is 'openai'`,
      expect.stringMatching(new RegExp(`^referee: ${join(dir, 'ds.yaml')}: unknown dataset "no_such_generator"`)),
      'referee: 3 of 4 files invalid',
    ]);
    expect(r.stdout).toBe('configs/agents/memory.yaml: valid agent config\n');
  });

  it('says "1 task", not "1 tasks"', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'one.jsonl'), '{"id": "a", "prompt": "hi", "expected": "hi"}\n');
    const r = await runCli(['validate', join(dir, 'one.jsonl')]);
    expect(r.stdout).toBe(`${join(dir, 'one.jsonl')}: valid task file (1 task)\n`);
    expect([plural(0, 'turn'), plural(1, 'turn'), plural(2, 'dataset')]).toEqual(['0 turns', '1 turn', '2 datasets']);
  });
});

describe('--seed and the per-MTok price flags', () => {
  it('a run takes its seed and a single input price (the output price stays the table’s)', async () => {
    const dir = tempDir();
    const out = join(dir, 'runs');
    const r = await runCli(['run', '--quiet', '--agent-config', fastAgent(dir), '--dataset-config', writeSmallDataset(dir), '--output-dir', out, '--run-id', 'seeded', '--seed', '7', '--input-price-per-mtok', '2.5']);
    expect(r.code, r.stderr).toBe(0);
    const meta = readJson<{ seed: number; agent_config: { pricing: unknown } }>(join(out, 'seeded', 'run.json'));
    expect(meta.seed).toBe(7);
    expect(meta.agent_config.pricing).toEqual({ input_per_mtok: 2.5 });
    const turns = readJsonl<{ tokens_in: number; tokens_out: number; cost_usd: number; pricing_source: string }>(join(out, 'seeded', 'turn_metrics.jsonl'));
    expect(turns.length).toBeGreaterThan(0);
    for (const t of turns) {
      expect(t.pricing_source).toBe('config');
      // sim-1 is free in the table: the output side costs 0, the input side 2.5 USD per million.
      expect(t.cost_usd).toBeCloseTo((t.tokens_in * 2.5) / 1e6, 12);
    }
    // Another seed, another dataset.
    const other = await runCli(['run', '--quiet', '--agent-config', fastAgent(dir), '--dataset-config', writeSmallDataset(dir), '--output-dir', out, '--run-id', 'seed0']);
    expect(other.code, other.stderr).toBe(0);
    const sha = (id: string): string => readJson<{ dataset: { sha256: string } }>(join(out, id, 'run.json')).dataset.sha256;
    expect(sha('seeded')).not.toBe(sha('seed0'));

    // issue 17: compare without --out writes under the runs' output dir, not the current directory.
    const c = await runCli(['compare', join(out, 'seed0'), join(out, 'seeded'), '--allow-different-datasets'], { cwd: dir });
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout.trim()).toBe(join(out, 'comparison_report-seed0-vs-seeded.html'));
    expect(existsSync(c.stdout.trim())).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.html'))).toEqual([]);
  });

  it('refuses where a flag cannot apply, in one line with exit 2', async () => {
    const tasks = await runCli(['run', '--tasks', join(ROOT, 'configs/tasks/basics.jsonl'), '--agent-config', join(ROOT, 'configs/agents/sim-mini.yaml'), '--seed', '3']);
    expect(tasks.code).toBe(2);
    expect(tasks.stderr.trim()).toMatch(/^referee: command line: --seed is for LTM and match runs/);
    const hourly = await runCli(['run', '--compute-hourly-usd', '1']);
    expect(hourly.code).toBe(2);
    expect(hourly.stderr.trim()).toBe('referee: command line: --compute-hourly-usd is for --monitor; add --monitor or drop it');
  });
});
