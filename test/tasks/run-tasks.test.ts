import { createServer, type Server } from 'node:http';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentConfigSchema, type AgentConfig } from '../../src/config/agent.js';
import { loadTaskFile } from '../../src/tasks/load.js';
import { runTasks } from '../../src/tasks/run-tasks.js';
import { startTelemetry } from '../../src/telemetry/setup.js';
import { readJson, readJsonl, ROOT, runCli, tempDir } from '../helpers.js';

function agent(name: string, model: string, extra: Record<string, unknown> = {}): AgentConfig {
  return AgentConfigSchema.parse({ name, kind: 'chat', llm: { provider: 'sim', model, max_tokens: 256 }, ...extra });
}

function taskFile(lines: object[]): string {
  const file = join(tempDir('referee-tasks-'), 'tasks.jsonl');
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n'));
  return file;
}

type Ev = { type: string; test_id?: string; stage?: string; [k: string]: unknown };

describe('runTasks', () => {
  it('gives every task a fresh session: a later task does not see an earlier one', async () => {
    const file = taskFile([
      { id: 'tell', prompt: 'My favourite colour is blue.', expected: 'Okay, noted.' },
      { id: 'ask', prompt: 'What is my favourite colour?', expected: 'blue', evaluator: 'contains' },
      {
        id: 'conversation',
        messages: [
          { role: 'user', content: 'My favourite colour is green.' },
          { role: 'assistant', content: 'Okay, noted.' },
          { role: 'user', content: 'What is my favourite colour?' },
        ],
        expected: 'green',
        evaluator: 'contains',
      },
    ]);
    const out = tempDir();
    const r = await runTasks({ agentConfig: agent('iso', 'sim-1'), dataset: loadTaskFile(file), outputDir: out, concurrency: 1 });
    expect(r.status).toBe('finished');
    const scores = Object.fromEntries(r.stats.tests.map((t) => [t.test_id, t.score]));
    expect(scores).toEqual({ 'tasks/tell': 1, 'tasks/ask': 0, 'tasks/conversation': 1 });
    const transcripts = readJsonl<{ test_id: string; metadata: { history_messages_sent: number } }>(join(r.runDir, 'transcripts.jsonl'));
    expect(transcripts.find((t) => t.test_id === 'tasks/ask')!.metadata.history_messages_sent).toBe(0);
    expect(transcripts.find((t) => t.test_id === 'tasks/conversation')!.metadata.history_messages_sent).toBe(2);
  });

  it('keeps <think> apart from the answer: not scored, counted, shown as the Thinking stage', async () => {
    const file = taskFile([{ id: 'm', prompt: 'What is 12 * 13?', expected: 156, evaluator: 'numeric' }]);
    const r = await runTasks({ agentConfig: agent('thinker', 'sim-think-1'), dataset: loadTaskFile(file), outputDir: tempDir() });
    expect(r.passed).toBe(1);
    const events = readJsonl<Ev>(join(r.runDir, 'events.jsonl'));
    expect(events.filter((e) => e.type === 'stage').map((e) => e.stage)).toEqual(['thinking', 'streaming', 'evaluating', 'done']);
    const tokens = events.filter((e) => e.type === 'token');
    expect(tokens.some((e) => e.stage === 'thinking' && String(e['delta']).includes('step by step'))).toBe(true);
    expect(tokens.filter((e) => e.stage === 'streaming').map((e) => e['delta']).join('')).not.toContain('step by step');
    const end = events.find((e) => e.type === 'turn_end')!;
    expect(end['response']).toBe('The answer is 156.');
    const [metric] = readJsonl<{ reasoning_tokens?: number; tokens_out: number; attempts: number }>(join(r.runDir, 'turn_metrics.jsonl'));
    expect(metric!.reasoning_tokens).toBeGreaterThan(0);
    expect(metric!.reasoning_tokens).toBeLessThan(metric!.tokens_out);
    const transcript = readJsonl<{ metadata: { reasoning?: string } }>(join(r.runDir, 'transcripts.jsonl'))[0]!;
    expect(transcript.metadata.reasoning).toMatch(/step by step/);
  });

  it('retries a failed task up to the attempts, recording every attempt, and pauses to cool', async () => {
    const file = taskFile([
      { id: 'easy', prompt: 'What is 2 + 3?', expected: 5, evaluator: 'numeric' },
      { id: 'hard', prompt: 'What is 23 * 47?', expected: 1081, evaluator: 'numeric' },
    ]);
    const r = await runTasks({ agentConfig: agent('weak', 'sim-mini-1'), dataset: loadTaskFile(file), outputDir: tempDir(), concurrency: 1, attempts: 3, coolingMs: 5 });
    expect(r).toMatchObject({ passed: 1, tasks: 2, attempts: 4 });
    const metrics = readJsonl<{ test_id: string; attempts: number; turn_id: number }>(join(r.runDir, 'turn_metrics.jsonl'));
    expect(metrics.filter((m) => m.test_id === 'tasks/hard').map((m) => m.attempts)).toEqual([1, 2, 3]);
    expect(metrics.filter((m) => m.test_id === 'tasks/easy').map((m) => m.attempts)).toEqual([1]);
    expect(new Set(metrics.map((m) => m.turn_id)).size).toBe(4);
    const result = readJsonl<{ test_id: string; reasoning: string[]; actual_responses: string[] }>(join(r.runDir, 'results/weak/results.jsonl')).find((x) => x.test_id === 'tasks/hard')!;
    expect(result.reasoning).toHaveLength(3);
    expect(result.actual_responses).toHaveLength(3);
    const events = readJsonl<Ev>(join(r.runDir, 'events.jsonl'));
    expect(events.filter((e) => e.type === 'stage' && e.stage === 'cooling')).toHaveLength(1);
    const done = events.filter((e) => e.type === 'stage' && e.stage === 'done');
    expect(done.map((e) => [e.test_id, e['result'], e['attempts']])).toEqual([
      ['tasks/easy', 'pass', 1],
      ['tasks/hard', 'fail', 3],
    ]);
  });
});

