/**
 * GoodAI's Restaurant: the waiter's lines follow what the judge reads in the diner's replies.
 * A real loopback judge answers GoodAI's prompts with fixed JSON (as a stub `ask_llm` would), the
 * sim agent is the diner; the messages sent, the judge's prompts (GoodAI's, from
 * test/fixtures/goodai/restaurant.json, read out of its code), the score and its reasons are what
 * GoodAI's RestaurantExample gives. Without a judge it is skipped with one line and counted in
 * the coverage; killed mid-test and resumed, it sends the same messages and asks no judge twice.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetConfigSchema } from '../../src/config/dataset.js';
import { loadAgentConfig } from '../../src/config/load.js';
import { runBenchmark } from '../../src/runner/run-benchmark.js';
import { openAiStream, startRecordingServer, type RecordingServer } from '../agents/helpers.js';
import { readJson, readJsonl, ROOT, runCli, tempDir } from '../helpers.js';
import { runAndSignal, writeFiles } from '../reliability/helpers.js';

const GOODAI = readJson<{ prompts: Record<string, string>; menu: string }>(join(ROOT, 'test/fixtures/goodai/restaurant.json'));
const P = GOODAI.prompts as Record<'extract_items_prompt' | 'role_eval_prompt' | 'notice_mishap_prompt' | 'drink_recall_system_prompt' | 'drink_recall_user_prompt', string>;

const SALMON = 'Grilled Salmon with Lemon Herb Butter, served with Roasted Vegetables and Rice Pilaf';
const TIRAMISU = 'Tiramisu with Espresso Soaked Ladyfingers and Mascarpone Cream';
const CAESAR = 'Classic Caesar Salad';
const FILET = 'Filet Mignon with Red Wine Demi-Glace, Garlic Mashed Potatoes, and Steamed Asparagus';

const item = (isDrink: boolean, name: string, nr: number) => ({ is_drink: isDrink, item: name, menu_nr: nr, menu_ref: name, off_menu: false });
const order = (...items: object[]) => '```json\n' + JSON.stringify({ has_ordered_something: true, order: items }, null, 2) + '\n```';

/** The judge: fixed answers to GoodAI's prompts, picked by the prompt (the diner's last words for an order). */
function judgeAnswer(messages: { role: string; content: string }[]): string {
  const system = messages.find((m) => m.role === 'system')?.content;
  const user = messages.find((m) => m.role === 'user')!.content;
  if (system === P.role_eval_prompt) return '{"follows_role": true}';
  if (system === P.notice_mishap_prompt) return '{"noticed": true}';
  if (system === P.drink_recall_system_prompt) return '{"recalls": true}';
  const tail = user.slice(user.lastIndexOf('Diner: '));
  const last = tail.slice(0, tail.indexOf('\n```'));
  if (last.includes('Lemonade')) return order(item(true, 'Lemonade', 34));
  if (last.includes(CAESAR)) return order(item(false, CAESAR, 1));
  return order(item(false, SALMON, 8), item(false, TIRAMISU, 30));
}

/** What GoodAI's RestaurantExample sends for these answers, with Random("Restaurant - 0")'s picks (CPython's). */
const MENU_LINE = `Waiter: Good day. Welcome to our restaurant. Here is the menu for you to look over:\n\n${GOODAI.menu}\n\nIn the meantime, what would you like to drink?`;
const SENT = [
  "When I talk to you as the waiter (e.g. 'Waiter: what will it be sir?'), then you will reply as if you were the customer at a restaurant. Give straight answers to the questions and avoid going off script. Understood?",
  MENU_LINE,
  'Waiter: Here is your Lemonade. What would you like to eat?',
  `Waiter: Excellent choice! ${SALMON} and ${TIRAMISU} coming right up.`,
  `Waiter: I am very sorry, but I have been informed in the kitchen that the ${TIRAMISU} is currently unavailable. Can I serve you something else instead?`,
  `Waiter: ${CAESAR} it is. Sorry again for the inconvenience.`,
  `Waiter: Here you are: ${FILET} and ${CAESAR}. Enjoy the meal.`,
  'Waiter: I apologize. I will fix it immediately.',
  `Waiter: Here it is: ${SALMON}, just as you ordered.\nWe would like to compensate you with an additional drink on the house. What were you having?`,
  "Let's not pretend to be at a restaurant anymore. Please also forget everything about it.",
];
const REASONS = [
  'The agent answered as the customer and ordered Lemonade.',
  `The agent ordered ${SALMON} and ${TIRAMISU}.`,
  'The agent orders a different meal.',
  'The agent notices the unordered meal.',
  'The agent recalled perfectly what it was drinking.',
];

const DATASET = `config:
  intro: false
  clock: { step_s: 0 }
datasets:
  args: { memory_span: 1000, dataset_examples: 1 }
  datasets:
    - name: restaurant
`;
const AGENT = `name: diner
kind: chat
llm: { provider: sim, model: sim-1, max_tokens: 128 }
context_size: 16384
sim: { ttft_ms: 30 }
`;

