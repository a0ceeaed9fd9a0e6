/**
 * Referee's Restaurant sends what GoodAI's own RestaurantExample sends, byte for byte: the golden
 * (test/fixtures/goodai/restaurant-messages.json, by scripts/goodai/record_restaurant.py) holds every
 * message GoodAI's runner sent, filler included, to a diner answering each waiter line with a fixed
 * reply, and every context its test handed ask_llm, a stub answering GoodAI's prompts with fixed JSON.
 * Here the same diner is a real HTTP agent and the same answers come from a real loopback judge.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../src/config/agent.js';
import { DatasetConfigSchema } from '../../src/config/dataset.js';
import { runBenchmark } from '../../src/runner/run-benchmark.js';
import { openAiStream, startRecordingServer, type RecordingServer } from '../agents/helpers.js';
import { readJson, ROOT, tempDir } from '../helpers.js';

type Message = { role: string; content: string };
interface Golden {
  memory_span: number;
  dataset_examples: number;
  diner: [string, string][];
  messages: { message: string; prefilled: string | null }[];
  asked: { model: string; messages: Message[] }[];
  results: { unique_id: string; score: number; max_score: number; reasoning: string[]; expected_responses: string[] }[];
}
const golden = readJson<Golden>(join(ROOT, 'test/fixtures/goodai/restaurant-messages.json'));

/** record_restaurant.py's MENU_NR and judge(): an order is the menu items named in the diner's last words. */
const MENU_NR: [string, number][] = [
  ['Lemonade', 34],
  ['Classic Caesar Salad', 1],
  ['Grilled Salmon with Lemon Herb Butter, served with Roasted Vegetables and Rice Pilaf', 8],
  ['Tiramisu with Espresso Soaked Ladyfingers and Mascarpone Cream', 30],
  ['Halal Lamb Kebabs with Grilled Vegetables, Basmati Rice, and Tzatziki Sauce', 25],
];
function judge(messages: Message[]): string {
  const system = messages.find((m) => m.role === 'system')?.content ?? '';
  const user = messages.find((m) => m.role === 'user')!.content;
  if (system.startsWith('You are an evaluator in an acting session.')) return '{"follows_role": true}';
  if (system.startsWith('You are an assistant in the customer experience department.')) return '{"noticed": true}';
  if (system.startsWith('You must evaluate whether the customer remembers')) return '{"recalls": true}';
  const tail = user.slice(user.lastIndexOf('Diner: '));
  const last = tail.slice(0, tail.indexOf('\n```'));
  const order = MENU_NR.filter(([name]) => last.includes(name)).map(([name, nr]) => ({ is_drink: name === 'Lemonade', item: name, menu_nr: nr, menu_ref: name, off_menu: false }));
  return JSON.stringify({ has_ordered_something: order.length > 0, order });
}

describe("Restaurant: GoodAI's messages and judge contexts, byte for byte", () => {
  const servers: RecordingServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it(`${golden.dataset_examples} examples at a ${golden.memory_span}-token span`, async () => {
    const diner = await startRecordingServer((_req, res, body) => {
      const b = body as { type?: string; message?: string };
      const text = golden.diner.find(([k]) => b.message?.includes(k))?.[1] ?? 'OK';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(b.type === 'start' ? { session_id: 'diner' } : b.type === 'message' ? { text } : {}));
    });
    const judgeServer = await startRecordingServer((_req, res, body) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(openAiStream([judge((body as { messages: Message[] }).messages)]));
    });
    servers.push(diner, judgeServer);
    const run = await runBenchmark({
      agentConfig: AgentConfigSchema.parse({ name: 'diner', kind: 'http', http: { url: diner.url } }),
      datasetConfig: DatasetConfigSchema.parse({
        config: { clock: { step_s: 0 } },
        datasets: { args: { memory_span: golden.memory_span, dataset_examples: golden.dataset_examples }, datasets: [{ name: 'restaurant' }] },
      }),
      judgeConfig: AgentConfigSchema.parse({ name: 'judge', kind: 'chat', llm: { provider: 'openai', base_url: judgeServer.url, model: 'judge-model' } }),
      outputDir: tempDir(),
      runId: 'restaurant-goodai',
      env: {},
    });
    const sent = diner.requests
      .map((r) => r.body as { type: string; message?: string; reply?: string })
      .filter((b) => b.type === 'message' || b.type === 'prefill')
      .map((b) => ({ message: b.message!, prefilled: b.type === 'prefill' ? b.reply! : null }));
    expect(sent).toEqual(golden.messages);
    expect(judgeServer.requests.map((r) => (r.body as { messages: Message[] }).messages)).toEqual(golden.asked.map((a) => a.messages));
    const tests = run.stats.tests.filter((t) => t.dataset === 'restaurant');
    // GoodAI's DynamicExample.evaluate: score / max_score, out of 1; its reasoning.
    expect(tests.map((t) => [t.test_id.replace('/', ' - '), t.score, t.max_score, t.reasons])).toEqual(golden.results.map((r) => [r.unique_id, r.score / r.max_score, 1, r.reasoning]));
    expect(golden.asked.map((a) => a.model)).toContain('gpt-3.5-turbo');
  }, 120_000);
});