describe('runTasks against an OpenAI-compatible server with a reasoning field', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const prompt = (JSON.parse(body) as { messages: { content: string }[] }).messages.at(-1)!.content;
        if (prompt.includes('hang')) return; // never answers: the call timeout must end it
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunk = (delta: object, finish: string | null = null) =>
          `data: ${JSON.stringify({ model: 'r1', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
        res.end(chunk({ reasoning_content: 'Paris is the capital. ' }) + chunk({ reasoning_content: 'Certain.' }) + chunk({ content: 'Paris' }) + chunk({}, 'stop') + 'data: [DONE]\n\n');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('shows the provider reasoning as the Thinking stage and a hung call as an error', async () => {
    const file = taskFile([
      { id: 'fr', prompt: 'Capital of France?', expected: 'Paris' },
      { id: 'hang', prompt: 'please hang', expected: 'x' },
    ]);
    const cfg = AgentConfigSchema.parse({ name: 'remote', kind: 'chat', llm: { provider: 'openai', base_url: url, model: 'r1' } });
    const r = await runTasks({ agentConfig: cfg, dataset: loadTaskFile(file), outputDir: tempDir(), concurrency: 2, callTimeoutMs: 500 });
    expect(r).toMatchObject({ passed: 1, errored: 1 });
    const events = readJsonl<Ev>(join(r.runDir, 'events.jsonl'));
    const fr = events.filter((e) => e.test_id === 'tasks/fr');
    expect(fr.filter((e) => e.type === 'stage').map((e) => e.stage)).toEqual(['thinking', 'streaming', 'evaluating', 'done']);
    expect(fr.find((e) => e.type === 'token' && e.stage === 'thinking')!['delta']).toBe('Paris is the capital. Certain.');
    const hang = events.filter((e) => e.test_id === 'tasks/hang' && e.type === 'stage');
    expect(hang.map((e) => [e.stage, e['result']])).toEqual([['done', 'error']]);
    const metric = readJsonl<{ test_id: string; status: string; reason?: string }>(join(r.runDir, 'turn_metrics.jsonl')).find((m) => m.test_id === 'tasks/hang');
    expect(metric).toMatchObject({ status: 'error', reason: 'timeout' });
  });
});

describe('referee run --suite', () => {
  it('runs the example matrix offline: a run directory per cell, a summary file and a table', async () => {
    const out = tempDir();
    const r = await runCli(['run', '--suite', join(ROOT, 'configs/suites/example.yaml'), '--output-dir', out, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sim-think \(sim-think-1\)\s+12\/12 100%\s+6\/6 100%/);
    expect(r.stdout).toMatch(/sim-mini \(sim-mini-1\)\s+6\/12 50%\s+0\/6 0%/);
    const summaryFile = readdirSync(out).find((f) => f.startsWith('matrix-example-'))!;
    const summary = readJson<{ cells: { agent: string; dataset: string; passed: number; tasks: number; run_dir: string }[] }>(join(out, summaryFile));
    expect(summary.cells.map((c) => `${c.agent}/${c.dataset}:${c.passed}/${c.tasks}`)).toEqual([
      'sim-think/basics:12/12',
      'sim-think/code:6/6',
      'sim-mini/basics:6/12',
      'sim-mini/code:0/6',
    ]);
    for (const cell of summary.cells) {
      const files = readdirSync(cell.run_dir);
      expect(files).toEqual(expect.arrayContaining(['run.json', 'events.jsonl', 'turn_metrics.jsonl', 'spans.jsonl', 'runstats.json', 'results']));
      const spans = readJsonl<{ resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[] }>(join(cell.run_dir, 'spans.jsonl'));
      const names = new Set(spans.flatMap((l) => l.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans.map((x) => x.name)))));
      expect([...names]).toEqual(expect.arrayContaining(['benchmark.run', 'benchmark.test', 'benchmark.turn', 'chat sim-think-1'].map((n) => n.replace('sim-think-1', cell.agent === 'sim-mini' ? 'sim-mini-1' : 'sim-think-1'))));
    }
    const history = readJsonl<{ run_type: string; suite: string }>(join(out, 'benchmark_history.jsonl'));
    expect(history.map((h) => h.run_type)).toEqual(['suite', 'suite', 'suite', 'suite']);
  });
});

describe('task runs with an LLM judge', () => {
  const judgeConfig = AgentConfigSchema.parse({
    name: 'judge',
    kind: 'chat',
    llm: { provider: 'sim', model: 'sim-judge-1', max_tokens: 512 },
    pricing: { input_per_mtok: 1, output_per_mtok: 2 },
  });

  it('asks the judge under the evaluate span, and prices its calls as managing cost', async () => {
    const file = taskFile([
      { id: 'wordy', prompt: 'What is 12 * 13?', expected: 156, evaluator: 'judge' },
      { id: 'exact', prompt: 'What is the capital city of France?', expected: 'Paris', evaluator: 'judge' },
      { id: 'plain', prompt: 'What is 6 * 7?', expected: 42, evaluator: 'numeric' },
    ]);
    const out = tempDir();
    const telemetry = startTelemetry({ runDir: join(out, 'judged'), runId: 'judged', agentName: 'a' });
    let r;
    try {
      r = await runTasks({ agentConfig: agent('a', 'sim-1'), dataset: loadTaskFile(file), outputDir: out, runId: 'judged', judgeConfig, concurrency: 1 });
    } finally {
      await telemetry.shutdown(5000);
    }
    expect(r.passed).toBe(3);
    const reasons = Object.fromEntries(r.stats.tests.map((t) => [t.test_id, t.reasons.join(' ')]));
    // "The answer is 156." is not exact: the judge was asked. "Paris." is: it was not.
    expect(reasons['tasks/wordy']).toMatch(/judged by judge/);
    expect(reasons['tasks/exact']).toMatch(/judge not asked/);
    expect(r.stats.managing_costs_usd).toBeGreaterThan(0);
    expect(readJson<{ dataset_config: { judge: { name: string } } }>(join(r.runDir, 'run.json')).dataset_config.judge.name).toBe('judge');
    const spans = readJsonl<{ resourceSpans: { scopeSpans: { spans: { name: string; spanId: string; parentSpanId?: string }[] }[] }[] }>(join(r.runDir, 'spans.jsonl')).flatMap(
      (l) => l.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans)),
    );
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const judgeCalls = spans.filter((s) => s.name === 'chat sim-judge-1');
    expect(judgeCalls).toHaveLength(1);
    expect(byId.get(judgeCalls[0]!.parentSpanId!)!.name).toBe('evaluate judge');
  });

  it('refuses to start judged tasks without a judge, naming the file and the task', async () => {
    const file = taskFile([{ id: 'j1', prompt: 'What is 1 + 1?', expected: 2, evaluator: { type: 'judge', criteria: 'Correct.' } }]);
    const out = tempDir();
    await expect(runTasks({ agentConfig: agent('a', 'sim-1'), dataset: loadTaskFile(file), outputDir: out, runId: 'r' })).rejects.toThrow(
      `${file}: task "j1": evaluator "judge" needs a judge`,
    );
    expect(readdirSync(out)).toEqual([]);
    const cli = await runCli(['run', '--tasks', file, '--agent-config', join(ROOT, 'configs/agents/sim-mini.yaml'), '--output-dir', out, '--quiet']);
    expect(cli.code).toBe(2);
    expect(cli.stderr.trim().split('\n')).toHaveLength(1);
    expect(cli.stderr).toContain('needs a judge');
  });

  it('runs the judged example suite offline, its judge from the suite YAML', async () => {
    const out = tempDir();
    const r = await runCli(['run', '--suite', join(ROOT, 'configs/suites/judged.yaml'), '--output-dir', out, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sim-think \(sim-think-1\)\s+5\/5 100%/);
    expect(r.stdout).toMatch(/sim-mini \(sim-mini-1\)\s+2\/5 40%/);
  });

  it("writes each task's own exchange as its task_log and full_log, never its concurrent neighbours' (issue 13)", async () => {
    const tasks = Array.from({ length: 8 }, (_, i) => ({ id: `sum${i}`, prompt: `What is ${i} + 100?`, expected: i + 100, evaluator: 'numeric' }));
    const r = await runTasks({ agentConfig: agent('strong', 'sim-1'), dataset: loadTaskFile(taskFile(tasks)), outputDir: tempDir(), concurrency: 4 });
    const results = readJsonl<{ test_id: string; task_log: string[]; full_log: string[] }>(join(r.runDir, 'results/strong/results.jsonl'));
    expect(results).toHaveLength(8);
    for (const res of results) {
      const i = Number(res.test_id.replace('tasks/sum', ''));
      expect(res.full_log).toEqual(res.task_log);
      expect(res.full_log).toHaveLength(2);
      expect(res.full_log[0]).toMatch(new RegExp(`^Test \\(\\d{4}-\\d\\d-\\d\\d [\\d:.]+\\): What is ${i} \\+ 100\\?$`));
      expect(res.full_log[1]).toMatch(/^Agent \(/);
    }
  });
});
