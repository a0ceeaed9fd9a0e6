import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordingServer {
  url: string;
  requests: Array<{ headers: IncomingHttpHeaders; body: unknown }>;
  close(): Promise<void>;
}

/** A loopback server that records each request and answers with `handler`. */
export async function startRecordingServer(
  handler: (req: IncomingMessage, res: ServerResponse, body: unknown) => void,
): Promise<RecordingServer> {
  const requests: RecordingServer['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep text
      }
      requests.push({ headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** OpenAI-format stream chunk lines for `pieces`, then a usage chunk and `[DONE]`. */
export function openAiStream(pieces: string[], usage?: { prompt_tokens: number; completion_tokens: number }): string {
  const base = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'test-model-2024' };
  let out = `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })}\n\n`;
  for (const p of pieces) out += `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] })}\n\n`;
  out += `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`;
  if (usage) out += `data: ${JSON.stringify({ ...base, choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } })}\n\n`;
  return `${out}data: [DONE]\n\n`;
}

/** issue 12: a loopback OpenAI-compatible server answering every request with `text` (a deterministic agent). */
export function startConstantServer(text: string): Promise<RecordingServer> {
  return startRecordingServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(openAiStream([text], { prompt_tokens: 10, completion_tokens: 1 }));
  });
}
