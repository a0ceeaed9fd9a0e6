/**
 * GoodAI LTM v3 whole and byte for byte: on the same definitions and seed, a Referee run sends the
 * same messages, filler included, in the same order as GoodAI's own runner with an agent that
 * answers "OK". test/fixtures/goodai/messages/*.json hold what GoodAI's runner (188e761, unchanged)
 * sent, recorded by scripts/goodai/record_messages.py; here Referee generates the same datasets
 * from the same seed and runs them through its engine against an HTTP agent on loopback that
 * answers every message "OK" and records every message and pre-filled pair it is handed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../src/config/agent.js';
import { DatasetConfigSchema } from '../../src/config/dataset.js';
import { readYaml } from '../../src/config/load.js';
import { runBenchmark } from '../../src/runner/run-benchmark.js';
import { startRecordingServer, type RecordingServer } from '../agents/helpers.js';
import { ROOT, tempDir } from '../helpers.js';

const GOLDENS = join(ROOT, 'test/fixtures/goodai/messages');

interface Golden {
  /** GoodAI's published configuration, whose Referee copy is configs/datasets/<config>.yaml. */
  config: string;
  /** The fixture files SallyAnne's stories and ChapterBreak's passages were read from, where run. */
  tomi: string | null;
  chapterbreak: string | null;
  seed: number;
  dataset_examples: number;
  memory_span: number;
  max_message_size: number;
  datasets: string[];
  total_tokens: number;
  /** Every message in order; `prefilled` is the canned reply the agent was handed, null where it answered "OK". */
  messages: { message: string; prefilled: string | null }[];
}

/** An HTTP agent (Referee's protocol) that answers "OK" and records what it is sent, in order. */
function startOkAgent(): Promise<RecordingServer> {
  return startRecordingServer((_req, res, body) => {
    const type = (body as { type?: string }).type;
    const answer = type === 'start' ? { session_id: 'ok' } : type === 'message' ? { text: 'OK' } : {};
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  });
}

/** Referee's copy of the golden's GoodAI configuration with the golden's datasets, seed, examples, span and data files. */
function datasetConfig(golden: Golden) {
  const raw = readYaml(join(ROOT, `configs/datasets/${golden.config}.yaml`)) as {
    config: Record<string, unknown>;
    datasets: { args: Record<string, unknown>; datasets: { name: string; args?: Record<string, unknown> }[] };
  };
  const dataFile: Record<string, string | null> = { sallyanne: golden.tomi, chapterbreak: golden.chapterbreak };
  const datasets = raw.datasets.datasets
    .filter((d) => golden.datasets.includes(d.name))
    .map((d) => (dataFile[d.name] ? { ...d, args: { ...d.args, data_file: join(ROOT, 'test/fixtures/goodai', dataFile[d.name]!) } } : d));
  expect(datasets.map((d) => d.name)).toEqual(golden.datasets);
  return DatasetConfigSchema.parse({
    // The shipped config as it is: its clock (step_s 0) is GoodAI's, so Jokes' questions name GoodAI's times.
    config: raw.config,
    datasets: { args: { ...raw.datasets.args, seed: golden.seed, dataset_examples: golden.dataset_examples, memory_span: golden.memory_span }, datasets },
  });
}

describe("Referee sends GoodAI's messages, filler included, in GoodAI's order", () => {
  const servers: RecordingServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  const files = readdirSync(GOLDENS).filter((f) => f.endsWith('.json'));
  const goldenOf = (file: string) => JSON.parse(readFileSync(join(GOLDENS, file), 'utf8')) as Golden;

  it('compares filler pre-filled and sent for real (while a callback watches), capped by the max message size, and all ten datasets', () => {
    const all = files.map(goldenOf);
    // Every v3 dataset Referee runs (all but restaurant), SallyAnne and ChapterBreak from the fixtures' stories and passages.
    expect(new Set(all.flatMap((g) => g.datasets)).size).toBe(10);
    const filler = all.flatMap((g) => g.messages).filter((m) => m.message.startsWith('Here are some trivia questions'));
    expect(filler.some((m) => m.prefilled === null)).toBe(true);
    // Many questions to a message, up to a 1000-token cap.
    expect(Math.max(...filler.map((m) => m.message.split('\nQ: ').length - 1))).toBeGreaterThan(10);
    expect(all.some((g) => g.max_message_size < 4096)).toBe(true);
  });

  for (const file of files) {
    it(file.replace(/\.json$/, ''), async () => {
      const golden = goldenOf(file);
      const agent = await startOkAgent();
      servers.push(agent);
      await runBenchmark({
        agentConfig: AgentConfigSchema.parse({ name: 'ok-agent', kind: 'http', http: { url: agent.url }, max_message_size: golden.max_message_size }),
        datasetConfig: datasetConfig(golden),
        outputDir: tempDir(),
        runId: 'goodai-messages',
        env: {},
      });
      const sent = agent.requests
        .map((r) => r.body as { type: string; message?: string; reply?: string })
        .filter((b) => b.type === 'message' || b.type === 'prefill')
        .map((b) => ({ message: b.message!, prefilled: b.type === 'prefill' ? b.reply! : null }));
      // Whole lists first: a difference shows as the first message that differs.
      expect(sent).toEqual(golden.messages);
      expect(golden.messages.filter((m) => m.prefilled !== null).length).toBeGreaterThan(5);
      expect(golden.messages.filter((m) => m.message.startsWith('Which joke did I tell you about')).length).toBe(golden.dataset_examples);
    }, 120_000);
  }
});