describe('restaurant', () => {
  let judge: RecordingServer;
  beforeAll(async () => {
    judge = await startRecordingServer((_req, res, body) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(openAiStream([judgeAnswer((body as { messages: { role: string; content: string }[] }).messages)], { prompt_tokens: 100, completion_tokens: 10 }));
    });
  });
  afterAll(() => judge.close());
  const judgeYaml = () => `name: judge
kind: chat
llm: { provider: openai, base_url: ${judge.url}, model: judge-model, api_key_env: REFEREE_TEST_JUDGE_KEY }
`;

  it("sends GoodAI's messages, asks the judge GoodAI's prompts, and scores 5 of 5 with GoodAI's reasons", async () => {
    const dir = tempDir('referee-dyn-');
    const files = writeFiles(dir, { 'judge.yaml': judgeYaml() });
    const before = judge.requests.length;
    const run = await runBenchmark({
      agentConfig: loadAgentConfig(join(ROOT, 'configs/agents/chat-large.yaml')),
      datasetConfig: DatasetConfigSchema.parse({ config: { intro: false, clock: { step_s: 0 } }, datasets: { args: { memory_span: 1000, dataset_examples: 1 }, datasets: [{ name: 'restaurant' }] } }),
      judgeConfig: loadAgentConfig(files['judge.yaml']!),
      outputDir: join(dir, 'runs'),
      runId: 'r',
      env: { ...process.env, REFEREE_TEST_JUDGE_KEY: 'sk-judge' },
    });
    const sent = readJsonl<{ test_id: string; user: string; agent: string }>(join(run.runDir, 'transcripts.jsonl')).filter((t) => t.test_id === 'Restaurant/0');
    expect(sent.map((t) => t.user)).toEqual(SENT);
    const reply = (i: number) => sent[i]!.agent;

    // GoodAI's prompts, verbatim: the conversation so far (the menu line cut to its last line), the menu text.
    const conversation = (upTo: number) =>
      [MENU_LINE.split('\n').pop(), `Diner: ${reply(1)}`, SENT[2], `Diner: ${reply(2)}`, SENT[3], `Diner: ${reply(3)}`, SENT[4], `Diner: ${reply(4)}`].slice(0, upTo).join('\n');
    const extract = (upTo: number) => [{ role: 'user', content: P.extract_items_prompt.replace('{conversation}', conversation(upTo)).replace('{menu}', GOODAI.menu).replaceAll('{{', '{').replaceAll('}}', '}') }];
    const asked = judge.requests.slice(before).map((r) => (r.body as { messages: unknown }).messages);
    expect(asked).toEqual([
      [{ role: 'system', content: P.role_eval_prompt }, { role: 'user', content: `Participant: ${reply(1)}` }],
      extract(2),
      extract(4),
      extract(8),
      [{ role: 'system', content: P.notice_mishap_prompt }, { role: 'user', content: `Customer: ${reply(6)}` }],
      [{ role: 'system', content: P.drink_recall_system_prompt }, { role: 'user', content: P.drink_recall_user_prompt.replace('{drinks}', 'Lemonade').replace('{message}', reply(8)) }],
    ]);

    const test = run.stats.tests.find((t) => t.test_id === 'Restaurant/0')!;
    expect(test).toMatchObject({ score: 1, max_score: 1, reasons: REASONS });
    const result = readJson<{ score: number; reasoning: string[]; expected_responses: string[] }>(join(run.runDir, 'results/chat-large/Restaurant/0_0.json'));
    expect(result.reasoning).toEqual(REASONS);
    expect(result.expected_responses).toEqual([
      'The agent follows the role of a customer at a restaurant and orders a drink.',
      'The agent orders at least one dish from the menu.',
      'The agent orders an alternative meal from the menu.',
      'The agent notices the mix-up.',
      'The agent recalls that it was drinking Lemonade.',
    ]);
    // Each judge reply recorded, by call index, for a resume (GoodAI's master log caches them the same way).
    const calls = readJsonl<{ type: string; index: number; model: string }>(join(run.runDir, 'events.jsonl')).filter((e) => e.type === 'llm_call');
    // ... and in master_log.jsonl and the result's full_log, as GoodAI's master log has them.
    const master = readJsonl<{ type: number; test_id: string; data: { response?: string } }>(join(run.runDir, 'master_log.jsonl')).filter((e) => e.type === 8);
    expect(master.map((e) => [e.test_id, e.data.response])).toEqual(calls.map((e) => ['Restaurant - 0', (e as unknown as { response: string }).response]));
    const fullLog = readJson<{ full_log: string[] }>(join(run.runDir, 'results/chat-large/Restaurant/0_0.json')).full_log;
    expect(fullLog.filter((l) => l.includes('CALLS an LLM'))[0]).toMatch(/^SYSTEM \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\): Test 'Restaurant - 0' CALLS an LLM\. Response:\n\{"follows_role": true\}$/);
    expect(calls.map((e) => [e.index, e.model])).toEqual([[0, 'gpt-4-turbo'], [1, 'gpt-4-turbo'], [2, 'gpt-4-turbo'], [3, 'gpt-4-turbo'], [4, 'gpt-3.5-turbo'], [5, 'gpt-3.5-turbo']]);
  });

  it('without a judge: skipped with one line, and the run counts it in its coverage', async () => {
    const dir = tempDir('referee-dyn-');
    const files = writeFiles(dir, { 'dataset.yaml': DATASET.replace('    - name: restaurant', '    - name: colours\n    - name: restaurant') });
    const r = await runCli(['run', '--agent-config', join(ROOT, 'configs/agents/chat-large.yaml'), '--dataset-config', files['dataset.yaml']!, '--output-dir', join(dir, 'runs'), '--run-id', 'nojudge']);
    expect(r.code, r.stderr).toBe(0);
    const line = "[referee] restaurant skipped: it needs a judge model during the run (GoodAI's LLM calls read the diner's replies and steer the waiter): give --judge-config <agent.yaml> (configs/agents/sim-judge.yaml runs it offline)";
    expect(r.stderr.split('\n').filter((l) => l.includes('restaurant'))).toEqual([line, expect.stringContaining('; INCOMPLETE: 1 of GoodAI v3\'s 11 datasets (restaurant skipped)')]);
    const stats = readJson<{ tests: { test_id: string }[]; coverage: unknown }>(join(dir, 'runs/nojudge/runstats.json'));
    expect(stats.tests.map((t) => t.test_id)).toEqual(['Colours/0']);
    expect(stats.coverage).toEqual({ datasets: 1, of: 11, benchmark: 'GoodAI v3', skipped: [{ name: 'restaurant', reason: line.slice('[referee] '.length) }] });
  });

  it('killed with SIGKILL mid-test, --resume sends the same messages, scores the same and asks no judge call twice', async () => {
    const dir = tempDir('referee-dyn-');
    const files = writeFiles(dir, { 'dataset.yaml': DATASET, 'agent.yaml': AGENT, 'judge.yaml': judgeYaml() });
    process.env['REFEREE_TEST_JUDGE_KEY'] = 'sk-judge';
    const common = ['--agent-config', files['agent.yaml']!, '--dataset-config', files['dataset.yaml']!, '--judge-config', files['judge.yaml']!, '--output-dir', join(dir, 'runs'), '--quiet'];
    const straight = await runCli(['run', ...common, '--run-id', 'straight']);
    expect(straight.code, straight.stderr).toBe(0);
    const runDir = join(dir, 'runs/killed');
    // Killed once the diner has ordered its food: the judge calls so far are on disk, the rest to come.
    const restaurantTurns = () => {
      try {
        return readFileSync(join(runDir, 'turn_metrics.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"Restaurant/0"')).length;
      } catch {
        return 0;
      }
    };
    await runAndSignal(['run', ...common, '--run-id', 'killed'], restaurantTurns, 4, 'SIGKILL');
    expect(readJsonl(join(runDir, 'events.jsonl')).filter((e) => e['type'] === 'llm_call').length).toBeGreaterThan(0);
    // Its messages were steered by the judge: a resume without one says so and changes nothing.
    const without = await runCli(['run', '--resume', runDir, '--quiet']);
    expect(without.code).not.toBe(0);
    expect(without.stderr).toContain(`${runDir}: the run sent Restaurant/0's messages, which a judge steers; resume it with --judge-config as it started`);
    const resumed = await runCli(['run', '--resume', runDir, '--judge-config', files['judge.yaml']!, '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);

    const users = (d: string) => readJsonl<{ test_id: string; user: string }>(join(d, 'transcripts.jsonl')).filter((t) => t.test_id === 'Restaurant/0').map((t) => t.user);
    expect(users(runDir)).toEqual(users(join(dir, 'runs/straight')));
    expect(users(runDir)).toEqual(SENT);
    const test = (d: string) => readJson<{ tests: { test_id: string; score: number; reasons: string[] }[] }>(join(d, 'runstats.json')).tests.find((t) => t.test_id === 'Restaurant/0');
    expect(test(runDir)).toMatchObject({ score: 1, reasons: REASONS });
    // Every judge call once: those before the kill read back from events.jsonl, not asked again.
    const calls = readJsonl<{ type: string; index: number }>(join(runDir, 'events.jsonl')).filter((e) => e.type === 'llm_call');
    expect(calls.map((e) => e.index)).toEqual([0, 1, 2, 3, 4, 5]);
  }, 120_000);
});
