/**
 * Issue 13: task runs go through the LTM engine's turn executor: transport
 * errors are retried with backoff that honours `Retry-After`, each retry
 * counted; the sanitizer caps metadata; and every `referee run` flag either
 * applies to the kind of run it is given to or is refused with exit 2.
 */
import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson, readJsonl, runCli, tempDir } from '../helpers.js';

/** A loopback OpenAI-compatible server: the first request for each prompt gets 429 + `Retry-After: 1`, the next the answer. */
function startFlakyServer(): Promise<{ server: Server; url: string; arrivals: Map<string, number[]> }> {
  const arrivals = new Map<string, number[]>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const prompt = (JSON.parse(body) as { messages: { content: string }[] }).messages.at(-1)!.content;
      const seen = arrivals.get(prompt) ?? [];
      seen.push(Date.now());
      arrivals.set(prompt, seen);
      if (seen.length === 1) {
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
        res.end('{"error":{"message":"slow down"}}');
        return;
      }
      const answer = prompt.includes('alpha') ? 'alpha' : prompt.includes('beta') ? 'beta' : 'gamma';
      const chunk = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      // A 67 KB reasoning block: the 50 KB metadata sanitizer must cap it.
      const reasoning = answer === 'gamma' ? chunk({ reasoning_content: 'r'.repeat(67 * 1024) }) : '';
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(reasoning + chunk({ content: answer }) + chunk({}, 'stop') + 'data: [DONE]\n\n');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`, arrivals })));
}

describe('task run against 429 with Retry-After on every first try', () => {
  let flaky: Awaited<ReturnType<typeof startFlakyServer>>;
  beforeAll(async () => {
    flaky = await startFlakyServer();
  });
  afterAll(() => {
    flaky.server.closeAllConnections();
    return new Promise<void>((r) => flaky.server.close(() => r()));
  });

  it('retries every task once, waits at least Retry-After, counts the retries and passes every task', async () => {
    const dir = tempDir('referee-task-retry-');
    const tasks = join(dir, 'words.jsonl');
    writeFileSync(tasks, ['alpha', 'beta', 'gamma'].map((w) => JSON.stringify({ id: w, prompt: `Say the word ${w}.`, expected: w })).join('\n') + '\n');
    const agent = join(dir, 'agent.yaml');
    writeFileSync(agent, `name: flaky\nkind: chat\nllm: { provider: openai, base_url: "${flaky.url}", model: m }\nretries: { max_attempts: 3, base_ms: 10, max_ms: 20 }\n`);
    const out = join(dir, 'runs');
    const r = await runCli(['run', '--tasks', tasks, '--agent-config', agent, '--concurrency', '3', '--output-dir', out, '--run-id', 'flaky', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const runDir = join(out, 'flaky');

    // Two requests per task, the second at least Retry-After (1 s) after the first.
    expect([...flaky.arrivals.values()].map((a) => a.length)).toEqual([2, 2, 2]);
    for (const [, [first, second]] of flaky.arrivals) expect(second! - first!).toBeGreaterThanOrEqual(1000);
    const retries = readJsonl<{ type: string; retry_after_ms?: number; delay_ms: number }>(join(runDir, 'events.jsonl')).filter((e) => e.type === 'retry');
    expect(retries).toHaveLength(3);
    for (const e of retries) {
      expect(e.retry_after_ms).toBe(1000);
      expect(e.delay_ms).toBeGreaterThanOrEqual(1000);
    }
    const stats = readJson<{ score: number; max_score: number; turns: number; turns_failed: number }>(join(runDir, 'runstats.json'));
    expect(stats).toMatchObject({ score: 3, max_score: 3, turns: 3, turns_failed: 0 });
    // The 67 KB reasoning did not reach the transcript.
    const gamma = readJsonl<{ test_id: string; metadata: Record<string, unknown> }>(join(runDir, 'transcripts.jsonl')).find((t) => t.test_id.endsWith('/gamma'))!;
    expect(gamma.metadata['error']).toBe('Metadata exceeded 50KB limit');
    expect(JSON.stringify(gamma).length).toBeLessThan(2000);
  }, 30_000);
});

describe('flags apply to every kind of run they can, else exit 2', () => {
  const dir = tempDir('referee-flags-');
  const out = join(dir, 'runs');
  const tasks = join(dir, 't.jsonl');
  writeFileSync(tasks, JSON.stringify({ id: 'a', prompt: 'What is 1 + 1?', expected: 2, evaluator: 'numeric' }) + '\n');
  const refused: [string, string[], string][] = [
    ['--compare-with with --tasks', ['--tasks', tasks, '--agent-config', 'configs/agents/sim-mini.yaml', '--compare-with', 'configs/agents/sim-mini.yaml'], '--tasks: does not apply to match mode'],
    // issue 13: --suite with --compare-with compares cell by cell (test/tasks/suite-match.test.ts); match-only flags stay refused.
    ['--agent-timeout on a suite in match mode', ['--suite', 'configs/suites/example.yaml', '--compare-with', 'configs/agents/chat-small.yaml', '--agent-timeout', '60'], '--agent-timeout: does not apply to a --suite run'],
    // issue 17: --monitor now wraps every kind of run, match mode too; --attempts still cannot apply there.
    ['--attempts in match mode', ['--compare-with', 'configs/agents/sim-mini.yaml', '--attempts', '2'], '--attempts: does not apply to match mode'],
    ['--attempts on an LTM run', ['--attempts', '2'], '--attempts: does not apply to an LTM run'],
    ['--dataset-config on a task run', ['--tasks', tasks, '--agent-config', 'configs/agents/sim-mini.yaml', '--dataset-config', 'x.yaml'], '--dataset-config: does not apply to a --tasks run'],
    ['--concurrency with --resume', ['--resume', dir, '--concurrency', '2'], '--concurrency: does not apply to --resume'],
  ];
  for (const [what, args, message] of refused) {
    it(`refuses ${what}`, async () => {
      const r = await runCli(['run', ...args, '--output-dir', out, '--quiet']);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(message);
    });
  }

  it('--sample-interval reaches a task run: system samples in its events', async () => {
    const slow = join(dir, 'slow.yaml');
    writeFileSync(slow, 'name: slow\nkind: chat\nllm: { provider: sim, model: sim-1 }\nsim: { ttft_ms: 2500 }\n');
    const r = await runCli(['run', '--tasks', tasks, '--agent-config', slow, '--sample-interval', '0.1', '--output-dir', out, '--run-id', 'sampled', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const samples = readJsonl<{ type: string }>(join(out, 'sampled', 'events.jsonl')).filter((e) => e.type === 'telemetry');
    expect(samples.length).toBeGreaterThan(0);
  });

  it('--monitor serves the monitor beside a task run', async () => {
    const r = await runCli(['run', '--tasks', tasks, '--agent-config', 'configs/agents/sim-mini.yaml', '--monitor', '--monitor-port', '0', '--output-dir', out, '--run-id', 'watched', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[referee\] monitor: http:\/\/127\.0\.0\.1:\d+/);
    expect(readJson<{ status: string }>(join(out, 'watched', 'run.json')).status).toBe('finished');
  });

  // issue 13 and 17: --monitor applies to every kind of run, fresh or resumed; each serves it once.
  it('--monitor serves the monitor beside a suite, a match and a resumed run too', async () => {
    const suite = join(dir, 'monitored-suite.yaml');
    writeFileSync(suite, `name: monitored\ndatasets:\n  - file: ${tasks}\nagents:\n  - ${join(process.cwd(), 'configs/agents/sim-mini.yaml')}\n`);
    const monitorLines = (stderr: string): number => stderr.split('\n').filter((l) => /^\[referee\] monitor: http:\/\/127\.0\.0\.1:\d+/.test(l)).length;
    const suiteRun = await runCli(['run', '--suite', suite, '--monitor', '--monitor-port', '0', '--output-dir', join(out, 'suite'), '--quiet']);
    expect(suiteRun.code, suiteRun.stderr).toBe(0);
    expect(monitorLines(suiteRun.stderr)).toBe(1);
    const match = await runCli(['run', '--compare-with', 'configs/agents/chat-small.yaml', '--monitor', '--monitor-port', '0', '--output-dir', join(out, 'match'), '--quiet']);
    expect(match.code, match.stderr).toBe(0);
    expect(monitorLines(match.stderr)).toBe(1);
    const resumed = await runCli(['run', '--resume', join(out, 'watched'), '--monitor', '--monitor-port', '0', '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(monitorLines(resumed.stderr)).toBe(1);
  });

  it('-i/--isolated refuses a resume with one line and exit 2 (the run keeps the mode in its run.json)', async () => {
    const r = await runCli(['run', '--resume', join(out, 'watched'), '-i']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--isolated');
  });
});
