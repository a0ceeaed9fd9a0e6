/**
 * Issue 22 (items 3-8), through the real CLI against the simulated model on loopback: a test
 * whose scored call failed is `error`, not `fail` (runstats, results, the summary line, exit 5,
 * no history line, the GoodAI export's note, the monitor); a reply cut at max_tokens carries
 * finish_reason `length` everywhere it is read; an unreadable judge verdict is a `judge_error`;
 * latency counts model calls only, with decode speed beside end-to-end speed; a call cut short
 * records the tokens it received as `partial`; `system_prompt: null` sends none.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunDir } from '../../src/artifacts/run-dir-reader.js';
import { DEFAULT_SYSTEM_PROMPT } from '../../src/config/agent.js';
import { computeRunMetrics } from '../../src/match/metrics.js';
import { quantile } from '../../src/match/stats.js';
import { RunModel } from '../../src/monitor/run-model.js';
import { startConstantServer, type RecordingServer } from '../agents/helpers.js';
import { readJson, readJsonl, runCli, tempDir, type CliResult } from '../helpers.js';
import { agentYaml, runDirsIn, SMALL_DATASET, writeFiles } from '../reliability/helpers.js';

interface TestLine {
  test_id: string;
  score: number;
  max_score: number;
  reasons: string[];
  status?: string;
  truncated?: number;
}
interface Stats {
  score: number;
  max_score: number;
  tests: TestLine[];
  tests_errored: number;
  tests_judge_error: number;
  turns_truncated: number;
  tokens_in: number;
  tokens_out: number;
}
interface Turn {
  test_id: string;
  turn_id: number;
  status: string;
  is_question: boolean;
  total_ms: number;
  llm_ms: number;
  ttft_ms: number | null;
  tokens_in: number;
  tokens_out: number;
  usage_source?: string;
  finish_reason?: string;
  prefilled?: boolean;
}

const TASKS = [
  '{"id": "add", "prompt": "What is 17 + 25?", "expected": 42, "evaluator": "numeric"}',
  '{"id": "mul", "prompt": "What is 23 * 47?", "expected": 1081, "evaluator": "numeric"}',
  '{"id": "capital", "prompt": "What is the capital city of France?", "expected": "Paris", "evaluator": "contains"}',
].join('\n');

function chatAgent(extra = ''): string {
  return `name: honest\nkind: chat\nllm: { provider: sim, model: sim-1, max_tokens: 64 }\nretries: { max_attempts: 1 }\n${extra}`;
}

async function taskRun(agent: string, args: string[] = [], extraFiles: Record<string, string> = {}): Promise<{ r: CliResult; dir: string; out: string; stats: Stats }> {
  const root = tempDir('referee-honest-');
  const files = writeFiles(root, { 'agent.yaml': agent, 'tasks.jsonl': TASKS, ...extraFiles });
  const out = join(root, 'runs');
  const r = await runCli(['run', '--tasks', files['tasks.jsonl']!, '--agent-config', files['agent.yaml']!, '--output-dir', out, '--concurrency', '1', ...args.map((a) => a.replace('{root}', root))], { timeoutMs: 60_000 });
  const [dir] = runDirsIn(out);
  return { r, dir: dir!, out, stats: readJson<Stats>(join(dir!, 'runstats.json')) };
}

function historyLines(out: string): Record<string, unknown>[] {
  const file = join(out, 'benchmark_history.jsonl');
  return existsSync(file) ? readJsonl(file) : [];
}

describe('failures are not answers (issue 22 item 3)', () => {
  it('a task whose call failed is error, not fail: runstats, results, the summary line; exit 5 and no history line', async () => {
    // The second call (task "mul", run one at a time) answers HTTP 500, with no retry.
    const { r, dir, out, stats } = await taskRun(chatAgent('sim:\n  faults:\n    - { kind: status, status: 500, at: [2] }\n'));
    expect(r.code, r.stderr).toBe(5);
    expect(stats.tests_errored).toBe(1);
    const mul = stats.tests.find((t) => t.test_id.endsWith('mul'))!;
    expect(mul).toMatchObject({ status: 'error', score: 0 });
    expect(mul.reasons[0]).toMatch(/error: not answered: the call failed \(http_500/);
    expect(stats.tests.filter((t) => t.status === undefined)).toHaveLength(2);
    const results = readJsonl<Record<string, unknown>>(join(dir, 'results', 'honest', 'results.jsonl'));
    expect(results.find((l) => String(l['test_id']).endsWith('mul'))).toMatchObject({ status: 'error' });
    expect(r.stderr).toContain(`finished: score ${stats.score}/3 (66.7%) of 3 tests, 1 errored (not answered), 3 turns (1 failed)`);
    expect(r.stderr).toContain('incomplete: 1 test not answered');
    expect(historyLines(out)).toHaveLength(0);
    // The monitor folds the same events: the test is an error, not a fail.
    const model = new RunModel('k', 'r', null);
    for (const e of readJsonl<Record<string, unknown>>(join(dir, 'events.jsonl'))) model.apply(e);
    expect(model.summary()).toMatchObject({ errored: 1, fail: 0, pass: 2 });
    expect([...model.tests.values()].find((t) => t.test_id.endsWith('mul'))?.status).toBe('error');
  });

  it('--max-failed-turns given: the user accepts such a run (exit 0, a history line), still counted as errored', async () => {
    const { r, out, stats } = await taskRun(chatAgent('sim:\n  faults:\n    - { kind: status, status: 500, at: [2] }\n'), ['--max-failed-turns', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(stats.tests_errored).toBe(1);
    expect(r.stderr).toContain('1 errored (not answered)');
    expect(historyLines(out)).toHaveLength(1);
  });

  it('an LTM run: tests whose question failed are error (exit 5), and the GoodAI export names them in a note', async () => {
    const root = tempDir('referee-honest-ltm-');
    const files = writeFiles(root, { 'agent.yaml': agentYaml('retries: { max_attempts: 1 }\nsim:\n  faults:\n    - { kind: status, status: 500, every: 3 }\n'), 'dataset.yaml': SMALL_DATASET });
    const r = await runCli(['run', '--agent-config', files['agent.yaml']!, '--dataset-config', files['dataset.yaml']!, '--output-dir', join(root, 'runs'), '--progress-interval', '60'], { timeoutMs: 90_000 });
    const [dir] = runDirsIn(join(root, 'runs'));
    const stats = readJson<Stats>(join(dir!, 'runstats.json'));
    const turns = readJsonl<Turn>(join(dir!, 'turn_metrics.jsonl'));
    const unanswered = [...new Set(turns.filter((t) => t.is_question && t.status === 'error').map((t) => t.test_id))].sort();
    expect(unanswered.length).toBeGreaterThan(0);
    expect(stats.tests.filter((t) => t.status === 'error').map((t) => t.test_id).sort()).toEqual(unanswered);
    expect(stats.tests_errored).toBe(unanswered.length);
    for (const t of stats.tests.filter((x) => x.status === 'error')) expect(t.score).toBe(0);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toContain(`${unanswered.length} errored (not answered)`);
    expect(historyLines(join(root, 'runs'))).toHaveLength(0);

    const exported = await runCli(['export', 'goodai', dir!, join(root, 'goodai')]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(`${unanswered.length} tests not answered`);
    const note = readJson<{ errored_tests: string[] }>(join(root, 'goodai', 'reliability', 'referee_note.json'));
    expect([...note.errored_tests].sort()).toEqual(unanswered);
  });
});

describe('truncation is visible (issue 22 item 4)', () => {
  it('a reply cut at max_tokens carries finish_reason length in turn_metrics, transcripts, results and the summary', async () => {
    // "What is 23 * 47?" is answered "The answer is 1081."; four tokens cut it before the number.
    const { r, dir, stats } = await taskRun(chatAgent().replace('max_tokens: 64', 'max_tokens: 4'));
    expect(r.code, r.stderr).toBe(0);
    const turns = readJsonl<Turn>(join(dir, 'turn_metrics.jsonl'));
    const mul = turns.find((t) => t.test_id.endsWith('mul'))!;
    expect(mul.finish_reason).toBe('length');
    expect(turns.find((t) => t.test_id.endsWith('capital'))!.finish_reason).toBe('stop');
    const transcripts = readJsonl<Record<string, unknown>>(join(dir, 'transcripts.jsonl'));
    expect(transcripts.find((t) => t['turn_id'] === mul.turn_id)).toMatchObject({ finish_reason: 'length' });
    const truncated = turns.filter((t) => t.finish_reason === 'length').length;
    expect(stats.turns_truncated).toBe(truncated);
    expect(stats.tests.find((t) => t.test_id.endsWith('mul'))).toMatchObject({ truncated: 1 });
    expect(stats.tests.find((t) => t.test_id.endsWith('mul'))!.reasons[0]).toContain('cut at max_tokens');
    expect(r.stderr).toContain(`(${truncated} truncated at max_tokens)`);
  });
});

describe('judge errors (issue 22 item 5)', () => {
  it('a judge whose verdict is not JSON is asked again, then the test is judge_error: not scored, counted', async () => {
    const tasks = '{"id": "polite", "prompt": "What is the capital city of France?", "expected": "Paris", "evaluator": {"type": "judge", "criteria": "Names the city."}}';
    const judge = 'name: judge\nkind: chat\nllm: { provider: sim, model: sim-1, max_tokens: 64 }\nsim:\n  faults:\n    - { kind: text, text: "I think it is fine.", every: 1 }\n';
    const root = tempDir('referee-honest-judge-');
    const files = writeFiles(root, { 'agent.yaml': chatAgent(), 'tasks.jsonl': tasks, 'judge.yaml': judge });
    const r = await runCli(['run', '--tasks', files['tasks.jsonl']!, '--agent-config', files['agent.yaml']!, '--judge-config', files['judge.yaml']!, '--output-dir', join(root, 'runs')], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const [dir] = runDirsIn(join(root, 'runs'));
    const stats = readJson<Stats>(join(dir!, 'runstats.json'));
    expect(stats.tests_judge_error).toBe(1);
    expect(stats.tests[0]).toMatchObject({ status: 'judge_error', score: 0 });
    expect(stats.tests[0]!.reasons[0]).toMatch(/judge_error: judge's verdict could not be read in 3 tries/);
    expect(r.stderr).toContain('1 judge error (not scored)');
  });
});

describe('latency and speed by definition (issue 22 item 6)', () => {
  it("a run's latency p50 is the median of its model calls: pre-filled turns and failed calls are counted apart", async () => {
    const root = tempDir('referee-honest-lat-');
    const files = writeFiles(root, { 'agent.yaml': agentYaml('retries: { max_attempts: 1 }\nsim:\n  ttft_ms: 5\n  tokens_per_s: 2000\n  faults:\n    - { kind: status, status: 500, at: [3] }\n'), 'dataset.yaml': SMALL_DATASET });
    const r = await runCli(['run', '--agent-config', files['agent.yaml']!, '--dataset-config', files['dataset.yaml']!, '--output-dir', join(root, 'runs'), '--max-failed-turns', '1'], { timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    const [dir] = runDirsIn(join(root, 'runs'));
    const run = readRunDir(dir!);
    const turns = readJsonl<Turn>(join(dir!, 'turn_metrics.jsonl'));
    const calls = turns.filter((t) => t.status === 'success' && !t.prefilled);
    const failed = turns.filter((t) => t.status === 'error' && !t.prefilled).length;
    expect(failed).toBe(1);
    const m = computeRunMetrics(run);
    const sorted = calls.map((t) => t.total_ms).sort((a, b) => a - b);
    expect(m.latency_p50_ms).toBeCloseTo(quantile(sorted, 0.5), 1);
    expect(m.latency_calls).toBe(calls.length);
    expect(m.latency_excluded).toEqual({ prefilled: turns.filter((t) => t.prefilled).length, failed });
    // Decode speed (after the first token) is at least the end-to-end speed, which includes the wait for it.
    expect(m.decode_tokens_per_s).not.toBeNull();
    expect(m.decode_tokens_per_s!).toBeGreaterThanOrEqual(m.tokens_per_s!);
    // The monitor: the same calls in its latency ring, both speeds exposed.
    const model = new RunModel('k', 'r', null);
    for (const e of readJsonl<Record<string, unknown>>(join(dir!, 'events.jsonl'))) model.apply(e);
    expect(model.percentiles().latency_ms.count).toBe(calls.length);
    expect(model.latency_excluded.failed).toBe(1);
    expect(model.decodeThroughput()).not.toBeNull();
    expect(model.decodeThroughput()!).toBeGreaterThanOrEqual(model.throughput()!);
  });
});

describe('partial usage (issue 22 item 7)', () => {
  it('a stream cut mid-reply records the tokens it received, flagged partial, and they count in the totals', async () => {
    const root = tempDir('referee-honest-partial-');
    const files = writeFiles(root, { 'agent.yaml': agentYaml('retries: { max_attempts: 1 }\nsim:\n  faults:\n    - { kind: cut, at: [2] }\n'), 'dataset.yaml': SMALL_DATASET });
    const r = await runCli(['run', '--agent-config', files['agent.yaml']!, '--dataset-config', files['dataset.yaml']!, '--output-dir', join(root, 'runs'), '--max-failed-turns', '1'], { timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    const [dir] = runDirsIn(join(root, 'runs'));
    const turns = readJsonl<Turn>(join(dir!, 'turn_metrics.jsonl'));
    const cut = turns.find((t) => t.status === 'error')!;
    expect(cut).toMatchObject({ usage_source: 'partial' });
    expect(cut.tokens_in).toBeGreaterThan(0);
    expect(cut.tokens_out).toBeGreaterThan(0);
    const stats = readJson<Stats>(join(dir!, 'runstats.json'));
    expect(stats.tokens_out).toBe(turns.reduce((n, t) => n + t.tokens_out, 0));
  });
});

describe('system prompt (issue 22 item 8)', () => {
  let server: RecordingServer;
  beforeAll(async () => {
    server = await startConstantServer('Paris');
  });
  afterAll(() => server?.close());

  it('the default is sent as documented; system_prompt: null sends none', async () => {
    const agent = (extra: string): string => `name: sp\nkind: chat\nllm: { provider: openai, base_url: ${server.url}, model: m, max_tokens: 16 }\n${extra}`;
    await taskRun(agent(''));
    const first = server.requests.length;
    const sent = (i: number): { role: string; content: string }[] => (server.requests[i]!.body as { messages: { role: string; content: string }[] }).messages;
    expect(sent(0)[0]).toEqual({ role: 'system', content: DEFAULT_SYSTEM_PROMPT });
    expect(readFileSync(join(import.meta.dirname, '../../docs/configuration.md'), 'utf8')).toContain(DEFAULT_SYSTEM_PROMPT);
    await taskRun(agent('system_prompt: null\n'));
    expect(server.requests.length).toBeGreaterThan(first);
    for (let i = first; i < server.requests.length; i++) expect(sent(i).map((m) => m.role)).toEqual(['user']);
  });
});
