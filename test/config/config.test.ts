import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig, loadDatasetConfig, validateConfigFile } from '../../src/config/load.js';
import { parseOverride } from '../../src/config/overrides.js';
import { ConfigError } from '../../src/errors.js';
import { ROOT, tempDir } from '../helpers.js';

function write(name: string, text: string): string {
  const file = join(tempDir(), name);
  writeFileSync(file, text);
  return file;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('config loading', () => {
  it('loads the shipped configs with defaults filled in', () => {
    const agent = loadAgentConfig(join(ROOT, 'configs/agents/memory.yaml'));
    expect(agent.kind).toBe('memory');
    expect(agent.llm.provider).toBe('sim');
    expect(agent.timeouts.call_s).toBe(60);
    const ds = loadDatasetConfig(join(ROOT, 'configs/datasets/default.yaml'));
    expect(ds.datasets.datasets.map((d) => d.name)).toEqual(['colours', 'name_list', 'shopping']);
    expect(ds.datasets.args.memory_span).toBeGreaterThan(0);
  });

  it('names the file and the field path of a wrong type, on one line', () => {
    const file = write('a.yaml', 'name: x\nkind: chat\ncontext_size: "big"\n');
    const err = errorOf(() => loadAgentConfig(file));
    expect(err.message).toContain(file);
    expect(err.message).toContain('context_size');
    expect(err.message).not.toContain('\n');
    expect(err.exitCode).toBe(2);
  });

  it('rejects unknown keys, naming them', () => {
    const file = write('a.yaml', 'name: x\nkind: chat\nllm:\n  provider: sim\n  modle: y\n');
    const err = errorOf(() => loadAgentConfig(file));
    expect(err.message).toMatch(/llm: unknown key\(s\) "modle"/);
  });

  it('reports malformed YAML with its position', () => {
    const file = write('bad.yaml', 'name: x\nkind: [chat\n');
    const err = errorOf(() => loadAgentConfig(file));
    expect(err.message).toMatch(/bad\.yaml:\d+:\d+: invalid YAML/);
  });

  it('reports a missing file', () => {
    const err = errorOf(() => loadAgentConfig('/nonexistent/agent.yaml'));
    expect(err.code).toBe('CONFIG_NOT_FOUND');
    expect(err.message).toContain('/nonexistent/agent.yaml');
  });

  it('applies --overrides to the right file, type-checked', () => {
    const agentFile = join(ROOT, 'configs/agents/chat-small.yaml');
    const dsFile = join(ROOT, 'configs/datasets/default.yaml');
    const overrides = ['agent.context_size=8000', 'datasets.args.memory_span=900', 'dataset.datasets.args.seed=7', 'llm.temperature=0.5'].map(
      parseOverride,
    );
    expect(loadAgentConfig(agentFile, overrides).context_size).toBe(8000);
    expect(loadAgentConfig(agentFile, overrides).llm.temperature).toBe(0.5);
    const ds = loadDatasetConfig(dsFile, overrides);
    expect(ds.datasets.args.memory_span).toBe(900);
    expect(ds.datasets.args.seed).toBe(7);

    const bad = errorOf(() => loadAgentConfig(agentFile, [parseOverride('agent.context_size=lots')]));
    expect(bad.message).toContain('context_size');
    expect(bad.message).toContain('--overrides agent.context_size=lots');
    expect(() => parseOverride('no-equals-sign')).toThrow(/key\.path=value/);
    expect(() => parseOverride('agent.__proto__.x=1')).toThrow(/invalid key path/);
  });

  it('validate detects the kind of file', () => {
    expect(validateConfigFile(join(ROOT, 'configs/agents/openai.yaml'))).toBe('agent');
    expect(validateConfigFile(join(ROOT, 'configs/datasets/default.yaml'))).toBe('dataset');
    expect(validateConfigFile(join(ROOT, 'configs/suites/example.yaml'))).toBe('suite');
  });
});
