import { ConfigError } from '../errors.js';
import { REDACTED } from '../events/secrets.js';

export type ConfigTarget = 'agent' | 'dataset';

export interface Override {
  target: ConfigTarget;
  /** Path inside the target config, e.g. `['datasets', 'args', 'memory_span']`. */
  path: string[];
  value: unknown;
  /** As the user wrote it, for error messages. */
  raw: string;
}

const DATASET_ROOTS = new Set(['datasets', 'config']);

/**
 * Parses `a.b=c`. A leading `agent.` or `dataset.` picks the file; otherwise
 * GoodAI's dataset roots (`datasets.`, `config.`) mean the dataset file and
 * anything else the agent file. Values are YAML-ish scalars: numbers,
 * booleans, null, JSON arrays/objects, else strings; the schema type-checks them.
 */
export function parseOverride(raw: string): Override {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new ConfigError('OVERRIDE_INVALID', `--overrides ${raw}: expected key.path=value`);
  const key = raw.slice(0, eq).trim();
  const valueText = raw.slice(eq + 1);
  const parts = key.split('.');
  if (parts.some((p) => p === '' || p === '__proto__' || p === 'constructor' || p === 'prototype')) {
    throw new ConfigError('OVERRIDE_INVALID', `--overrides ${raw}: invalid key path "${key}"`);
  }
  let target: ConfigTarget;
  if (parts[0] === 'agent' || parts[0] === 'dataset') {
    target = parts[0];
    parts.shift();
  } else {
    target = DATASET_ROOTS.has(parts[0] ?? '') ? 'dataset' : 'agent';
  }
  if (parts.length === 0) throw new ConfigError('OVERRIDE_INVALID', `--overrides ${raw}: missing field after "${target}."`);
  return { target, path: parts, value: parseScalar(valueText), raw };
}

function parseScalar(text: string): unknown {
  const t = text.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  if (t !== '' && /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(t);
  if ((t.startsWith('[') && t.endsWith(']')) || (t.startsWith('{') && t.endsWith('}'))) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** Returns a deep copy of `doc` with the override applied; arrays are indexed by number. */
export function applyOverride(doc: unknown, override: Override): unknown {
  const root: unknown = structuredClone(doc ?? {});
  let node = root as Record<string, unknown>;
  override.path.forEach((segment, i) => {
    const last = i === override.path.length - 1;
    if (last) {
      node[segment] = override.value;
      return;
    }
    const next = node[segment];
    if (next === undefined || next === null) {
      node[segment] = {};
    } else if (typeof next !== 'object') {
      throw new ConfigError(
        'OVERRIDE_INVALID',
        `--overrides ${override.raw}: "${override.path.slice(0, i + 1).join('.')}" is a ${typeof next}, not an object`,
      );
    }
    node = node[segment] as Record<string, unknown>;
  });
  return root;
}

/**
 * `--overrides` read back from the plan a match or an LTM suite wrote, for its resume. A secret
 * given in one (a header's literal value) was redacted when the plan was written: resuming with
 * the placeholder would send it as the secret, so the resume stops and says where secrets belong.
 */
export function recordedOverrides(file: string, overrides: readonly string[]): string[] {
  const i = overrides.findIndex((o) => o.includes(REDACTED));
  if (i >= 0) {
    throw new ConfigError('CONFIG_INVALID', `${file}: overrides[${i}] held a secret, which Referee never writes down; to resume, give it through an environment variable the agent config names (\${VAR} in a header, or api_key_env)`);
  }
  return [...overrides];
}
