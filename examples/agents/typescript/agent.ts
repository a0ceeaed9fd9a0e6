/**
 * A reference agent for Referee's agent protocol (issue 15) in TypeScript,
 * Node built-ins only. It keeps every exchange of a session and sends its LLM
 * (any OpenAI-compatible endpoint, LLM_BASE_URL) the most recent ones that fit
 * a character budget. It answers `save`/`restore`, so Referee checkpoints it
 * and a resumed run restores it instead of replaying the conversation.
 *
 *   node agent.js --http 127.0.0.1:8766   # kind: http
 *   node agent.js --stdio                 # kind: stdio
 *
 * (Node 22.6+ runs the .ts directly with --experimental-strip-types; on Node 20
 * compile it first, see the README.) stdout is the protocol channel in stdio
 * mode: logs go to stderr.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';

const LLM_BASE_URL = (process.env['LLM_BASE_URL'] ?? 'http://127.0.0.1:8001/v1').replace(/\/+$/, '');
const LLM_MODEL = process.env['LLM_MODEL'] ?? 'sim-1';
const HISTORY_CHARS = 6000;

interface Exchange {
  message: string;
  reply: string;
}
type Request = { type: string; session_id: string; [field: string]: unknown };

const sessions = new Map<string, Exchange[]>();

function memoryOf(request: Request): Exchange[] {
  const memory = sessions.get(request.session_id);
  if (!memory) throw new Error(`unknown session ${request.session_id}`);
  return memory;
}

/** The most recent exchanges that fit the budget, oldest first. */
function recent(memory: Exchange[]): Exchange[] {
  const out: Exchange[] = [];
  let used = 0;
  for (let i = memory.length - 1; i >= 0; i--) {
    const e = memory[i]!;
    used += e.message.length + e.reply.length;
    if (used > HISTORY_CHARS) break;
    out.unshift(e);
  }
  return out;
}

async function reply(request: Request, traceparent: string | undefined): Promise<Record<string, unknown>> {
  const memory = memoryOf(request);
  const message = String(request['message']);
  const history = Array.isArray(request['history']) ? (request['history'] as Array<{ role: string; content: string }>) : undefined;
  const messages = [{ role: 'system', content: 'You are a helpful assistant with a good memory.' }];
  if (history) messages.push(...history);
  else for (const e of recent(memory)) messages.push({ role: 'user', content: e.message }, { role: 'assistant', content: e.reply });
  messages.push({ role: 'user', content: message });
  const started = performance.now();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  // Referee's turn span is the parent of whatever the LLM server traces.
  if (traceparent) headers['traceparent'] = traceparent;
  const res = await fetch(`${LLM_BASE_URL}/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: LLM_MODEL, messages, temperature: 0, max_tokens: 256 }),
  });
  if (!res.ok) throw new Error(`LLM answered HTTP ${res.status}`);
  const data = (await res.json()) as { choices: Array<{ message: { content: string | null } }>; usage?: { prompt_tokens?: number; completion_tokens?: number } };
  const text = data.choices[0]?.message.content ?? '';
  memory.push({ message, reply: text });
  return {
    text,
    metadata: { history_sent: (messages.length - 2) / 2, memory_size: memory.length },
    usage: { input_tokens: data.usage?.prompt_tokens ?? 0, output_tokens: data.usage?.completion_tokens ?? 0 },
    timings: { llm_ms: performance.now() - started },
  };
}

/** The protocol, transport-free. */
async function handle(request: Request, traceparent: string | undefined): Promise<unknown> {
  switch (request.type) {
    case 'start': {
      const id = `${request.session_id}#${randomBytes(4).toString('hex')}`;
      sessions.set(id, []);
      return { session_id: id, save_restore: true };
    }
    case 'message':
      return reply(request, traceparent);
    case 'prefill':
      memoryOf(request).push({ message: String(request['message']), reply: String(request['reply']) });
      return {};
    case 'reset':
      memoryOf(request).length = 0;
      return {};
    case 'end':
      sessions.delete(request.session_id);
      return {};
    case 'save':
      return { state: memoryOf(request) };
    case 'restore':
      sessions.set(request.session_id, [...(request['state'] as Exchange[])]);
      console.error(`restored ${sessions.get(request.session_id)!.length} exchanges into ${request.session_id}`);
      return {};
    default:
      throw new Error(`unsupported request type ${JSON.stringify(request.type)}`);
  }
}

function serveStdio(): void {
  const send = (line: unknown): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
  // One request at a time, in order: answers never interleave with a half-done one.
  let queue = Promise.resolve();
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    queue = queue.then(async () => {
      const { id, traceparent, tracestate: _ignored, ...request } = JSON.parse(line) as Request & { id: number; traceparent?: string; tracestate?: string };
      try {
        send({ id, result: await handle(request as Request, traceparent) });
      } catch (err) {
        send({ id, error: { message: (err as Error).message } });
      }
    });
  });
  lines.on('close', () => void queue.then(() => process.exit(0)));
}

function serveHttp(hostPort: string): void {
  const [host, port] = [hostPort.slice(0, hostPort.lastIndexOf(':')), Number(hostPort.slice(hostPort.lastIndexOf(':') + 1))];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      let request: Request;
      try {
        request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Request;
      } catch {
        return answer(400, { error: { message: 'body is not JSON' } });
      }
      const traceparent = typeof req.headers['traceparent'] === 'string' ? req.headers['traceparent'] : undefined;
      handle(request, traceparent).then(
        (body) => answer(200, body),
        // 404 for an unknown session: Referee starts a new one and replays the conversation.
        (err: Error) => answer(err.message.startsWith('unknown session') ? 404 : 500, { error: { message: err.message } }),
      );
    });
  });
  server.listen(port, host, () => {
    const address = server.address();
    const actual = typeof address === 'object' && address ? address.port : port;
    console.log(`listening on http://${host}:${actual}/`);
  });
}

const args = process.argv.slice(2);
if (args[0] === '--stdio') serveStdio();
else if (args[0] === '--http' && args[1]) serveHttp(args[1]);
else {
  console.error('usage: agent --stdio | --http HOST:PORT');
  process.exitCode = 2;
}
