import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MatchResultSchema, type MatchResult } from '../../src/match/schemas.js';
import { CLI, ROOT, readJson, readJsonl, runCli, tempDir, type CliResult } from '../helpers.js';

const CHAT = 'configs/agents/chat-small.yaml';
const MEMORY = 'configs/agents/memory.yaml';

function runDirs(matchDir: string): string[] {
  return readdirSync(matchDir).filter((d) => existsSync(join(matchDir, d, 'run.json'))).map((d) => join(matchDir, d));
}

function byRole(matchDir: string): Record<string, string> {
  return Object.fromEntries(runDirs(matchDir).map((d) => [readJson<{ role: string }>(join(d, 'run.json')).role, d]));
}

function resourceRoles(runDir: string): string[] {
  const lines = readJsonl<{ resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] } }[] }>(join(runDir, 'spans.jsonl'));
  return [...new Set(lines.flatMap((l) => l.resourceSpans.flatMap((r) => r.resource.attributes.filter((a) => a.key === 'referee.role').map((a) => a.value.stringValue ?? ''))))];
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A small dataset, so runs against a deliberately slow or hanging endpoint stay short. */
function smallDataset(dir: string): string {
  const file = join(dir, 'small.yaml');
  writeFileSync(
    file,
    'config: { run_name: small, incompatibilities: [] }\ndatasets:\n  args: { memory_span: 150, dataset_examples: 1, seed: 3 }\n  datasets:\n    - name: colours\n      args: { colour_changes: 2 }\n',
  );
  return file;
}

