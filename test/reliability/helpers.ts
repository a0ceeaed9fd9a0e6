import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, readJson, readJsonl } from '../helpers.js';
import { startRecordingServer, type RecordingServer } from '../agents/helpers.js';

/** A small dataset (2 tests, ~20 turns) so each fault gets its own real run quickly. */
export const SMALL_DATASET = `config:
  run_name: reliability
datasets:
  args:
    memory_span: 400
    dataset_examples: 1
    seed: 3
  datasets:
    - name: colours
      args: { colour_changes: 2 }
    - name: name_list
      args: { name_changes: 2 }
`;

/** A memory agent on the sim model with a 30 ms first token, so turns are in flight when a run is stopped. */
export const SLOW_MEMORY_AGENT = `name: mem
kind: memory
llm: { provider: sim, model: sim-1, max_tokens: 128 }
context_size: 512
memory: { top_k: 16, recent_tokens: 128 }
sim: { ttft_ms: 30 }
`;

/** A memory agent on the sim model; `extra` is appended (YAML, top level). */
export function agentYaml(extra = ''): string {
  return `name: rel
kind: memory
llm: { provider: sim, model: sim-1, max_tokens: 128 }
context_size: 512
memory: { top_k: 16, recent_tokens: 128 }
${extra}`;
}

export function writeFiles(dir: string, files: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    out[name] = join(dir, name);
    writeFileSync(out[name], text);
  }
  return out;
}

export function runDirsIn(outputDir: string): string[] {
  return readdirSync(outputDir)
    .filter((d) => statSync(join(outputDir, d)).isDirectory())
    .map((d) => join(outputDir, d));
}

export function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

export interface TurnRecord {
  test_id: string;
  turn_id: number;
  lane: number;
  step: number;
  status: 'success' | 'error';
  reason?: string;
  error?: string;
  attempts?: number;
}

export interface RunFiles {
  dir: string;
  turns: TurnRecord[];
  events: Array<Record<string, unknown> & { type: string; seq: number }>;
  master: Array<{ type: number; test_id: string; data: Record<string, unknown> }>;
  stats: { score: number; max_score: number; turns: number; turns_failed: number; duration: number; wall_duration_s?: number; tests: Array<{ test_id: string; score: number }> };
  meta: Record<string, unknown>;
}

export function readRun(dir: string): RunFiles {
  return {
    dir,
    turns: readJsonl<TurnRecord>(join(dir, 'turn_metrics.jsonl')),
    events: readJsonl(join(dir, 'events.jsonl')) as RunFiles['events'],
    master: readJsonl(join(dir, 'master_log.jsonl')) as RunFiles['master'],
    stats: readJson(join(dir, 'runstats.json')) as unknown as RunFiles['stats'],
    meta: readJson(join(dir, 'run.json')),
  };
}

/**
 * "Nothing lost": one turn_metrics record and one reply in master_log per
 * scheduled turn, each exactly once, and every test scored.
 */
export function nothingLost(run: RunFiles): { turnsTotal: number; testsTotal: number } {
  const start = run.events.find((e) => e.type === 'run_start')!;
  // issue 12: the schedule depends on the replies, so run_start's turns_total is an estimate; the run's own count is checked.
  const turnsTotal = run.stats.turns;
  const testsTotal = start['tests_total'] as number;
  if (new Set(run.turns.map((t) => t.turn_id)).size !== turnsTotal || run.turns.length !== turnsTotal) throw new Error(`${run.turns.length} turn records, ${turnsTotal} turns`);
  const lanes = new Map<number, number[]>();
  for (const t of run.turns) lanes.set(t.lane, [...(lanes.get(t.lane) ?? []), t.step]);
  for (const [lane, steps] of lanes) {
    steps.sort((a, b) => a - b);
    if (steps.some((s, i) => s !== i)) throw new Error(`lane ${lane} steps ${steps.join(',')} are not 0..${steps.length - 1}`);
  }
  const replies = run.master.filter((m) => m.type === 4 || m.type === 5).map((m) => m.data['turn_id'] as number);
  const sends = run.master.filter((m) => m.type === 0 || m.type === 3).map((m) => m.data['turn_id'] as number);
  if (new Set(replies).size !== turnsTotal || replies.length !== turnsTotal) throw new Error(`master_log has ${replies.length} replies for ${turnsTotal} turns`);
  if (new Set(sends).size !== turnsTotal || sends.length !== turnsTotal) throw new Error(`master_log has ${sends.length} sends for ${turnsTotal} turns`);
  if (run.stats.tests.length !== testsTotal) throw new Error(`runstats has ${run.stats.tests.length} of ${testsTotal} tests`);
  if (run.master.filter((m) => m.type === 1).length !== testsTotal || run.master.filter((m) => m.type === 2).length !== testsTotal) {
    throw new Error('master_log BEGIN/END do not bracket every test once');
  }
  return { turnsTotal, testsTotal };
}

