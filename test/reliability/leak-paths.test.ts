/**
 * The end-to-end leak test: the twelve ways a secret once reached an artifact (and two variants: a
 * malformed chunk that is not JSON, OTLP headers that the config does pass to the child), each with
 * its own unique key, in real runs (a loopback model server that echoes and streams keys split across
 * deltas and chunks, a memory agent, a chat agent, a stdio child that echoes its environment on
 * stdout, stderr and in its saved state, an HTTP agent whose saved state echoes its header, a
 * loopback OTLP receiver), then a scan of every byte those runs produced: every file under the
 * output root (run directories, agent state, report.html), every OTLP body, the monitor's API and
 * viewer exports, the GoodAI export and the CLI's own output, for each key in each spelling (raw,
 * JSON-escaped, percent-encoded in both cases, upper- and lower-cased, base64/base64url of the key
 * and of `Bearer <key>` at any alignment, hex in both cases).
 *
 * The same runs under the test-only switch that turns the secret registry off must find the keys
 * where each path puts them: the scan can fail. Two paths are closed by something other than
 * redaction and stay closed with it off, which the test checks in both modes: the OTLP exporter's
 * headers are not handed to a stdio child, and a cut JSON chunk is never quoted in an error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNSAFE_NO_REDACTION_VALUE, UNSAFE_NO_REDACTION_VAR } from '../../src/events/secrets.js';
import { startMonitor } from '../../src/monitor/server.js';
import { openAiStream } from '../agents/helpers.js';
import { CLI, readJsonl, ROOT, runCli, tempDir, type CliResult } from '../helpers.js';
import { SseClient, waitFor } from '../monitor/helpers.js';
import { SMALL_DATASET, walk, writeFiles } from './helpers.js';

const PATHS = ['mem', 'literal', 'stderr', 'stdiockpt', 'httpckpt', 'delta', 'chunk', 'chunktext', 'otlp', 'otlpexplicit', 'pct', 'upper', 'b64', 'hex'] as const;
type Path = (typeof PATHS)[number];
/** Where the chunk path cuts its key: the first part in a content chunk, the rest in cut JSON. */
const HALF = 9;

/**
 * One key per path; `/`, `+` and `=` so that percent-encoding changes it, mixed case so that case
 * does; the path's name last, so that the part of a key after any cut is that key's alone.
 */
function keysFor(mode: string): Record<Path, string> {
  const unique = `${process.pid}${Date.now().toString(36)}${mode}`;
  return Object.fromEntries(PATHS.map((p) => [p, `sk-${unique}/${p}+Kz=`])) as Record<Path, string>;
}

/** The test's own list of spellings (not the code's: a spelling the redaction forgot must still be looked for). */
function spellings(key: string): Array<[string, string]> {
  const hex = Buffer.from(key).toString('hex');
  const pct = encodeURIComponent(key);
  const out: Array<[string, string]> = [
    ['raw', key],
    ['json \\/', key.replaceAll('/', '\\/')],
    ['json \\u', key.replace(/[^A-Za-z0-9]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)],
    ['percent', pct],
    ['percent, lowercase hex', pct.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())],
    ['upper-cased', key.toUpperCase()],
    ['lower-cased', key.toLowerCase()],
    ['hex', hex],
    ['HEX', hex.toUpperCase()],
  ];
  for (const [what, value] of [['base64', key], ['base64 of Bearer', `Bearer ${key}`]] as const) {
    for (let offset = 0; offset < 3; offset++) {
      // Inside a longer text the value's bytes start at any offset mod 3: the characters its own bytes decide.
      const bytes = Buffer.concat([Buffer.alloc(offset), Buffer.from(value)]);
      const b64 = bytes.toString('base64').slice(offset === 0 ? 0 : 4, Math.floor(bytes.length / 3) * 4);
      out.push([`${what} @${offset}`, b64], [`${what}url @${offset}`, b64.replaceAll('+', '-').replaceAll('/', '_')]);
    }
  }
  return out;
}

