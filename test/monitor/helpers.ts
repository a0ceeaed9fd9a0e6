import { spawn, type ChildProcess } from 'node:child_process';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CLI, ROOT } from '../helpers.js';

/** A memory agent on the sim model, slowed down so a test can watch it work. */
export function writeSlowAgent(dir: string, options: { name?: string; ttftMs?: number; tokensPerS?: number } = {}): string {
  const file = join(dir, `${options.name ?? 'slow-agent'}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${options.name ?? 'slow-agent'}`,
      'kind: memory',
      'llm: { provider: sim, model: sim-1, max_tokens: 64 }',
      'context_size: 512',
      'memory: { top_k: 8, recent_tokens: 128 }',
      `sim: { ttft_ms: ${options.ttftMs ?? 100}, tokens_per_s: ${options.tokensPerS ?? 20} }`,
      '',
    ].join('\n'),
  );
  return file;
}

/** Four short tests (16 turns): long enough to watch, short enough for CI. */
export function writeSmallDataset(dir: string): string {
  const file = join(dir, 'small.yaml');
  writeFileSync(
    file,
    `config:
  run_name: monitor-test
  incompatibilities: []
datasets:
  args:
    memory_span: 200
    dataset_examples: 2
    seed: 0
  datasets:
    - name: colours
      args: { colour_changes: 2 }
    - name: name_list
      args: { name_changes: 2 }
`,
  );
  return file;
}

/** An LTM suite (`ltm-workers.yaml`): one agent (sim-mini unless given) on the small dataset config, seeds 0–2. */
export function writeLtmSuite(dir: string, agent = join(ROOT, 'configs/agents/sim-mini.yaml')): string {
  const file = join(dir, 'ltm-workers.yaml');
  writeFileSync(file, ['name: ltm-workers', 'kind: ltm', `agents: [${agent}]`, `datasets: [${writeSmallDataset(dir)}]`, 'seeds: [0, 1, 2]', ''].join('\n'));
  return file;
}

/** A live run's events.jsonl as it stands (a torn last line skipped; none yet: []). */
export function liveEvents<T = Record<string, unknown>>(runDir: string): T[] {
  const file = join(runDir, 'events.jsonl');
  if (!existsSync(file)) return [];
  const out: T[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      if (line) out.push(JSON.parse(line) as T);
    } catch {
      // the line the run is writing right now
    }
  }
  return out;
}

/** Headless Chromium as every browser test starts it (Debian's /usr/bin/chromium unless CHROMIUM_PATH). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** `referee monitor|view --runs-dir DIR --port 0 …` started as a user does; resolves with the URL it prints. */
export function serveCli(command: 'monitor' | 'view', runsDir: string, extra: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, command, '--runs-dir', runsDir, '--port', '0', ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = new RegExp(`${command}: (http://\\S+/)`).exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`referee ${command} exited ${code}: ${err}`)));
  });
}

/** `referee run` in a child process: the monitor must see runs written by other processes. */
export function spawnRun(args: string[]): { child: ChildProcess; stderr: () => string; done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, 'run', '--quiet', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return { child, stderr: () => stderr, done };
}

export async function waitFor<T>(probe: () => T | undefined | false | null | Promise<T | undefined | false | null>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function getJson<T = Record<string, unknown>>(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const r = await fetch(url, { headers });
  return { status: r.status, body: (await r.json()) as T };
}

/** GET a JSON endpoint of a monitor that must answer 200 (the body is shown when it does not). */
export async function getOk(base: string, path: string): Promise<Record<string, unknown>> {
  const r = await getJson<Record<string, unknown>>(new URL(path, base).toString());
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  receivedAt: number;
}

/**
 * A raw SSE client over node:http (what EventSource does, minus the retry):
 * collects events and comment lines as they arrive.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  status = 0;
  private req: ClientRequest | undefined;
  private res: IncomingMessage | undefined;
  private buffer = '';
  private listeners: ((e: SseEvent) => void)[] = [];

  constructor(
    readonly url: string,
    readonly headers: Record<string, string> = {},
  ) {}

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.req = request(this.url, { headers: { Accept: 'text/event-stream', ...this.headers } }, (res) => {
        this.res = res;
        this.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.feed(chunk));
        res.on('error', () => {});
        resolve();
      });
      this.req.on('error', reject);
      this.req.end();
    });
  }

  onEvent(fn: (e: SseEvent) => void): void {
    this.listeners.push(fn);
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end = this.buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const e: SseEvent = { event: 'message', data: '', receivedAt: Date.now() };
      const data: string[] = [];
      let any = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line);
        else if (line.startsWith('id: ')) e.id = line.slice(4);
        else if (line.startsWith('event: ')) e.event = line.slice(7);
        else if (line.startsWith('data: ')) {
          data.push(line.slice(6));
          any = true;
        }
      }
      if (any) {
        e.data = data.join('\n');
        this.events.push(e);
        for (const fn of this.listeners) fn(e);
      }
      end = this.buffer.indexOf('\n\n');
    }
  }

  json(e: SseEvent): Record<string, unknown> {
    return JSON.parse(e.data) as Record<string, unknown>;
  }

  close(): void {
    this.res?.destroy();
    this.req?.destroy();
  }
}