describe('referee run --compare-with (match mode, the done-when command)', () => {
  let out: string;
  let result: CliResult;
  let matchDir: string;
  let match: MatchResult;

  beforeAll(async () => {
    out = tempDir();
    result = await runCli(['run', '--agent-config', CHAT, '--compare-with', MEMORY, '--output-dir', out, '--quiet']);
    matchDir = result.stdout.trim();
    match = MatchResultSchema.parse(readJson(join(matchDir, 'match.json')));
  });

  it('exits 0 and says who is ahead and whether it is significant', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/chat-small \(champion\) [\d.]+\/6 vs memory-agent \(challenger\) [\d.]+\/6/);
    expect(result.stderr).toMatch(/\[referee\] (no significant difference \(memory-agent ahead by|memory-agent better by)/);
    expect(match.comparison.leader).toBe('challenger');
    expect(match.comparison.n).toBe(6);
    expect(Object.keys(match.comparison.per_dataset).sort()).toEqual(['colours', 'name_list', 'shopping']);
    const html = readFileSync(join(matchDir, 'comparison_report.html'), 'utf8');
    expect(html).toContain(match.comparison.verdict.replace(/"/g, '&quot;'));
  });

  it('generates the dataset once and runs both agents on that same directory', () => {
    const roles = byRole(matchDir);
    expect(Object.keys(roles).sort()).toEqual(['challenger', 'champion']);
    const manifest = readJson<{ sha256: string }>(join(matchDir, 'dataset/manifest.json'));
    for (const dir of Object.values(roles)) {
      const meta = readJson<{ dataset: { dir: string; sha256: string }; status: string }>(join(dir, 'run.json'));
      expect(meta.dataset).toEqual({ dir: join(matchDir, 'dataset'), sha256: manifest.sha256 });
      expect(meta.status).toBe('finished');
      expect(existsSync(join(dir, 'dataset'))).toBe(false);
      expect(existsSync(join(dir, 'report.html'))).toBe(true);
    }
    expect(match.dataset_id).toBe(manifest.sha256);
    expect(match.champion.agent_name).toBe('chat-small');
    expect(match.challenger.agent_name).toBe('memory-agent');
  });

  it('gives each agent its own process and telemetry resource role', () => {
    const roles = byRole(matchDir);
    expect(resourceRoles(roles['champion']!)).toEqual(['champion']);
    expect(resourceRoles(roles['challenger']!)).toEqual(['challenger']);
    const pids = [...result.stderr.matchAll(/started \(pid (\d+)\)/g)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(2);
    expect(pids[0]).not.toBe(pids[1]);
  });

  it('records RunMetrics computed from the run directories', () => {
    const stats = readJson<{ score: number; turns: number; tokens_in: number }>(join(byRole(matchDir)['challenger']!, 'runstats.json'));
    expect(match.challenger.total_score).toBeCloseTo(stats.score, 3);
    expect(match.challenger.turns).toBe(stats.turns);
    expect(match.challenger.tokens_in).toBe(stats.tokens_in);
    expect(match.challenger.latency_p95_ms).toBeGreaterThanOrEqual(match.challenger.latency_p50_ms);
    expect(match.challenger.metadata_events).toBeGreaterThan(0);
    const history = readJsonl<{ run_type: string; match_id?: string }>(join(out, 'benchmark_history.jsonl'));
    expect(history).toContainEqual(expect.objectContaining({ run_type: 'match', match_id: match.match_id }));
  });
});

describe('referee compare', () => {
  let matchDir: string;
  let roles: Record<string, string>;

  beforeAll(async () => {
    // 18 tests over a span the small chat window cannot hold: a significant difference.
    const out = tempDir();
    const r = await runCli([
      'run', '--agent-config', CHAT, '--compare-with', MEMORY, '--parallel', '--quiet', '--output-dir', out, '--run-id', 'named-match',
      '--overrides', 'datasets.args.dataset_examples=6', '--overrides', 'datasets.args.memory_span=3000',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/memory-agent better by [\d.]+ points \(95% CI [\d.]+\.\.[\d.]+; paired permutation test p=/);
    matchDir = r.stdout.trim();
    // --run-id names the match directory.
    expect(matchDir).toBe(join(out, 'named-match'));
    roles = byRole(matchDir);
  });

  it('rebuilds the report and match.json for two finished runs', async () => {
    const dir = tempDir();
    const r = await runCli(['compare', roles['champion']!, roles['challenger']!, '--out', join(dir, 'c.html'), '--json', join(dir, 'm.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(join(dir, 'c.html'));
    const again = MatchResultSchema.parse(readJson(join(dir, 'm.json')));
    const original = MatchResultSchema.parse(readJson(join(matchDir, 'match.json')));
    expect(again.comparison.verdict).toBe(original.comparison.verdict);
    expect(readFileSync(join(dir, 'c.html'), 'utf8')).toContain('id="report-data"');
  });

  it('--baseline exits 3 on a significant regression and 0 on an improvement', async () => {
    const dir = tempDir();
    const regress = await runCli(['compare', '--baseline', roles['challenger']!, roles['champion']!, '--out', join(dir, 'r.html')]);
    expect(regress.code, regress.stderr).toBe(3);
    expect(regress.stderr).toMatch(/regression: chat-small-\S+ is significantly worse than the baseline memory-agent-/);
    const improve = await runCli(['compare', '--baseline', roles['champion']!, roles['challenger']!, '--out', join(dir, 'i.html')]);
    expect(improve.code, improve.stderr).toBe(0);
  });

  it('refuses runs on different datasets unless allowed', async () => {
    const other = await runCli(['run', '--agent-config', CHAT, '--quiet', '--output-dir', tempDir(), '--overrides', 'datasets.args.seed=5']);
    expect(other.code).toBe(0);
    const otherDir = other.stdout.trim();
    const dir = tempDir();
    const refused = await runCli(['compare', roles['challenger']!, otherDir, '--out', join(dir, 'x.html')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/dataset sha256 \w+ differs .*--allow-different-datasets/);
    expect(existsSync(join(dir, 'x.html'))).toBe(false);
    const allowed = await runCli(['compare', roles['challenger']!, otherDir, '--out', join(dir, 'x.html'), '--allow-different-datasets']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toMatch(/different datasets/);
  });

  it('says what is wrong with a directory that is not a run', async () => {
    const r = await runCli(['compare', roles['champion']!, tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no run\.json \(not a Referee run directory\)/);
  });
});

describe('match mode: a crashed or hung agent', () => {
  let hang: Server;
  let hangUrl: string;

  beforeAll(async () => {
    // An OpenAI-compatible endpoint that accepts every request and never answers.
    hang = createServer(() => {});
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    hangUrl = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => {
    hang.closeAllConnections();
    hang.close();
  });

  function hangingAgent(dir: string, callS: number): string {
    const file = join(dir, 'hang.yaml');
    writeFileSync(file, `name: hanging\nkind: chat\nllm: { provider: openai, base_url: "${hangUrl}", model: m }\ntimeouts: { call_s: ${callS} }\n`);
    return file;
  }

  it('reports a hanging endpoint as error turns and still compares; the all-failed side ends failed (issue 13: exit 4)', async () => {
    const dir = tempDir();
    const r = await runCli(['run', '--agent-config', CHAT, '--compare-with', hangingAgent(dir, 0.2), '--dataset-config', smallDataset(dir), '--output-dir', dir, '--quiet']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/challenger hanging \(pid \d+\) exited with code 4/);
    const match = MatchResultSchema.parse(readJson(join(r.stdout.trim(), 'match.json')));
    // issue 12: pre-filled filler makes no call, so only the calls fail.
    const calls = readJsonl<{ prefilled?: boolean }>(join(match.challenger.run_dir, 'turn_metrics.jsonl')).filter((t) => !t.prefilled);
    expect(calls.length).toBeGreaterThan(0);
    expect(match.challenger.errors).toBe(calls.length);
    expect(match.challenger.status).toBe('failed');
    expect(match.challenger.total_score).toBe(0);
    expect(match.champion.errors).toBe(0);
  });

  it('stops an agent process past --agent-timeout; the other run and the parent carry on', async () => {
    const dir = tempDir();
    const r = await runCli([
      'run', '--agent-config', hangingAgent(dir, 600), '--compare-with', CHAT, '--dataset-config', smallDataset(dir), '--output-dir', dir, '--quiet', '--agent-timeout', '10',
    ]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/champion hanging \(pid \d+\) did not finish within the agent time limit/);
    const match = MatchResultSchema.parse(readJson(join(r.stdout.trim(), 'match.json')));
    expect(match.champion.status).toBe('interrupted');
    expect(match.challenger.status).toBe('finished');
    expect(match.problems.join('\n')).toMatch(/did not finish within the agent time limit/);
    expect(readFileSync(join(r.stdout.trim(), 'comparison_report.html'), 'utf8')).toContain('id="report-data"');
  });

  it('reports a champion killed mid-run; the challenger still runs to the end', async () => {
    const dir = tempDir();
    const child = spawn(
      process.execPath,
      [CLI, 'run', '--agent-config', CHAT, '--compare-with', MEMORY, '--output-dir', dir, '--quiet', '--overrides', 'agent.sim.latency_ms=50'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Kill it once it has turns on disk, so there is a half-written run to report.
    const killed = waitFor(() => {
      const m = /champion chat-small started \(pid (\d+)\), run (\S+)/.exec(stderr);
      const dataset = /dataset \w+ \(\d+ tests\) in (\S+)\/dataset/.exec(stderr);
      if (!m || !dataset) return null;
      const turns = join(dataset[1]!, m[2]!, 'turn_metrics.jsonl');
      return existsSync(turns) && readFileSync(turns, 'utf8').length > 0 ? Number(m[1]) : null;
    }).then((pid) => {
      process.kill(pid, 'SIGKILL');
      return pid;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const pid = await killed;
    expect(code, stderr).toBe(1);
    expect(stderr).toContain(`champion chat-small (pid ${pid}) was killed by SIGKILL`);
    const matchDir = stdout.trim();
    const match = MatchResultSchema.parse(readJson(join(matchDir, 'match.json')));
    expect(match.challenger.status).toBe('finished');
    expect(match.challenger.tests).toBe(6);
    expect(match.champion.status).toBe('running');
    expect(match.problems.join('\n')).toMatch(/killed by SIGKILL/);
  });

  it('Ctrl-C in the parent stops both children and leaves what they did on disk', async () => {
    const dir = tempDir();
    // Its own process group, so the SIGINT goes to the parent alone (no terminal sends it to the children).
    const parent = spawn(
      process.execPath,
      [CLI, 'run', '--agent-config', CHAT, '--compare-with', MEMORY, '--parallel', '--output-dir', dir, '--quiet', '--overrides', 'agent.sim.latency_ms=50'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    let stderr = '';
    let stdout = '';
    parent.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const pids = new Promise<number[]>((resolve) => {
      parent.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const found = [...stderr.matchAll(/started \(pid (\d+)\)/g)].map((m) => Number(m[1]));
        if (found.length === 2) resolve(found);
      });
    });
    const children = await pids;
    const matchDir = await waitFor(() => {
      const m = /dataset \w+ \(\d+ tests\) in (\S+)\/dataset/.exec(stderr);
      const dirs = m ? runDirs(m[1]!) : [];
      return dirs.length === 2 && dirs.every((d) => existsSync(join(d, 'turn_metrics.jsonl'))) ? m![1]! : null;
    });
    process.kill(parent.pid!, 'SIGINT');
    const code = await new Promise<number | null>((resolve) => parent.on('close', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('interrupted: stopping both agents');
    for (const pid of children) expect(pidAlive(pid)).toBe(false);
    expect(stdout.trim()).toBe(matchDir);
    for (const d of runDirs(matchDir)) {
      expect(readJson<{ status: string }>(join(d, 'run.json')).status).toBe('interrupted');
      expect(existsSync(join(d, 'runstats.json'))).toBe(true);
    }
  });
});

async function waitFor<T>(probe: () => T | null, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = probe();
    if (v !== null) return v;
    if (Date.now() - started > timeoutMs) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('match mode in GoodAI isolated mode (-i)', () => {
  it('runs both sides isolated: recorded in each run.json, and no test begins before the one before it ends', async () => {
    const out = tempDir();
    const r = await runCli(['run', '--agent-config', CHAT, '--compare-with', MEMORY, '-i', '--output-dir', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const sides = Object.values(byRole(r.stdout.trim()));
    expect(sides).toHaveLength(2);
    for (const dir of sides) {
      const meta = readJson<{ dataset_config: { config: { isolated?: boolean } } }>(join(dir, 'run.json'));
      expect(meta.dataset_config.config.isolated).toBe(true);
      const events = readJsonl<{ type: number; test_id: string }>(join(dir, 'master_log.jsonl')).filter((e) => e.type === 1 || e.type === 2);
      const begins = events.filter((e) => e.type === 1);
      expect(begins.length).toBe(6);
      // Isolated: BEGIN a, END a, BEGIN b, END b, ... never two tests open at once.
      events.forEach((e, i) => expect(e.type, `${dir} event ${i}`).toBe(i % 2 === 0 ? 1 : 2));
      for (let i = 0; i < events.length; i += 2) expect(events[i + 1]?.test_id).toBe(events[i]!.test_id);
    }
  });
});
