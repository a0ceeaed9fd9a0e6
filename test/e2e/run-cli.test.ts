import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, readJson, readJsonl, runCli, tempDir, type CliResult } from '../helpers.js';

function onlyRunDir(outputDir: string): string {
  const dirs = readdirSync(outputDir).filter((d) => statSync(join(outputDir, d)).isDirectory());
  expect(dirs).toHaveLength(1);
  return join(outputDir, dirs[0]!);
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe('referee run (the README command, offline default)', () => {
  let out: string;
  let result: CliResult;
  let runDir: string;

  beforeAll(async () => {
    out = tempDir();
    result = await runCli(['run', '--output-dir', out, '--progress-interval', '0.2']);
    runDir = onlyRunDir(out);
  });

  it('exits 0, prints the run directory and shows progress in a non-TTY log', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(runDir);
    expect(result.stderr).toMatch(/\[referee\] memory-agent \d+% turns \d+\/\d+ tests \d+\/\d+/);
    expect(result.stderr).toMatch(/finished: score [\d.]+\/6/);
  });

  it('marks the planned total as an estimate, ends the progress at 100% of what was done, and says what to do next (issue 21)', () => {
    const stats = readJson<{ turns: number; tokens_in: number; tokens_out: number }>(join(runDir, 'runstats.json'));
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^\[referee\] run \S+: 6 tests, about \d+ turns \(an estimate: the plan follows the replies\) -> /);
    const progress = lines.filter((l) => / \d+% turns /.test(l));
    expect(progress.at(-1)).toContain(` 100% turns ${stats.turns}/${stats.turns} `);
    const tokens = `tokens ${stats.tokens_in.toLocaleString('en-US')} in / ${stats.tokens_out.toLocaleString('en-US')} out`;
    expect(lines.find((l) => l.includes('finished: score'))).toContain(`, ${stats.turns} turns, ${tokens}, `);
    expect(lines.slice(-2)).toEqual([`[referee] report: ${join(runDir, 'report.html')}`, `[referee] browse: npx referee view --runs-dir ${out}`]);
  });

  it('--json prints the ending as one JSON object, GoodAI-meaning fields apart from Referee\'s (issue 21)', async () => {
    const r = await runCli(['run', '--runs-dir', out, '--run-id', 'as-json', '--json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const ending = JSON.parse(r.stdout) as { kind: string; status: string; path: string; report: string; stats: Record<string, unknown> & { goodai: Record<string, number> } };
    const stats = readJson<Record<string, number>>(join(out, 'as-json', 'runstats.json'));
    expect(ending).toMatchObject({ kind: 'ltm', status: 'finished', path: join(out, 'as-json'), report: join(out, 'as-json', 'report.html') });
    expect(ending.stats).toMatchObject({ turns: stats['turns'], tokens_in: stats['tokens_in'], tokens_out: stats['tokens_out'], score: stats['score'] });
    expect(ending.stats.goodai).toEqual({ total_tokens: stats['total_tokens'], agent_tokens: stats['agent_tokens'], duration: stats['duration'] });
    expect(ending.stats).not.toHaveProperty('total_tokens');
  });

  it('never warns about a duplicate telemetry registration', () => {
    expect(result.stderr).not.toMatch(/duplicate registration/i);
    expect(result.stderr).not.toMatch(/telemetry (error|warning)/);
  });

  it('writes exactly one turn_metrics record per agent reply in master_log', () => {
    const turns = readJsonl(join(runDir, 'turn_metrics.jsonl'));
    const master = readJsonl<{ type: number; test_id: string }>(join(runDir, 'master_log.jsonl'));
    const replies = master.filter((m) => m.type === 4 || m.type === 5);
    const sends = master.filter((m) => m.type === 0 || m.type === 3);
    expect(turns.length).toBeGreaterThan(20);
    expect(turns).toHaveLength(replies.length);
    expect(sends).toHaveLength(replies.length);
    for (const key of ['timestamp', 'test_id', 'turn_id', 'llm_ms', 'storage_ms', 'total_ms', 'tokens_in', 'tokens_out', 'status', 'ttft_ms', 'cost_usd', 'pricing_source']) {
      expect(turns[0]).toHaveProperty(key);
    }
    expect(turns.every((t) => t['status'] === 'success')).toBe(true);
    // BEGIN and END bracket every test.
    expect(master.filter((m) => m.type === 1)).toHaveLength(6);
    expect(master.filter((m) => m.type === 2)).toHaveLength(6);
  });

  it('writes runstats, per-test results in the GoodAI tree, run.json and a hashed dataset', () => {
    const stats = readJson<{ score: number; max_score: number; total_tokens: number; duration: number; tests: unknown[] }>(join(runDir, 'runstats.json'));
    expect(stats.max_score).toBe(6);
    expect(stats.tests).toHaveLength(6);
    expect(stats.total_tokens).toBeGreaterThan(0);
    const result0 = readJson<Record<string, unknown>>(join(runDir, 'results/memory-agent/Colours/0_0.json'));
    for (const key of ['task_log', 'actual_responses', 'score', 'max_score', 'reasoning', 'tokens', 'characters', 'full_log', 'expected_responses', 'needles']) {
      expect(result0).toHaveProperty(key);
    }
    const meta = readJson<Record<string, unknown>>(join(runDir, 'run.json'));
    expect(meta['status']).toBe('finished');
    expect(meta['node_version']).toBe(process.version);
    const manifest = readJson<{ sha256: string; files: Record<string, string> }>(join(runDir, 'dataset/manifest.json'));
    expect((meta['dataset'] as { sha256: string }).sha256).toBe(manifest.sha256);
    expect(Object.keys(manifest.files).length).toBe(6);
  });

  it('records run, test, turn, LLM and evaluation spans in spans.jsonl', () => {
    const lines = readJsonl<{ resourceSpans: { scopeSpans: { spans: { name: string; parentSpanId?: string; spanId: string }[] }[] }[] }>(
      join(runDir, 'spans.jsonl'),
    );
    const spans = lines.flatMap((l) => l.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
    const names = new Set(spans.map((s) => s.name));
    for (const n of ['benchmark.run', 'benchmark.test', 'benchmark.turn', 'chat sim-1', 'evaluate colours', 'storage search', 'storage write']) {
      expect(names).toContain(n);
    }
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const chat = spans.find((s) => s.name === 'chat sim-1')!;
    expect(byId.get(chat.parentSpanId!)?.name).toBe('benchmark.turn');
    const turns = readJsonl(join(runDir, 'turn_metrics.jsonl'));
    expect(spans.filter((s) => s.name === 'benchmark.turn')).toHaveLength(turns.length);
  });
});

describe('referee run: bad input', () => {
  it('exits 2 with one line naming file and field', async () => {
    const dir = tempDir();
    const file = join(dir, 'agent.yaml');
    writeFileSync(file, 'name: x\nkind: chat\ntemperature: 0.2\n');
    const r = await runCli(['run', '--agent-config', file, '--output-dir', join(dir, 'runs')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${file}: (root): unknown key(s) "temperature"`);
    expect(existsSync(join(dir, 'runs'))).toBe(false);
  });

  it('rejects a bad override value with exit 2', async () => {
    const r = await runCli(['run', '--overrides', 'datasets.args.memory_span=-5', '--output-dir', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/default\.yaml: datasets\.args\.memory_span: .*--overrides datasets\.args\.memory_span=-5/);
  });

  it('validate checks without running', async () => {
    const ok = await runCli(['validate', 'configs/agents/memory.yaml', 'configs/datasets/default.yaml']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('valid agent config');
    const dir = tempDir();
    const file = join(dir, 'd.yaml');
    writeFileSync(file, 'datasets:\n  datasets: []\n');
    const bad = await runCli(['validate', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${file}: datasets.datasets: at least one dataset is required`);
  });

  it('validate checks suites, with the task files and agents they name, and task files', async () => {
    const ok = await runCli(['validate', 'configs/suites/judged.yaml', 'configs/tasks/basics.jsonl']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('configs/suites/judged.yaml: valid suite (2 agents x 1 dataset, judge sim-judge)');
    expect(ok.stdout).toMatch(/basics\.jsonl: valid task file \(\d+ tasks\)/);
    const dir = tempDir();
    writeFileSync(join(dir, 't.jsonl'), '{"id": 1, "prompt": "hi", "expected": 1}\n{"id": 2, "expected": 2}\n');
    writeFileSync(join(dir, 's.yaml'), `datasets: [{ file: t.jsonl }]\nagents: [${join(ROOT, 'configs/agents/sim-mini.yaml')}]\n`);
    const bad = await runCli(['validate', join(dir, 's.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain(`${join(dir, 't.jsonl')}:2: prompt`);
    writeFileSync(join(dir, 'typo.yaml'), `datasets: [{ file: t.jsonl }]\nagents: [a.yaml]\ndefaults: { concurrencyy: 2 }\n`);
    const typo = await runCli(['validate', join(dir, 'typo.yaml')]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(`${join(dir, 'typo.yaml')}: defaults: unknown key(s) "concurrencyy"`);
  });
});

describe('an OpenAI-compatible server in another process', () => {
  it('is reached over real HTTP, and the API key never lands in any file', async () => {
    const sim = spawn(process.execPath, [CLI, 'sim', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        sim.stdout.on('data', (d: Buffer) => {
          const m = /http:\/\/127\.0\.0\.1:\d+\/v1/.exec(d.toString());
          if (m) resolve(m[0]);
        });
        sim.on('exit', (code) => reject(new Error(`sim exited ${code}`)));
      });
      const dir = tempDir();
      const agentFile = join(dir, 'remote.yaml');
      writeFileSync(
        agentFile,
        `name: remote\nkind: chat\nllm:\n  provider: openai\n  base_url: ${url}\n  model: gpt-4o-mini\n  api_key_env: REFEREE_TEST_KEY\n  headers:\n    X-Team: \${REFEREE_TEST_KEY}\ncontext_size: 16384\n`,
      );
      const secret = 'sk-test-DO-NOT-LEAK-8472910';
      const r = await runCli(['run', '--agent-config', agentFile, '--output-dir', join(dir, 'runs'), '--quiet'], {
        env: { REFEREE_TEST_KEY: secret },
      });
      expect(r.code, r.stderr).toBe(0);
      const runDir = onlyRunDir(join(dir, 'runs'));
      const turns = readJsonl<{ status: string; pricing_source: string; tokens_in: number; prefilled?: boolean }>(join(runDir, 'turn_metrics.jsonl'));
      expect(turns.length).toBeGreaterThan(0);
      // issue 12: pre-filled filler makes no call, so it has no usage.
      expect(turns.every((t) => t.status === 'success' && (t.prefilled === true || t.tokens_in > 0))).toBe(true);
      expect(turns.filter((t) => !t.prefilled).length).toBeGreaterThan(0);
      // gpt-4o-mini is in the built-in price table.
      expect(turns[0]!.pricing_source).toBe('table');
      for (const file of walk(join(dir, 'runs'))) {
        expect(readFileSync(file, 'utf8'), file).not.toContain(secret);
      }
      expect(r.stdout + r.stderr).not.toContain(secret);
    } finally {
      sim.kill('SIGTERM');
    }
  });
});