/** Every metric data point name in metrics.jsonl. */
export function metricNames(dir: string): Set<string> {
  const text = readFileSync(join(dir, 'metrics.jsonl'), 'utf8');
  return new Set([...text.matchAll(/"name":"([^"]+)"/g)].map((m) => m[1]!));
}

export interface SpanLite {
  name: string;
  events?: Array<{ name: string; attributes?: Array<{ key: string; value: Record<string, unknown> }> }>;
}

export function spansOf(dir: string): SpanLite[] {
  const lines = readJsonl<{ resourceSpans: { scopeSpans: { spans: SpanLite[] }[] }[] }>(join(dir, 'spans.jsonl'));
  return lines.flatMap((l) => l.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
}

/** A real OTLP/HTTP receiver that accepts everything and keeps each request (headers and body). */
export function startCapturingCollector(): Promise<RecordingServer> {
  return startRecordingServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
}

export function lineCount(file: string): number {
  if (!existsSync(file)) return 0;
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).length;
}

/**
 * Starts `referee <args>`, sends `signal` once `count()` (lines on disk, say)
 * reaches `after`, and resolves once the process and everything that shares
 * its stderr (a match's children) are gone, with what they wrote there.
 */
export function runAndSignal(
  args: string[],
  count: string | (() => number),
  after: number,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; sentAt: number; stderr: string }> {
  const measure = typeof count === 'string' ? () => lineCount(count) : count;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let sentAt = -1;
    let exit: { code: number | null; sig: NodeJS.Signals | null } | undefined;
    const timer = setInterval(() => {
      if (sentAt >= 0 || exit) return;
      const n = measure();
      if (n >= after) {
        child.kill(signal);
        sentAt = n;
      }
    }, 5);
    child.on('error', reject);
    child.on('exit', (code, sig) => (exit = { code, sig }));
    child.on('close', () => {
      clearInterval(timer);
      if (sentAt < 0) reject(new Error(`ended on its own (code ${exit?.code}) before ${after}: ${stderr}`));
      else resolve({ code: exit?.code ?? null, signal: exit?.sig ?? null, sentAt, stderr });
    });
  });
}

/**
 * The `referee run` arguments of a small match in `dir` (without --runs-dir and --run-id): two chat
 * agents on the sim model, `a` on sim-1 and `b` on sim-mini-1, over `examples` Colours tests.
 */
export function smallMatchArgs(dir: string, examples = 1): string[] {
  const agent = (name: string, model: string): string => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, `name: ${name}\nkind: chat\nllm: { provider: sim, model: ${model}, max_tokens: 64 }\ncontext_size: 4096\n`);
    return file;
  };
  const dataset = join(dir, 'dataset.yaml');
  writeFileSync(dataset, `config: { run_name: m }\ndatasets:\n  args: { memory_span: 400, dataset_examples: ${examples}, seed: 5 }\n  datasets:\n    - { name: colours, args: { colour_changes: 3 } }\n`);
  return ['run', '--agent-config', agent('a', 'sim-1'), '--compare-with', agent('b', 'sim-mini-1'), '--dataset-config', dataset, '--quiet'];
}
