import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../src/errors.js';
import { loadSuite, loadTaskFile } from '../../src/tasks/load.js';
import { ROOT, runCli, tempDir } from '../helpers.js';

function write(name: string, text: string): string {
  const file = join(tempDir('referee-tasks-'), name);
  writeFileSync(file, text);
  return file;
}

describe('task files', () => {
  it('reads JSONL with prompts, message lists and evaluator objects', () => {
    const file = write(
      'qa.jsonl',
      [
        '{"id": 1, "prompt": "What is 2 + 2?", "expected": 4, "evaluator": "numeric"}',
        '',
        '{"id": "m", "messages": [{"role": "user", "content": "hi"}], "expected": "hello", "evaluator": {"type": "numeric", "tolerance": 0.5}, "meta": {"k": 1}}',
      ].join('\n'),
    );
    const d = loadTaskFile(file);
    expect(d.name).toBe('qa');
    expect(d.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(d.tasks.map((t) => t.id)).toEqual(['1', 'm']);
    expect(d.tasks[0]!.evaluator).toEqual({ type: 'numeric' });
    expect(d.tasks[1]!.evaluator).toEqual({ type: 'numeric', tolerance: 0.5 });
  });

  it('reads CSV with quoted commas, quotes and newlines', () => {
    const file = write('c.csv', 'id,prompt,expected,evaluator\n' + 'a,"Say ""hi"", please",hi,contains\n' + 'b,"two\nlines","[""x"",""y""]",\n');
    const d = loadTaskFile(file);
    expect(d.tasks).toHaveLength(2);
    expect(d.tasks[0]).toMatchObject({ id: 'a', prompt: 'Say "hi", please', expected: 'hi', evaluator: { type: 'contains' } });
    expect(d.tasks[1]).toMatchObject({ id: 'b', prompt: 'two\nlines', expected: ['x', 'y'] });
    expect(d.tasks[1]!.evaluator).toBeUndefined();
  });

  it('names the file, the line and the field of bad input', () => {
    const cases: [string, string, RegExp][] = [
      ['a.jsonl', '{"id": "a", "prompt": "p", "expected": 1}\n{"id": "b", "expected": 1}', /a\.jsonl:2: prompt: give exactly one of "prompt" and "messages"/],
      ['b.jsonl', '{"id": "a", "prompt": "p"}', /b\.jsonl:1: expected: is required/],
      ['c.jsonl', '{"id": "a", "prompt": "p", "expected": 1, "evaluator": "fuzzy"}', /c\.jsonl:1: evaluator/],
      ['d.jsonl', '{"id": "a", "prompt": "p", "expected": 1}\n{"id": "a", "prompt": "q", "expected": 2}', /d\.jsonl:2: id: "a" repeats the task of line 1/],
      ['e.jsonl', '{"id": "a", "prompt": "p", "expected": 1, "colour": 3}', /e\.jsonl:1: \(root\): unknown key\(s\) "colour"/],
      ['f.jsonl', '{"id": "a", "prompt": ', /f\.jsonl:1: invalid JSON/],
      ['g.jsonl', '{"id": "a", "messages": [{"role": "assistant", "content": "x"}], "expected": 1}', /g\.jsonl:1: messages: the last message must have role "user"/],
      ['h.csv', 'id,question\n1,x', /h\.csv:1: unknown column "question"/],
    ];
    for (const [name, text, message] of cases) {
      const file = write(name, text);
      expect(() => loadTaskFile(file), name).toThrow(DatasetError);
      expect(() => loadTaskFile(file), name).toThrow(message);
    }
  });

  it('loads the example suite with its datasets and agents', () => {
    const s = loadSuite(join(ROOT, 'configs/suites/example.yaml'));
    expect(s.datasets.map((d) => d.name)).toEqual(['basics', 'code']);
    expect(s.agents.map((a) => a.config.name)).toEqual(['sim-think', 'sim-mini']);
    expect(s.suite.defaults.attempts).toBe(2);
  });

  it('stops the CLI with one line and exit code 2 on a bad task file or suite', async () => {
    const bad = write('bad.jsonl', '{"id": "a", "prompt": "p"}\n');
    const r = await runCli(['run', '--tasks', bad, '--agent-config', join(ROOT, 'configs/agents/sim-mini.yaml'), '--output-dir', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bad\.jsonl:1: expected: is required/);
    const suite = write('s.yaml', 'datasets: []\nagents: [a.yaml]\n');
    const s = await runCli(['run', '--suite', suite, '--output-dir', tempDir()]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/s\.yaml: datasets: at least one dataset is required/);
  });
});