interface Found {
  where: string;
  spelling: string;
}

/** Every place (a file, an OTLP body, an API answer) where a spelling of `key` is. */
function scan(key: string, texts: ReadonlyArray<{ where: string; text: string }>): Found[] {
  const found: Found[] = [];
  const forms = spellings(key);
  for (const { where, text } of texts) for (const [spelling, form] of forms) if (text.includes(form)) found.push({ where, spelling });
  return found;
}

/**
 * The stdio child: answers the protocol, and echoes its environment everywhere it can. Its reply
 * carries the literal and the encoded keys (split across two streamed tokens), and the OTLP header
 * values it was handed; its stderr its environment and one key written in two pieces; its saved
 * state another key.
 */
const STDIO_AGENT = `
const env = process.env;
const b64 = (s) => Buffer.from(s).toString('base64');
const hex = (s) => Buffer.from(s).toString('hex');
const pctLower = (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
// Its OTEL_* variables (where the OTLP exporter's headers would be, had they been handed on) go everywhere it writes.
const echoed = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('OTEL_')));
const stderrKey = env.LEAK_STDERR;
process.stderr.write('agent starting; env ' + JSON.stringify(echoed) + '; stderr key ' + stderrKey.slice(0, 8));
setTimeout(() => process.stderr.write(stderrKey.slice(8) + ' end\\n'), 150);
const otlp = env.OTEL_EXPORTER_OTLP_HEADERS;
const explicit = env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? '';
const replyText = () =>
  'literal=' + env.LEAK_LITERAL + ' pct=' + pctLower(env.LEAK_PCT) + ' upper=' + env.LEAK_UPPER.toUpperCase() +
  ' b64=' + b64(env.LEAK_B64) + ' bearer64=' + b64('Bearer ' + env.LEAK_B64) + ' hex=' + hex(env.LEAK_HEX) +
  ' otlp=' + (otlp === undefined ? 'absent' : otlp) + ' otlp-explicit=' + decodeURIComponent(explicit.slice(explicit.indexOf('=') + 1));
const sessions = new Map();
const send = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  let nl;
  while ((nl = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, nl);
    buf = buf.slice(nl + 1);
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    if (r.type === 'start') {
      const sid = r.session_id + '#' + sessions.size;
      sessions.set(sid, []);
      send({ id: r.id, result: { session_id: sid, save_restore: true } });
    } else if (r.type === 'message') {
      const text = replyText();
      (sessions.get(r.session_id) ?? []).push([r.message, text]);
      if (r.stream) {
        const cut = text.indexOf('literal=') + 20;
        send({ id: r.id, type: 'token', delta: text.slice(0, cut) });
        send({ id: r.id, type: 'token', delta: text.slice(cut) });
      }
      send({ id: r.id, result: { text, metadata: { echoed } } });
    } else if (r.type === 'save') {
      send({ id: r.id, result: { state: { key: env.LEAK_STDIOCKPT, echoed, exchanges: sessions.get(r.session_id) ?? [] } } });
    } else if (r.type === 'restore') {
      sessions.set(r.session_id, r.state.exchanges);
      send({ id: r.id, result: {} });
    } else if (r.type === 'prefill') {
      (sessions.get(r.session_id) ?? []).push([r.message, r.reply]);
      send({ id: r.id, result: {} });
    } else {
      if (r.type === 'reset') sessions.set(r.session_id, []);
      send({ id: r.id, result: {} });
    }
  }
});
`;

