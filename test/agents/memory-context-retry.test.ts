/**
 * Issue 22 (item 1) for the memory agent: a run against a loopback server whose window is smaller
 * than the agent was told, refusing each over-long prompt in one engine's words (OpenAI, vLLM,
 * llama.cpp, Ollama). The agent trims (fewer memories and recent messages) and sends again; the
 * retries a user reads in turn_metrics.jsonl and events.jsonl are the 400s the server sent.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../src/config/agent.js';
import { loadDatasetConfig } from '../../src/config/load.js';
import type { ChatMessage } from '../../src/agents/types.js';
import { runBenchmark } from '../../src/runner/run-benchmark.js';
import { MESSAGE_OVERHEAD_TOKENS } from '../../src/tokens.js';
import { readJsonl, tempDir } from '../helpers.js';
import { SMALL_DATASET, writeFiles } from '../reliability/helpers.js';
import { openAiStream, startRecordingServer, type RecordingServer } from './helpers.js';

/** The server's window; the agent is told more. */
const WINDOW = 180;

type Engine = 'openai' | 'vllm' | 'llama.cpp' | 'ollama';

/** Each engine's 400 for a prompt of `n` tokens over a window of `ctx`, as the engine writes it. */
function refuse(engine: Engine, res: ServerResponse, n: number, ctx: number): void {
  const body = {
    openai: { error: { message: `This model's maximum context length is ${ctx} tokens. However, your messages resulted in ${n} tokens. Please reduce the length of the messages.`, type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } },
    vllm: { object: 'error', message: `This model's maximum context length is ${ctx} tokens. However, your request has ${n} input tokens. Please reduce the length of the input messages.`, type: 'BadRequestError', param: null, code: 400 },
    'llama.cpp': { error: { code: 400, message: `request (${n} tokens) exceeds the available context size (${ctx} tokens), try increasing it`, type: 'exceed_context_size_error', n_prompt_tokens: n, n_ctx: ctx } },
    ollama: { error: 'the input length exceeds the context length' },
  }[engine];
  res.writeHead(400, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Counts as the agent's word tokenizer does (words plus the chat overhead), refusing past WINDOW in `engine`'s words. */
function engineServer(engine: Engine, refused: number[]): Promise<RecordingServer> {
  return startRecordingServer((_req, res, body) => {
    const messages = (body as { messages: ChatMessage[] }).messages;
    const prompt = messages.reduce((n, m) => n + m.content.split(/\s+/).filter(Boolean).length + MESSAGE_OVERHEAD_TOKENS, 0);
    if (prompt > WINDOW) {
      refused.push(prompt);
      return refuse(engine, res, prompt, WINDOW);
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(openAiStream(['Noted, I will remember that.'], { prompt_tokens: prompt, completion_tokens: 6 }));
  });
}

interface TurnLine {
  status: string;
  context_retries?: number;
}

interface EventLine {
  type: string;
  retry: number;
  sent_tokens: number;
  trimmed_to: number;
  server_context_tokens?: number;
}

describe("the memory agent, told a larger window than the server's", () => {
  let server: RecordingServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  for (const engine of ['openai', 'vllm', 'llama.cpp', 'ollama'] as const) {
    it(`${engine}: each refused prompt is trimmed and sent again, and turn_metrics and events.jsonl count the same retries`, async () => {
      const sizes: number[] = [];
      server = await engineServer(engine, sizes);
      const root = tempDir('referee-mem-ctx-');
      const vocab = join(root, 'tokenizer.json');
      // Whole words (WordLevel), so the agent counts as the server does.
      writeFileSync(vocab, JSON.stringify({ version: '1.0', added_tokens: [], normalizer: null, pre_tokenizer: { type: 'WhitespaceSplit' }, post_processor: null, decoder: null, model: { type: 'WordLevel', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' } }));
      const files = writeFiles(root, { 'dataset.yaml': SMALL_DATASET });
      const agentConfig = AgentConfigSchema.parse({
        name: `mem-${engine.replace('.', '')}`,
        kind: 'memory',
        llm: { provider: 'openai', base_url: server.url, model: 'm', temperature: 0, max_tokens: 32 },
        // Near the server's window, as a mistaken num_ctx is: Ollama names no numbers, so the budget steps down (x1.1 a refusal) within the 3 retries.
        context_size: 250,
        tokenizer: vocab,
        memory: { top_k: 32, recent_tokens: 200 },
      });
      const run = await runBenchmark({ agentConfig, datasetConfig: loadDatasetConfig(files['dataset.yaml']!), outputDir: join(root, 'runs'), env: {} });

      const refused = sizes.length;
      const turns = readJsonl<TurnLine>(join(run.runDir, 'turn_metrics.jsonl'));
      const events = readJsonl<EventLine>(join(run.runDir, 'events.jsonl')).filter((e) => e.type === 'context_retry');
      const counted = turns.reduce((n, t) => n + (t.context_retries ?? 0), 0);
      expect(turns.every((t) => t.status === 'success')).toBe(true);
      expect(refused).toBeGreaterThan(0);
      expect(counted).toBe(refused);
      expect(events).toHaveLength(refused);
      for (const e of events) expect(e.trimmed_to).toBeLessThan(e.sent_tokens);
      // Where the engine names its window, the agent believes it at once: one retry, then no more.
      if (engine !== 'ollama') {
        expect(events[0]!.server_context_tokens).toBe(WINDOW);
        expect(refused).toBe(1);
      }
    }, 60_000);
  }
});
