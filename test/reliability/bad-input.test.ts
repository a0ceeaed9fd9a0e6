/**
 * Issue 4's bad input table: each case is one line on stderr naming the file
 * and the field, exit code 2, and nothing written that a later run or
 * `--resume` would trip on.
 */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { deadPort, runCli, tempDir } from '../helpers.js';
import { agentYaml, SMALL_DATASET, walk, writeFiles } from './helpers.js';

/** A well-formed sha256 that no generated dataset has (YAML would read all digits as a number). */
const PIN = 'ab'.repeat(32);

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(walk(dir).map((f) => [f, readFileSync(f, 'utf8')]));
}

function expectOneLine(stderr: string, ...parts: Array<string | RegExp>): void {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  for (const p of parts) {
    if (typeof p === 'string') expect(lines[0]).toContain(p);
    else expect(lines[0]).toMatch(p);
  }
}

describe('bad configs and flags: one line, exit 2, no output directory', () => {
  const cases: Array<{ name: string; agent?: string; dataset?: string; args?: (f: Record<string, string>, dir: string) => string[]; expect: (f: Record<string, string>) => Array<string | RegExp> }> = [
    {
      name: 'malformed YAML',
      agent: 'name: x\nkind: [chat\n',
      expect: (f) => [`${f['agent.yaml']}:`, 'invalid YAML'],
    },
    {
      name: 'unknown key',
      agent: agentYaml('retry: { max_attempts: 3 }\n'),
      expect: (f) => [`${f['agent.yaml']}: (root): unknown key(s) "retry"`],
    },
    {
      name: 'wrong type',
      agent: agentYaml('timeouts: { call_s: soon }\n'),
      expect: (f) => [`${f['agent.yaml']}: timeouts.call_s:`, /expected number/],
    },
    {
      name: 'a fault with two selectors',
      agent: agentYaml('sim:\n  faults:\n    - { kind: hang, at: [1], every: 2 }\n'),
      expect: (f) => [`${f['agent.yaml']}: sim.faults.0.at: give exactly one of at, every or rate`],
    },
    {
      name: 'wrong type in the dataset file',
      dataset: SMALL_DATASET.replace('memory_span: 400', 'memory_span: long'),
      expect: (f) => [`${f['dataset.yaml']}: datasets.args.memory_span:`],
    },
    {
      name: '--overrides without =',
      args: () => ['--overrides', 'retries.max_attempts'],
      expect: () => ['--overrides retries.max_attempts: expected key.path=value'],
    },
    {
      name: '--overrides with a value of the wrong type',
      args: () => ['--overrides', 'agent.retries.max_attempts=0'],
      expect: (f) => [`${f['agent.yaml']}: retries.max_attempts:`, '[after --overrides agent.retries.max_attempts=0]'],
    },
    {
      name: 'missing agent file',
      args: (f) => {
        rmSync(f['agent.yaml']!);
        return [];
      },
      expect: (f) => [`${f['agent.yaml']}: cannot read (ENOENT)`],
    },
    {
      name: 'a pinned dataset sha256 that does not match',
      dataset: SMALL_DATASET.replace('run_name: reliability', `run_name: reliability\n  sha256: ${PIN}`),
      expect: () => [`differs from the pinned config.sha256 ${PIN}`, '--allow-dataset-mismatch'],
    },
    {
      name: '--resume with --agent-config',
      args: (f, dir) => ['--resume', dir, '--agent-config', f['agent.yaml']!],
      expect: () => ['command line: --agent-config: not allowed with --resume'],
    },
  ];

  it.each(cases)('$name', async (c) => {
    const dir = tempDir('referee-bad-');
    const files = writeFiles(dir, { 'agent.yaml': c.agent ?? agentYaml(), 'dataset.yaml': c.dataset ?? SMALL_DATASET });
    const out = join(dir, 'runs');
    const base = ['--agent-config', files['agent.yaml']!, '--dataset-config', files['dataset.yaml']!, '--output-dir', out];
    const extra = c.args?.(files, dir) ?? [];
    // Later flags win for single-valued options (yargs), so a case can replace --agent-config.
    const args = extra.includes('--resume') ? ['run', ...extra] : ['run', ...base, ...extra];
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(2);
    expectOneLine(r.stderr, ...c.expect(files));
    // No run directory a later --resume could mistake for a run.
    expect(existsSync(out) ? walk(out) : []).toEqual([]);
  });

  it('--allow-dataset-mismatch runs a dataset that differs from its pin, and records the real sha256', async () => {
    const dir = tempDir('referee-bad-');
    const files = writeFiles(dir, { 'agent.yaml': agentYaml(), 'dataset.yaml': SMALL_DATASET.replace('run_name: reliability', `run_name: reliability\n  sha256: ${PIN}`) });
    const r = await runCli(['run', '--agent-config', files['agent.yaml']!, '--dataset-config', files['dataset.yaml']!, '--output-dir', join(dir, 'runs'), '--run-id', 'x', '--allow-dataset-mismatch', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const meta = JSON.parse(readFileSync(join(dir, 'runs/x/run.json'), 'utf8')) as { dataset: { sha256: string } };
    expect(meta.dataset.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.dataset.sha256).not.toBe(PIN);
  });

  it('a --run-id whose directory already holds a run: refused, the first run untouched', async () => {
    const dir = tempDir('referee-bad-');
    const files = writeFiles(dir, { 'agent.yaml': agentYaml(), 'dataset.yaml': SMALL_DATASET });
    const args = ['run', '--agent-config', files['agent.yaml']!, '--dataset-config', files['dataset.yaml']!, '--output-dir', join(dir, 'runs'), '--run-id', 'same', '--quiet'];
    expect((await runCli(args)).code).toBe(0);
    const before = readFileSync(join(dir, 'runs/same/turn_metrics.jsonl'), 'utf8');
    const again = await runCli(args);
    expect(again.code).toBe(2);
    expectOneLine(again.stderr, join(dir, 'runs/same'), 'already holds a run', '--resume');
    expect(readFileSync(join(dir, 'runs/same/turn_metrics.jsonl'), 'utf8')).toBe(before);
    const tasks = writeFiles(dir, { 't.jsonl': '{"id": 1, "prompt": "What is 2 + 2?", "expected": 4, "evaluator": "numeric"}\n' });
    const taskArgs = ['run', '--tasks', tasks['t.jsonl']!, '--agent-config', files['agent.yaml']!, '--output-dir', join(dir, 'runs'), '--run-id', 'same-tasks', '--quiet'];
    expect((await runCli(taskArgs)).code).toBe(0);
    const taskAgain = await runCli(taskArgs);
    expect(taskAgain.code).toBe(2);
    expectOneLine(taskAgain.stderr, join(dir, 'runs/same-tasks'), 'already holds a run');
  });

  it('an HTTP agent that is not up: its URL and errno in one line, exit 2, no run directory (LTM and task runs)', async () => {
    const dir = tempDir('referee-bad-');
    const url = `http://127.0.0.1:${await deadPort()}/`;
    const files = writeFiles(dir, { 'agent.yaml': `name: down\nkind: http\nhttp: { url: "${url}" }\n`, 'dataset.yaml': SMALL_DATASET, 't.jsonl': '{"id": 1, "prompt": "What is 2 + 2?", "expected": 4, "evaluator": "numeric"}\n' });
    const out = join(dir, 'runs');
    for (const input of [['--dataset-config', files['dataset.yaml']!], ['--tasks', files['t.jsonl']!]]) {
      const r = await runCli(['run', '--agent-config', files['agent.yaml']!, ...input, '--output-dir', out, '--quiet']);
      expect(r.code, r.stderr).toBe(2);
      expectOneLine(r.stderr, `${url} is unreachable (ECONNREFUSED)`);
      expect(existsSync(out) ? walk(out) : []).toEqual([]);
    }
  });

  it("a model server that is not up, the agent's or the judge's: its URL and errno in one line, exit 2, no run directory", async () => {
    const dir = tempDir('referee-bad-');
    const base = `http://127.0.0.1:${await deadPort()}/v1`;
    const files = writeFiles(dir, {
      'down.yaml': `name: down\nkind: chat\nllm: { provider: openai, base_url: "${base}", model: m }\n`,
      'agent.yaml': agentYaml(),
      'judge.yaml': `name: judge-down\nkind: chat\nllm: { provider: openai, base_url: "${base}", model: m }\n`,
      'dataset.yaml': SMALL_DATASET,
      't.jsonl': '{"id": 1, "prompt": "What is 2 + 2?", "expected": 4, "evaluator": "numeric"}\n',
    });
    const out = join(dir, 'runs');
    const cases = [
      ['--agent-config', files['down.yaml']!, '--dataset-config', files['dataset.yaml']!],
      ['--agent-config', files['down.yaml']!, '--tasks', files['t.jsonl']!],
      ['--agent-config', files['agent.yaml']!, '--dataset-config', files['dataset.yaml']!, '--judge-config', files['judge.yaml']!],
      // A match: checked in the parent before either side starts, so no side runs the benchmark alone.
      ['--agent-config', files['agent.yaml']!, '--compare-with', files['down.yaml']!, '--dataset-config', files['dataset.yaml']!],
    ];
    for (const args of cases) {
      const r = await runCli(['run', ...args, '--output-dir', out, '--quiet']);
      expect(r.code, r.stderr).toBe(2);
      expectOneLine(r.stderr, `llm.base_url ${base} is unreachable (ECONNREFUSED)`);
      expect(existsSync(out) ? walk(out) : []).toEqual([]);
    }
  });

  it('an output directory that cannot be created', async () => {
    const dir = tempDir('referee-bad-');
    const files = writeFiles(dir, { 'agent.yaml': agentYaml(), 'dataset.yaml': SMALL_DATASET, 'not-a-dir': 'x' });
    const r = await runCli(['run', '--agent-config', files['agent.yaml']!, '--dataset-config', files['dataset.yaml']!, '--output-dir', files['not-a-dir']!]);
    expect(r.code, r.stderr).toBe(2);
    expectOneLine(r.stderr, `${files['not-a-dir']}/`, 'cannot create run directory');
    expect(readFileSync(files['not-a-dir']!, 'utf8')).toBe('x');
  });
});

describe('a corrupt run directory on --resume: one line, exit 2, the directory untouched', () => {
  let base: string;
  beforeAll(async () => {
    const dir = tempDir('referee-bad-resume-');
    const files = writeFiles(dir, { 'agent.yaml': agentYaml(), 'dataset.yaml': SMALL_DATASET });
    const r = await runCli(['run', '--agent-config', files['agent.yaml']!, '--dataset-config', files['dataset.yaml']!, '--output-dir', join(dir, 'runs'), '--run-id', 'base', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    base = join(dir, 'runs/base');
    // As a Ctrl-C leaves it: resumable.
    const meta = JSON.parse(readFileSync(join(base, 'run.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(base, 'run.json'), JSON.stringify({ ...meta, status: 'interrupted' }));
  });

  const cases: Array<{ name: string; corrupt: (dir: string) => void; expect: (dir: string) => Array<string | RegExp> }> = [
    { name: 'no such directory', corrupt: () => {}, expect: (d) => [`${d}-missing: not a run directory`] },
    {
      name: 'run.json missing',
      corrupt: (d) => rmSync(join(d, 'run.json')),
      expect: (d) => [`${join(d, 'run.json')}: missing`],
    },
    { name: 'run.json not JSON', corrupt: (d) => writeFileSync(join(d, 'run.json'), '{"run_id": '), expect: (d) => [`${join(d, 'run.json')}: not valid JSON`] },
    {
      name: 'run.json without a field',
      corrupt: (d) => edit(join(d, 'run.json'), (m) => delete m['seed']),
      expect: (d) => [`${join(d, 'run.json')}: seed:`],
    },
    {
      name: 'an agent config in run.json that no longer validates',
      corrupt: (d) => edit(join(d, 'run.json'), (m) => ((m['agent_config'] as Record<string, unknown>)['context_size'] = 'big')),
      expect: (d) => [`${join(d, 'run.json')} agent_config: context_size:`],
    },
    {
      name: 'a header whose literal value was not recorded',
      corrupt: (d) =>
        edit(join(d, 'run.json'), (m) => (((m['agent_config'] as Record<string, Record<string, unknown>>)['llm']!['headers'] = { 'X-Key': '[redacted]' }))),
      expect: (d) => [`${join(d, 'run.json')}: agent_config.llm.headers.X-Key:`, '${ENV_VAR}'],
    },
    {
      name: 'a corrupt line in the middle of turn_metrics.jsonl',
      corrupt: (d) => {
        const f = join(d, 'turn_metrics.jsonl');
        const lines = readFileSync(f, 'utf8').split('\n');
        lines[2] = '{"oops';
        writeFileSync(f, lines.join('\n'));
      },
      expect: (d) => [`${join(d, 'turn_metrics.jsonl')}:3: corrupt JSONL line`],
    },
    {
      name: 'a turn_metrics record of the wrong shape',
      corrupt: (d) => {
        const f = join(d, 'turn_metrics.jsonl');
        const lines = readFileSync(f, 'utf8').split('\n');
        lines[1] = JSON.stringify({ ...JSON.parse(lines[1]!), status: 'maybe' });
        writeFileSync(f, lines.join('\n'));
      },
      expect: (d) => [`${join(d, 'turn_metrics.jsonl')}:2: status:`],
    },
    {
      name: 'a turn that is not in the schedule',
      corrupt: (d) => {
        const f = join(d, 'turn_metrics.jsonl');
        const lines = readFileSync(f, 'utf8').split('\n');
        lines[1] = JSON.stringify({ ...JSON.parse(lines[1]!), turn_id: 999 });
        writeFileSync(f, lines.join('\n'));
      },
      expect: (d) => [`${join(d, 'turn_metrics.jsonl')}:2: turn_id 999`, 'not in the schedule'],
    },
    {
      name: 'a dataset file changed since the run started',
      corrupt: (d) => {
        const defs = walk(join(d, 'dataset/definitions'));
        writeFileSync(defs[0]!, readFileSync(defs[0]!, 'utf8').replace('"', '"x'));
      },
      expect: (d) => [`${join(d, 'dataset')}: cannot resume on this dataset`],
    },
  ];

  it.each(cases)('$name', async (c) => {
    const dir = join(tempDir('referee-bad-resume-'), 'base');
    cpSync(base, dir, { recursive: true });
    c.corrupt(dir);
    const before = snapshot(dir);
    const target = c.name === 'no such directory' ? `${dir}-missing` : dir;
    const r = await runCli(['run', '--resume', target]);
    expect(r.code, r.stderr).toBe(2);
    expectOneLine(r.stderr, ...c.expect(dir));
    expect(snapshot(dir)).toEqual(before);
  });

  it('the uncorrupted copy resumes (the cases above fail for their corruption alone)', async () => {
    const dir = join(tempDir('referee-bad-resume-'), 'base');
    cpSync(base, dir, { recursive: true });
    const r = await runCli(['run', '--resume', dir, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
  });
});

function edit(file: string, fn: (m: Record<string, unknown>) => unknown): void {
  const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  fn(m);
  writeFileSync(file, JSON.stringify(m));
}
