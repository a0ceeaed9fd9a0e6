/**
 * issue 15: a misbehaving agent, as a real process (the Python example with
 * one injected fault, fixtures/faulty_agent.py): a crash mid-run (stdio:
 * restarted and given its conversation back; HTTP: retried, then an error
 * turn), a hang (timeout), garbage on stdout (an error naming the line); and
 * pre-filled turns reaching the agent as pre-filled, with no LLM call.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentFactory } from '../../../src/agents/factory.js';
import { startSimServer, type SimServer } from '../../../src/agents/sim/server.js';
import { AgentConfigSchema } from '../../../src/config/agent.js';
import { readJsonl, runCli, tempDir } from '../../helpers.js';
import { readRun, type RunFiles } from '../../reliability/helpers.js';
import { FAULTY_AGENT, memorySizes, nthMessage, PY_AGENT, SMALL_DATASET, startHttpAgent, startLlm, turnsOf } from './helpers.js';

const RETRIES = 'retries: { max_attempts: 2, base_ms: 10, max_ms: 20 }';
/** FAULT_AT: the agent's fifth `message` request (pre-filled filler is a `prefill`, not counted). */
const FAULT_AT = 5;

describe('protocol agents that fail', () => {
  let llm: SimServer;
  let dir: string;
  let dataset: string;
  beforeAll(async () => {
    llm = await startLlm();
    dir = tempDir('referee-proto-faults-');
    dataset = join(dir, 'dataset.yaml');
    writeFileSync(dataset, SMALL_DATASET);
  });
  afterAll(async () => {
    await llm?.close();
  });

  const faultEnv = (name: string, fault: string): Record<string, string> => ({
    LLM_BASE_URL: llm.url,
    FAULT: fault,
    FAULT_AT: String(FAULT_AT),
    FAULT_STATE: join(dir, `${name}.count`),
  });

  /** A run of the agent; `code` 5 where its faults leave tests unanswered (issue 22: not scored as answers). */
  async function run(name: string, agentYaml: string, env: NodeJS.ProcessEnv = {}, code = 0): Promise<RunFiles & { stderr: string }> {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, agentYaml);
    const r = await runCli(['run', '--agent-config', file, '--dataset-config', dataset, '--output-dir', join(dir, 'runs'), '--run-id', name, '--quiet'], { env });
    expect(r.code, r.stderr).toBe(code);
    return { ...readRun(join(dir, 'runs', name)), stderr: r.stderr };
  }

  function stdioYaml(name: string, fault: string, extra = RETRIES): string {
    const env = Object.entries(faultEnv(name, fault))
      .map(([k, v]) => `${k}: "${v}"`)
      .join(', ');
    return `name: ${name}\nkind: stdio\nstdio:\n  command: python3\n  args: [${FAULTY_AGENT}, --stdio]\n  env: { ${env} }\n${extra}\n`;
  }

  const replies = (run: RunFiles): string[] =>
    readJsonl<{ test_id: string; turn_id: number; agent: string }>(join(run.dir, 'transcripts.jsonl')).map((t) => `${t.test_id}/${t.turn_id}: ${t.agent}`);

  it('stdio agent that crashes at message 5: restarted, given its conversation back, the turn retried, the score unchanged', async () => {
    // The same agent without a fault, on the same model and dataset: what the crashed run must still answer.
    const baseline = await run('stdio-baseline', `name: stdio-baseline\nkind: stdio\nstdio:\n  command: python3\n  args: [${PY_AGENT}, --stdio]\n  env: { LLM_BASE_URL: "${llm.url}" }\n`);
    const r = await run('stdio-crash', stdioYaml('stdio-crash', 'crash'));
    expect(r.turns.length).toBe(r.stats.turns);
    expect(r.turns.every((t) => t.status === 'success')).toBe(true);
    const crashed = nthMessage(r, FAULT_AT);
    expect(crashed.attempts).toBe(2);
    expect(turnsOf(r).filter((t) => t !== crashed && t.attempts !== undefined)).toEqual([]);
    const retry = r.events.find((e) => e.type === 'retry') as { reason: string; error: string } | undefined;
    expect(retry?.reason).toBe('connection');
    expect(retry?.error).toMatch(/stdio agent .* exited with code 3; its stderr is in .*agent-stderr\.log/);
    // The restarted process got every earlier exchange replayed (pre-filled filler included): it answers as if it had never crashed.
    expect(memorySizes(r)).toEqual(memorySizes(baseline));
    expect(replies(r)).toEqual(replies(baseline));
    expect(r.stats.score).toBe(baseline.stats.score);
    expect(r.stats.tests).toEqual(baseline.stats.tests);
    expect(readFileSync(join(r.dir, 'agent-stderr.log'), 'utf8')).toContain('injecting crash at message 5');
  });

  it('HTTP agent that crashes at message 5: retried, then error turns (connection refused)', async () => {
    const server = await startHttpAgent('python3', [FAULTY_AGENT], faultEnv('http-crash', 'crash'));
    const r = await run('http-crash', `name: http-crash\nkind: http\nhttp: { url: "${server.url}" }\n${RETRIES}\n`, {}, 5);
    server.stop();
    const turns = turnsOf(r);
    const crashed = turns.indexOf(nthMessage(r, FAULT_AT));
    expect(turns.slice(0, crashed).every((t) => t.status === 'success')).toBe(true);
    // Every later turn is a call to a dead endpoint, pre-filled filler included: each retried once, then a connection error.
    const after = turns.slice(crashed);
    expect(after.some((t) => t.prefilled)).toBe(true);
    for (const t of after) {
      expect(t.status).toBe('error');
      expect(t.reason).toBe('connection');
      expect(t.attempts).toBe(2);
      expect(t.error).toMatch(t.prefilled ? /^prefill: .*ECONNREFUSED/ : /ECONNREFUSED/);
    }
    expect(r.stats.turns).toBe(turns.length);
    expect(r.stats.turns_failed).toBe(after.length);
  });

  it('stdio agent that hangs at message 5: that turn times out, the process is replaced, later turns answer', async () => {
    const r = await run('stdio-hang', stdioYaml('stdio-hang', 'hang', `timeouts: { call_s: 1.5 }\n${RETRIES}`));
    const hung = nthMessage(r, FAULT_AT);
    expect(hung.status).toBe('error');
    expect(hung.reason).toBe('timeout');
    expect(hung.error).toBe('no reply within 1500 ms');
    expect(r.turns.filter((t) => t !== hung).every((t) => t.status === 'success')).toBe(true);
    expect(r.stats.turns_failed).toBe(1);
  });

  it('HTTP agent that hangs at message 5: that turn times out, later turns answer', async () => {
    const server = await startHttpAgent('python3', [FAULTY_AGENT], faultEnv('http-hang', 'hang'));
    const r = await run('http-hang', `name: http-hang\nkind: http\nhttp: { url: "${server.url}" }\ntimeouts: { call_s: 1.5 }\n${RETRIES}\n`);
    server.stop();
    const hung = nthMessage(r, FAULT_AT);
    expect(hung.status).toBe('error');
    expect(hung.reason).toBe('timeout');
    expect(r.turns.filter((t) => t !== hung).every((t) => t.status === 'success')).toBe(true);
    expect(r.stats.turns_failed).toBe(1);
  });

  it('stdio agent that prints to stdout: a clear error naming the line, then a fresh process', async () => {
    const r = await run('stdio-garbage', stdioYaml('stdio-garbage', 'garbage', 'retries: { max_attempts: 1 }'));
    const bad = nthMessage(r, FAULT_AT);
    expect(bad.status).toBe('error');
    expect(bad.reason).toBe('malformed');
    expect(bad.error).toMatch(/stdio agent 'python3 .*faulty_agent\.py --stdio' wrote line \d+ of its stdout, which is not a protocol message \(logs belong on stderr\): debug: about to answer/);
    expect(r.turns.filter((t) => t !== bad).every((t) => t.status === 'success')).toBe(true);
    expect(r.stats.turns_failed).toBe(1);
  });

  it("the agent's whole process group is killed at the end: a helper it started does not outlive the run", async () => {
    const pidFile = join(dir, 'helper.pid');
    const r = await run(
      'group',
      `name: group\nkind: stdio\nstdio:\n  command: sh\n  args: ["-c", "sleep 300 & echo $! > ${pidFile}; exec python3 ${PY_AGENT} --stdio"]\n  env: { LLM_BASE_URL: "${llm.url}" }\n`,
    );
    expect(r.turns.every((t) => t.status === 'success')).toBe(true);
    const helper = Number(readFileSync(pidFile, 'utf8'));
    expect(helper).toBeGreaterThan(0);
    // Gone, or a zombie nobody reaps (a container's PID 1 may not): either way it no longer runs.
    const state = existsSync(`/proc/${helper}/stat`) ? readFileSync(`/proc/${helper}/stat`, 'utf8').split(') ')[1]?.[0] : 'gone';
    expect(['gone', 'Z', 'X']).toContain(state);
  });

  it('pre-filled turns reach the agent as pre-filled: into its memory, without an LLM call', async () => {
    let llmCalls = 0;
    const counted = await startSimServer({ host: '127.0.0.1', port: 0, intercept: () => void llmCalls++ });
    const config = AgentConfigSchema.parse({
      name: 'py',
      kind: 'stdio',
      stdio: { command: 'python3', args: [PY_AGENT, '--stdio', '--max-message-size', '900'], env: { LLM_BASE_URL: counted.url } },
    });
    const factory = await createAgentFactory(config);
    try {
      const agent = await factory.createSession({ sessionId: 'lane-0', stateDir: join(dir, 'prefill/state/lane-0') });
      expect(agent.maxMessageSize).toBe(900);
      await agent.prefill!('My favourite colour is teal.', 'Okay, noted.', { testId: 'filler', turnId: 0 });
      await agent.prefill!('The weather was mild today.', 'Noted.', { testId: 'filler', turnId: 1 });
      expect(llmCalls).toBe(0);
      const reply = await agent.reply('What is my favourite colour?', { testId: 'Colours/0', turnId: 2, signal: AbortSignal.timeout(10_000) });
      expect(llmCalls).toBe(1);
      expect(reply.text.toLowerCase()).toContain('teal');
      expect(reply.metadata).toMatchObject({ memory_size: 3 });
    } finally {
      await factory.close();
      await counted.close();
    }
  });

  it('a protocol config without its block, or naming an unset variable, is refused with exit 2 naming the field', async () => {
    const noBlock = join(dir, 'no-block.yaml');
    writeFileSync(noBlock, 'name: x\nkind: http\n');
    const v = await runCli(['validate', noBlock]);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain(noBlock);
    expect(v.stderr).toMatch(/http.*required when kind is 'http'/);
    // Referee's own LLM settings on a protocol agent would be silently ignored: refused instead.
    const withLlm = join(dir, 'with-llm.yaml');
    writeFileSync(withLlm, 'name: x\nkind: http\nhttp: { url: "http://127.0.0.1:9/" }\nllm: { model: gpt-4o }\n');
    const l = await runCli(['validate', withLlm]);
    expect(l.code).toBe(2);
    expect(l.stderr).toContain(`${withLlm}: llm: not used by kind 'http' (the agent brings its own LLM and memory); remove it`);
    const unset = join(dir, 'unset.yaml');
    writeFileSync(unset, `name: x\nkind: stdio\nstdio: { command: python3, args: [${PY_AGENT}, --stdio], env: { KEY: "\${PROTO_UNSET_VAR}" } }\n`);
    const r = await runCli(['run', '--agent-config', unset, '--dataset-config', dataset, '--output-dir', join(dir, 'runs'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('environment variable PROTO_UNSET_VAR (used in stdio.env.KEY) is not set or empty');
  });
});