async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function close(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const chunk = (delta: Record<string, unknown>): string => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'leak-model', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;

/**
 * The model: the memory agent's key comes back in its reply; the chat agent's calls take turns
 * between a reply that streams its key in four deltas a flush apart, and a content chunk that ends
 * with the start of its `X-Chunk` header's value followed by cut JSON that holds the rest.
 */
async function startModel(): Promise<{ server: Server; url: string }> {
  let chatCalls = 0;
  return listen((req, res) => {
    const key = String(req.headers['authorization'] ?? '').replace(/^Bearer /, '');
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (key.endsWith('/mem+Kz=')) {
      res.end(openAiStream([`noted: ${key} `, 'and remembered']));
      return;
    }
    void (async () => {
      const call = chatCalls++ % 3;
      if (call === 2) {
        // The same split, the rest in a chunk that is not JSON at all (a proxy's words, say).
        const split2 = String(req.headers['x-chunk-text'] ?? '');
        res.write(chunk({ content: `the text key is ${split2.slice(0, HALF)}` }));
        await sleep(70);
        res.end(`data: ${split2.slice(HALF)} upstream closed\n\n`);
        return;
      }
      if (call === 0) {
        res.write(chunk({ role: 'assistant', content: '' }));
        for (const piece of ['the key is ', key.slice(0, 6), key.slice(6, 14), key.slice(14), ' end']) {
          res.write(chunk({ content: piece }));
          // Longer than the writer's token flush (50 ms): each piece is its own `token` event.
          await sleep(70);
        }
        res.end(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'leak-model', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
        return;
      }
      const split = String(req.headers['x-chunk'] ?? '');
      res.write(chunk({ content: `the chunk key is ${split.slice(0, HALF)}` }));
      await sleep(70);
      res.end(`data: {"choices":[{"index":0,"delta":{"content":"${split.slice(HALF)} and more\n\n`);
    })();
  });
}

/** The HTTP agent: whole answers, and a saved state that holds the Authorization header it was sent. */
async function startHttpAgent(): Promise<{ server: Server; url: string }> {
  const sessions = new Map<string, Array<[string, string]>>();
  return listen((req, res, body) => {
    const r = JSON.parse(body.toString('utf8')) as { type: string; session_id: string; message?: string; reply?: string; state?: { exchanges: Array<[string, string]> } };
    let answer: unknown = {};
    if (r.type === 'start') {
      const sid = `${r.session_id}#${sessions.size}`;
      sessions.set(sid, []);
      answer = { session_id: sid, save_restore: true };
    } else if (r.type === 'message') {
      const text = `heard ${String(r.message).length} characters`;
      sessions.get(r.session_id)?.push([r.message ?? '', text]);
      answer = { text };
    } else if (r.type === 'save') answer = { state: { authorization: req.headers['authorization'], exchanges: sessions.get(r.session_id) ?? [] } };
    else if (r.type === 'restore') sessions.set(r.session_id, r.state?.exchanges ?? []);
    else if (r.type === 'prefill') sessions.get(r.session_id)?.push([r.message ?? '', r.reply ?? '']);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  });
}

/** Every OTLP body, decompressed, as text (http/json). */
async function startOtlp(): Promise<{ server: Server; url: string; bodies: Array<{ where: string; text: string }> }> {
  const bodies: Array<{ where: string; text: string }> = [];
  const s = await listen((req, res, body) => {
    const raw = req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
    bodies.push({ where: `OTLP ${req.url ?? ''} #${bodies.length}`, text: raw.toString('utf8') });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  return { ...s, bodies };
}

interface Outcome {
  keys: Record<Path, string>;
  found: Record<Path, Found[]>;
  /** Everything scanned, by where. */
  texts: Array<{ where: string; text: string }>;
  results: Record<string, CliResult>;
}

const RUNS = ['mem', 'chat', 'stdio', 'http'] as const;

describe('every leak path, in real runs, end to end', () => {
  let model: { server: Server; url: string };
  let httpAgent: { server: Server; url: string };

  beforeAll(async () => {
    model = await startModel();
    httpAgent = await startHttpAgent();
  });
  afterAll(async () => {
    await close(model?.server);
    await close(httpAgent?.server);
  });

  async function runAll(mode: 'on' | 'off'): Promise<Outcome> {
    const keys = keysFor(mode);
    const otlp = await startOtlp();
    const dir = tempDir(`referee-leak-paths-${mode}-`);
    writeFileSync(join(dir, 'agent.mjs'), STDIO_AGENT);
    const files = writeFiles(dir, {
      'dataset.yaml': SMALL_DATASET,
      'mem.yaml': `name: leaky-mem
kind: memory
llm: { provider: openai, base_url: "${model.url}/v1", model: leak-model, api_key_env: LEAK_MEM, max_tokens: 64 }
context_size: 4096
memory: { top_k: 4, recent_tokens: 256 }
retries: { max_attempts: 1 }
`,
      'chat.yaml': `name: leaky-chat
kind: chat
llm:
  provider: openai
  base_url: "${model.url}/v1"
  model: leak-model
  api_key_env: LEAK_DELTA
  headers: { X-Chunk: "\${LEAK_CHUNK}", X-Chunk-Text: "\${LEAK_CHUNKTEXT}" }
context_size: 4096
retries: { max_attempts: 1 }
`,
      'stdio.yaml': `name: leaky-stdio
kind: stdio
stdio:
  command: ${process.execPath}
  args: [${join(dir, 'agent.mjs')}]
  env:
    LEAK_LITERAL: "${keys.literal}"
    LEAK_STDERR: "\${LEAK_STDERR}"
    LEAK_STDIOCKPT: "\${LEAK_STDIOCKPT}"
    LEAK_PCT: "\${LEAK_PCT}"
    LEAK_UPPER: "\${LEAK_UPPER}"
    LEAK_B64: "\${LEAK_B64}"
    LEAK_HEX: "\${LEAK_HEX}"
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: "\${OTEL_EXPORTER_OTLP_TRACES_HEADERS}"
`,
      'http.yaml': `name: leaky-http
kind: http
http:
  url: ${httpAgent.url}/
  headers: { authorization: "Bearer \${LEAK_HTTPCKPT}" }
`,
    });
    const out = join(dir, 'runs');
    const env: NodeJS.ProcessEnv = {
      LEAK_MEM: keys.mem,
      LEAK_DELTA: keys.delta,
      LEAK_CHUNK: keys.chunk,
      LEAK_CHUNKTEXT: keys.chunktext,
      LEAK_STDERR: keys.stderr,
      LEAK_STDIOCKPT: keys.stdiockpt,
      LEAK_PCT: keys.pct,
      LEAK_UPPER: keys.upper,
      LEAK_B64: keys.b64,
      LEAK_HEX: keys.hex,
      LEAK_HTTPCKPT: keys.httpckpt,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      // Handed to no stdio child; the per-signal one below, the config passes on explicitly.
      OTEL_EXPORTER_OTLP_HEADERS: `authorization=${encodeURIComponent(`Bearer ${keys.otlp}`)}`,
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: `x-trace-key=${encodeURIComponent(keys.otlpexplicit)}`,
      [UNSAFE_NO_REDACTION_VAR]: mode === 'off' ? UNSAFE_NO_REDACTION_VALUE : '',
    };
    const results: Record<string, CliResult> = {};
    try {
      await Promise.all(
        RUNS.map(async (name) => {
          const args = ['run', '--agent-config', files[`${name}.yaml`]!, '--dataset-config', files['dataset.yaml']!, '--output-dir', out, '--run-id', `leak-${name}`, '--quiet'];
          results[name] = await runCli(args, { env, timeoutMs: 240_000 });
        }),
      );
      for (const name of RUNS) expect(existsSync(join(out, `leak-${name}`, 'events.jsonl')), `run ${name}: ${results[name]!.stderr}`).toBe(true);
      // The GoodAI export of each run, beside the runs.
      for (const name of RUNS) {
        const r = spawnSync(process.execPath, [CLI, 'export', 'goodai', join(out, `leak-${name}`), join(dir, 'goodai', name)], { encoding: 'utf8', env: { ...process.env, ...env } });
        results[`export ${name}`] = { code: r.status, stdout: r.stdout, stderr: r.stderr };
      }
    } finally {
      await close(otlp.server);
    }

    const texts: Array<{ where: string; text: string }> = [];
    // Every file: the runs (state, checkpoints, stderr logs, report.html, history) and the GoodAI exports.
    for (const file of walk(dir)) if (!file.endsWith('.yaml') && !file.endsWith('agent.mjs')) texts.push({ where: relative(dir, file), text: readFileSync(file, 'utf8') });
    // events.jsonl's token deltas, joined per turn: a key split across two events must not join back.
    for (const name of RUNS) {
      const events = readJsonl<{ type: string; turn_id?: number; test_id?: string; delta?: string }>(join(out, `leak-${name}`, 'events.jsonl'));
      const joined = new Map<string, string>();
      for (const e of events) if (e.type === 'token') joined.set(`${e.test_id}/${e.turn_id}`, (joined.get(`${e.test_id}/${e.turn_id}`) ?? '') + (e.delta ?? ''));
      texts.push({ where: `leak-${name}/events.jsonl token deltas joined`, text: [...joined.values()].join('\n') });
    }
    texts.push(...otlp.bodies);
    for (const [name, r] of Object.entries(results)) texts.push({ where: `CLI output of ${name}`, text: r.stdout + r.stderr });

    // The monitor over the same output root: its API, the viewer's sample views, reports and exports.
    const monitor = await startMonitor({ runsDir: out, port: 0, heartbeatMs: 60_000 });
    try {
      const get = async (path: string): Promise<string> => {
        const res = await fetch(`${monitor.url}${path}`);
        const text = await res.text();
        texts.push({ where: `monitor ${path}`, text });
        return text;
      };
      await waitFor(async () => {
        const listed = await (await fetch(`${monitor.url}api/view/runs`)).text();
        return RUNS.every((n) => listed.includes(`leak-${n}`));
      }, 'the monitor to list the runs', 20_000);
      await get('api/view/runs');
      for (const path of ['snapshot', 'status', 'runs', 'costs', 'metrics', 'workers']) await get(`api/benchmark/${path}`);
      for (const name of RUNS) {
        const run = `leak-${name}`;
        for (const format of ['csv', 'json']) expect((await get(`api/view/export?run=${run}&format=${format}`)).length, `${format} export of ${run}`).toBeGreaterThan(100);
        expect(await get(`api/view/report?run=${run}`)).toContain('<html');
        const samples = JSON.parse(await get(`api/view/samples?run=${run}`)) as { samples?: Array<{ test_id: string }> };
        for (const s of samples.samples ?? []) await get(`api/view/sample?run=${run}&test=${encodeURIComponent(s.test_id)}`);
      }
      const sse = new SseClient(`${monitor.url}api/benchmark/telemetry/stream`);
      await sse.open();
      await waitFor(() => sse.events.find((e) => e.event === 'snapshot'), 'SSE snapshot', 10_000);
      sse.close();
      texts.push({ where: 'monitor SSE', text: sse.events.map((e) => e.data).join('\n') });
    } finally {
      await monitor.close();
    }
    const found = Object.fromEntries(PATHS.map((p) => [p, scan(keys[p], texts)])) as Record<Path, Found[]>;
    return { keys, found, texts, results };
  }

  /** What each mode must show whatever the redaction: every path was really taken. */
  function pathsTaken(o: Outcome): void {
    const text = (where: RegExp): string => o.texts.filter((t) => where.test(t.where)).map((t) => t.text).join('\n');
    for (const name of RUNS) expect(o.results[name]!.code, `${name}: ${o.results[name]!.stderr}`).not.toBeNull();
    // The memory agent stored the model's replies; each protocol agent saved its state; the child wrote on stderr.
    expect(text(/^runs\/leak-mem\/state\/.*memory\.jsonl$/)).toContain('noted: ');
    expect(text(/^runs\/leak-stdio\/.*agent-checkpoint\.json$/)).toContain('"key":');
    expect(text(/^runs\/leak-http\/.*agent-checkpoint\.json$/)).toContain('"authorization":');
    expect(text(/^runs\/leak-stdio\/agent-stderr\.log$/)).toContain('stderr key ');
    // The chat agent's replies streamed in pieces, and its cut chunk failed a turn without being quoted.
    const deltas = readJsonlText(text(/^runs\/leak-chat\/events\.jsonl$/)).filter((e) => e['type'] === 'token');
    expect(deltas.length).toBeGreaterThan(3);
    expect(text(/^runs\/leak-chat\/turn_metrics\.jsonl$/)).toMatch(/unparsable stream chunk .*\(\d+ bytes of cut or invalid JSON\)/);
    // The OTLP exporter's headers reached no stdio child; the per-signal one the config passed on did.
    const transcripts = text(/^runs\/leak-stdio\/transcripts\.jsonl$/);
    expect(transcripts).toContain('otlp=absent');
    expect(o.texts.filter((t) => t.where.startsWith('OTLP /v1/traces')).length).toBeGreaterThan(0);
    for (const name of RUNS) expect(o.results[`export ${name}`]!.code, o.results[`export ${name}`]!.stderr).toBe(0);
  }

  it('finds no key in any file, span, OTLP body, report, export or API answer', async () => {
    const o = await runAll('on');
    pathsTaken(o);
    for (const p of PATHS) expect(o.found[p], `key of path ${p}`).toEqual([]);
    // The chunk paths: not even the part in the malformed chunk (the part before it is in the token stream).
    for (const p of ['chunk', 'chunktext'] as const) expect(o.texts.filter((t) => t.text.includes(o.keys[p].slice(HALF))).map((t) => t.where), p).toEqual([]);
    expect(o.texts.find((t) => t.where === 'runs/leak-chat/turn_metrics.jsonl')!.text).toMatch(/unparsable stream chunk .*\(\d+ bytes, not shown: with the reply before them they spell a secret\)/);
    // What stands where the keys were.
    const transcripts = o.texts.find((t) => t.where === 'runs/leak-stdio/transcripts.jsonl')!.text;
    for (const part of ['literal=[redacted]', 'pct=[redacted]', 'upper=[redacted]', 'b64=[redacted]', 'bearer64=[redacted]', 'hex=[redacted]', 'otlp-explicit=[redacted]']) expect(transcripts).toContain(part);
    expect(o.texts.find((t) => t.where === 'runs/leak-stdio/agent-stderr.log')!.text).toContain('stderr key [redacted] end');
    for (const name of RUNS) expect(o.results[name]!.stderr).not.toContain(UNSAFE_NO_REDACTION_VAR);
  }, 600_000);

  it('with the registry switched off, the same scan finds each key where its path puts it', async () => {
    const o = await runAll('off');
    pathsTaken(o);
    for (const name of RUNS) expect(o.results[name]!.stderr).toContain('REDACTION IS OFF');
    const at = (p: Path, where: RegExp, spelling = 'raw'): void => {
      expect(o.found[p].some((f) => where.test(f.where) && f.spelling === spelling), `${p}, ${spelling}, in ${where}: found ${JSON.stringify(o.found[p].slice(0, 20))}`).toBe(true);
    };
    at('mem', /^runs\/leak-mem\/state\/.*memory\.jsonl$/);
    // The literal stdio.env value: in the run's files, OTLP, report.html, the viewer's exports and GoodAI's.
    for (const where of [/^runs\/leak-stdio\/transcripts\.jsonl$/, /^runs\/leak-stdio\/events\.jsonl$/, /^runs\/leak-stdio\/spans\.jsonl$/, /^runs\/leak-stdio\/report\.html$/, /^OTLP \/v1\/traces/, /^monitor api\/view\/export\?run=leak-stdio&format=csv$/, /^monitor api\/view\/export\?run=leak-stdio&format=json$/, /^goodai\/stdio\//]) at('literal', where);
    // Three keys only one writer ever sees: found there, and only there.
    const only = (p: Path, where: RegExp): void => {
      at(p, where);
      expect(o.found[p].filter((f) => !where.test(f.where))).toEqual([]);
    };
    only('stderr', /^runs\/leak-stdio\/agent-stderr\.log$/);
    only('stdiockpt', /^runs\/leak-stdio\/state\/.*agent-checkpoint\.json$/);
    only('httpckpt', /^runs\/leak-http\/state\/.*agent-checkpoint\.json$/);
    at('delta', /^leak-chat\/events\.jsonl token deltas joined$/);
    at('otlpexplicit', /^runs\/leak-stdio\/transcripts\.jsonl$/);
    at('pct', /^runs\/leak-stdio\/transcripts\.jsonl$/, 'percent, lowercase hex');
    at('upper', /^runs\/leak-stdio\/transcripts\.jsonl$/, 'upper-cased');
    at('b64', /^runs\/leak-stdio\/transcripts\.jsonl$/, 'base64 @0');
    at('b64', /^runs\/leak-stdio\/transcripts\.jsonl$/, 'base64 of Bearer @0');
    at('hex', /^runs\/leak-stdio\/transcripts\.jsonl$/, 'hex');
    // A key split between a content chunk and a malformed one that is not JSON: its start in the token stream, the rest in the error.
    expect(o.texts.some((t) => t.where === 'leak-chat/events.jsonl token deltas joined' && t.text.includes(`the text key is ${o.keys.chunktext.slice(0, HALF)}`))).toBe(true);
    expect(o.texts.filter((t) => t.text.includes(`${o.keys.chunktext.slice(HALF)} upstream closed`)).map((t) => t.where)).toContain('runs/leak-chat/turn_metrics.jsonl');
    // Closed by more than redaction: the OTLP headers never reach the child, and cut JSON is never quoted.
    expect(o.found.otlp).toEqual([]);
    expect(o.found.chunk).toEqual([]);
    expect(o.texts.some((t) => t.text.includes(o.keys.chunk.slice(HALF)))).toBe(false);
    expect(o.texts.some((t) => t.where === 'leak-chat/events.jsonl token deltas joined' && t.text.includes(`the chunk key is ${o.keys.chunk.slice(0, HALF)}`))).toBe(true);
  }, 600_000);
});

describe('the test-only switch', () => {
  it('is honoured only with its exact value and only under vitest; otherwise the registry redacts as always', () => {
    const probe = `import { registerSecrets, redact } from ${JSON.stringify(join(ROOT, 'dist/events/secrets.js'))}; registerSecrets(['sk-switch-probe-123']); process.stdout.write(redact('key sk-switch-probe-123'));`;
    const run = (env: NodeJS.ProcessEnv): { out: string; err: string } => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8', env: { PATH: process.env['PATH'], ...env } });
      return { out: r.stdout, err: r.stderr };
    };
    expect(run({ [UNSAFE_NO_REDACTION_VAR]: UNSAFE_NO_REDACTION_VALUE, VITEST: 'true' })).toEqual({ out: 'key sk-switch-probe-123', err: expect.stringContaining('REDACTION IS OFF') });
    // Outside vitest, or with any other value, nothing changes and nothing is said.
    expect(run({ [UNSAFE_NO_REDACTION_VAR]: UNSAFE_NO_REDACTION_VALUE })).toEqual({ out: 'key [redacted]', err: '' });
    expect(run({ [UNSAFE_NO_REDACTION_VAR]: '1', VITEST: 'true' })).toEqual({ out: 'key [redacted]', err: '' });
    expect(run({ [UNSAFE_NO_REDACTION_VAR]: 'true', VITEST: 'true' })).toEqual({ out: 'key [redacted]', err: '' });
  });
});

function readJsonlText(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
