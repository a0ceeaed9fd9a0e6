/**
 * issue 12: a message cut off by an interrupt is not a failed empty reply. The
 * run stops with that turn unrecorded, and `--resume` rebuilds the schedule from
 * the recorded replies and sends the very same message again, as GoodAI does.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../src/config/agent.js';
import { loadDatasetConfig } from '../../src/config/load.js';
import { prepareResume } from '../../src/runner/resume.js';
import { runBenchmark } from '../../src/runner/run-benchmark.js';
import { openAiStream, startRecordingServer, type RecordingServer } from '../agents/helpers.js';
import { readJsonl, ROOT, tempDir } from '../helpers.js';

const FIXTURE = join(ROOT, 'test/fixtures/goodai/export-small');
const CUT_AT = 4; // the 4th call hangs until the run is interrupted

describe('an interrupt mid-message', () => {
  let server: RecordingServer;
  const abort = new AbortController();
  beforeAll(async () => {
    server = await startRecordingServer((_req, res) => {
      if (server.requests.length === CUT_AT && !abort.signal.aborted) {
        setTimeout(() => abort.abort(new Error('test interrupt')), 50);
        return; // never answered: the client gives up when the run is aborted
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(openAiStream(['OK'], { prompt_tokens: 10, completion_tokens: 1 }));
    });
  });
  afterAll(() => server?.close());

  it('leaves the turn unrecorded, and the resume sends the same message again', async () => {
    const agentConfig = AgentConfigSchema.parse({ name: 'ok-agent', kind: 'chat', context_size: 100000, llm: { provider: 'openai', base_url: server.url, model: 'ok', max_tokens: 16 } });
    const datasetConfig = loadDatasetConfig(join(FIXTURE, 'definitions/config.yml'));
    const out = tempDir();
    const first = await runBenchmark({ agentConfig, datasetConfig, datasetDir: FIXTURE, outputDir: out, runId: 'cut', env: {}, signal: abort.signal });
    expect(first.status).toBe('interrupted');
    const cutMessage = (server.requests[CUT_AT - 1]!.body as { messages: { content: string }[] }).messages.at(-1)!.content;
    const before = readJsonl<{ status: string }>(join(first.runDir, 'turn_metrics.jsonl'));
    expect(before.every((t) => t.status === 'success')).toBe(true);
    const callsBefore = server.requests.length;

    const plan = await prepareResume(first.runDir);
    const resumed = await runBenchmark({ agentConfig, datasetConfig, outputDir: out, resume: plan!, env: {} });
    expect(resumed.status).toBe('finished');
    const firstAgain = (server.requests[callsBefore]!.body as { messages: { content: string }[] }).messages.at(-1)!.content;
    expect(firstAgain).toBe(cutMessage);
    const turns = readJsonl<{ status: string; turn_id: number }>(join(first.runDir, 'turn_metrics.jsonl'));
    expect(turns.every((t) => t.status === 'success')).toBe(true);
    expect(new Set(turns.map((t) => t.turn_id)).size).toBe(turns.length);
    const master = readJsonl<{ type: number }>(join(first.runDir, 'master_log.jsonl'));
    // SUITE_RESET after the introduction and again at the resume, as GoodAI writes it.
    expect(master.filter((e) => e.type === 7)).toHaveLength(2);
  }, 60_000);
});
