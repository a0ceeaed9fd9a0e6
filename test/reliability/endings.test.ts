/**
 * Issue 13: honest endings and one writer per run directory.
 * - A run in which every turn failed (a dead endpoint) ends `failed`, exit 4, out of the history.
 * - `--max-failed-turns` sets the share of failed turns a run may have.
 * - `--resume D` while D's own process runs is refused (exit 2); a dead holder's lock is taken over.
 * - A set-up failure names its file and leaves no run directory behind; an ftp:// base_url is refused.
 */
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, readJson, readJsonl, runCli, tempDir } from '../helpers.js';
import { agentYaml, lineCount, readRun, SMALL_DATASET, writeFiles, type TurnRecord } from './helpers.js';

function historyIn(out: string): Array<Record<string, unknown>> {
  const file = join(out, 'benchmark_history.jsonl');
  return existsSync(file) ? readJsonl(file) : [];
}

describe('honest endings', () => {
  it('every turn failed (a server that drops every call): exit 4, run.json failed, not in benchmark_history.jsonl', async () => {
    const dir = tempDir('referee-endings-');
    // Up at the set-up (a server that is not up fails it, exit 2: bad-input.test.ts), then every call is dropped.
    const files = writeFiles(dir, {
      'dead.yaml': `name: dead\nkind: chat\nllm: { provider: sim, model: m }\nsim: { faults: [{ kind: reset, every: 1 }] }\nretries: { max_attempts: 1 }\n`,
      'dataset.yaml': SMALL_DATASET,
    });
    const out = join(dir, 'runs');
    const r = await runCli(['run', '--agent-config', files['dead.yaml']!, '--dataset-config', files['dataset.yaml']!, '--output-dir', out, '--run-id', 'dead', '--quiet']);
    expect(r.code, r.stderr).toBe(4);
    const run = readRun(join(out, 'dead'));
    expect(run.meta['status']).toBe('failed');
    // issue 12: pre-filled filler makes no call, so only the calls could fail, and every one did.
    const calls = readJsonl<TurnRecord & { prefilled?: boolean }>(join(out, 'dead', 'turn_metrics.jsonl')).filter((t) => !t.prefilled);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((t) => t.status === 'error')).toBe(true);
    expect(run.stats.turns_failed).toBe(calls.length);
    expect(historyIn(out)).toEqual([]);
  });

  it('--max-failed-turns: a run with 30% failed calls passes the default, fails at 0.1', async () => {
    const dir = tempDir('referee-endings-');
    const faults = `retries: { max_attempts: 1 }\nsim: { faults: [{ kind: status, status: 500, rate: 0.3, seed: 7 }] }\n`;
    const files = writeFiles(dir, { 'agent.yaml': agentYaml(faults), 'dataset.yaml': SMALL_DATASET });
    const out = join(dir, 'runs');
    const common = ['run', '--agent-config', files['agent.yaml']!, '--dataset-config', files['dataset.yaml']!, '--output-dir', out, '--quiet'];
    const lenient = await runCli([...common, '--run-id', 'lenient']);
    expect(lenient.code, lenient.stderr).toBe(0);
    const stats = readRun(join(out, 'lenient')).stats;
    // The share is of the calls: a pre-filled filler turn (issue 12) makes none.
    const calls = readJsonl<TurnRecord & { prefilled?: boolean }>(join(out, 'lenient', 'turn_metrics.jsonl')).filter((t) => !t.prefilled);
    const share = stats.turns_failed / calls.length;
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(1);

    const strict = await runCli([...common, '--run-id', 'strict', '--max-failed-turns', '0.1']);
    expect(strict.code, strict.stderr).toBe(4);
    expect(readRun(join(out, 'strict')).meta['status']).toBe('failed');
    expect(historyIn(out).map((h) => [h['run_id'], h['status']])).toEqual([['lenient', 'finished']]);
  });

  it('an agent set-up failure names the agent file and leaves no run directory', async () => {
    const dir = tempDir('referee-endings-');
    const files = writeFiles(dir, {
      'keyless.yaml': 'name: keyless\nkind: chat\nllm: { provider: openai, base_url: "http://127.0.0.1:9/v1", model: m, api_key_env: REFEREE_TEST_UNSET_KEY }\n',
      'dataset.yaml': SMALL_DATASET,
    });
    const out = join(dir, 'runs');
    const r = await runCli(['run', '--agent-config', files['keyless.yaml']!, '--dataset-config', files['dataset.yaml']!, '--output-dir', out, '--quiet'], {
      env: { REFEREE_TEST_UNSET_KEY: '' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${files['keyless.yaml']}: environment variable REFEREE_TEST_UNSET_KEY`);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('an ftp:// base_url is refused by validation, naming file and field', async () => {
    const dir = tempDir('referee-endings-');
    const files = writeFiles(dir, { 'ftp.yaml': 'name: ftp\nkind: chat\nllm: { provider: openai, base_url: "ftp://127.0.0.1/v1", model: m }\n' });
    const r = await runCli(['run', '--agent-config', files['ftp.yaml']!, '--output-dir', join(dir, 'runs'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(files['ftp.yaml']);
    expect(r.stderr).toContain('llm.base_url');
    expect(r.stderr).toContain('http');
  });
});

describe('a write error mid-run', () => {
  it('fails the run once: no span is ended twice', async () => {
    const dir = tempDir('referee-endings-');
    const out = join(dir, 'runs');
    // A file where the results folder goes: the first test's result cannot be written.
    mkdirSync(join(out, 'x'), { recursive: true });
    writeFileSync(join(out, 'x', 'results'), '');
    const r = await runCli(['run', '--output-dir', out, '--run-id', 'x', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ENOTDIR');
    expect(r.stderr).not.toMatch(/ended Span|call end\(\) on a span once/);
    expect(readJson(join(out, 'x', 'run.json'))['status']).toBe('failed');
    expect(historyIn(out)).toEqual([]);
  });
});

describe('run directory lock', () => {
  it('--resume of a run whose process is alive is refused (exit 2); the run finishes with every turn once', async () => {
    const dir = tempDir('referee-lock-');
    const files = writeFiles(dir, { 'agent.yaml': agentYaml('sim: { ttft_ms: 40 }\n') });
    const out = join(dir, 'runs');
    const runDir = join(out, 'live');
    const child = spawn(process.execPath, [CLI, 'run', '--agent-config', files['agent.yaml']!, '--output-dir', out, '--run-id', 'live', '--quiet'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    while (lineCount(join(runDir, 'turn_metrics.jsonl')) < 5) await new Promise((r) => setTimeout(r, 20));
    const lock = readJson<{ pid: number }>(join(runDir, 'run.lock'));
    expect(lock.pid).toBe(child.pid);

    // Stopped (alive, holding its lock) while the second writer tries: however loaded the machine,
    // the run cannot finish before the resume has been answered.
    child.kill('SIGSTOP');
    let second;
    try {
      second = await runCli(['run', '--resume', runDir, '--quiet']);
    } finally {
      child.kill('SIGCONT');
    }
    expect(second.code).toBe(2);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toContain(`in use by process ${child.pid}`);

    expect(await exited).toBe(0);
    const ids = readJsonl<TurnRecord>(join(runDir, 'turn_metrics.jsonl')).map((t) => t.turn_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(existsSync(join(runDir, 'run.lock'))).toBe(false);
  }, 60_000);

  it("a dead process's lock is stale: --resume takes it over", async () => {
    const dir = tempDir('referee-lock-');
    const out = join(dir, 'runs');
    const r = await runCli(['run', '--output-dir', out, '--run-id', 'stale', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const runDir = join(out, 'stale');
    // Reopen the finished run as if killed mid-way, with the lock a dead process left.
    const meta = readJson(join(runDir, 'run.json'));
    writeFileSync(join(runDir, 'run.json'), JSON.stringify({ ...meta, status: 'running' }));
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((res) => dead.on('exit', res));
    writeFileSync(join(runDir, 'run.lock'), JSON.stringify({ pid: dead.pid, host: hostname(), started_at: 'earlier' }));
    const resumed = await runCli(['run', '--resume', runDir, '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readJson(join(runDir, 'run.json'))['status']).toBe('finished');
    expect(existsSync(join(runDir, 'run.lock'))).toBe(false);
  }, 60_000);
});
