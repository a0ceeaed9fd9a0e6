import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { configSecrets, registerSecrets } from '../events/secrets.js';
import { AgentConfigSchema, type AgentConfig } from './agent.js';
import { DatasetConfigSchema, type DatasetConfig } from './dataset.js';
import { SuiteSchema } from '../tasks/schema.js';
import { applyOverride, type ConfigTarget, type Override } from './overrides.js';

/** Reads a YAML file; a missing file or a syntax error is a one-line ConfigError naming the file. */
export function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError('CONFIG_NOT_FOUND', `${file}: cannot read (${code ?? String(err)})`, { cause: err });
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0];
    const where = line ? `:${line.line}:${line.col}` : '';
    throw new ConfigError('CONFIG_INVALID', `${file}${where}: invalid YAML: ${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  return doc.toJS() as unknown;
}

/** One line: `file: field.path: message` for the first issue, plus a count of the rest. */
export function formatZodIssues(file: string, error: z.ZodError): string {
  const [first, ...rest] = zodProblems(file, error);
  if (!first) return `${file}: invalid`;
  const more = rest.length ? ` (and ${rest.length} more issue${rest.length > 1 ? 's' : ''})` : '';
  return `${first}${more}`;
}

/** issue 17: every issue of a failed parse, one `file: field.path: message` line each (what `validate` prints). */
export function zodProblems(file: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length ? issue.path.map(String).join('.') : '(root)';
    const message = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
    return `${file}: ${path}: ${message}`;
  });
}

function parseWith<S extends z.ZodType>(schema: S, file: string, raw: unknown, overrides: Override[], target: ConfigTarget): z.infer<S> {
  let doc = raw;
  for (const o of overrides) if (o.target === target) doc = applyOverride(doc, o);
  const result = schema.safeParse(doc);
  if (!result.success) {
    const applied = overrides.filter((o) => o.target === target);
    const suffix = applied.length ? ` [after --overrides ${applied.map((o) => o.raw).join(' ')}]` : '';
    throw new ConfigError('CONFIG_INVALID', formatZodIssues(file, result.error) + suffix);
  }
  return result.data;
}

export function loadAgentConfig(file: string, overrides: Override[] = []): AgentConfig {
  const config = parseWith(AgentConfigSchema, file, readYaml(file), overrides, 'agent');
  // Every process that reads an agent config redacts its secrets, not only the one that calls the
  // agent: a match's parent or an LTM suite writes the --overrides it was given (a header's
  // literal value among them) into its plan before any agent exists.
  registerSecrets(configSecrets(config, process.env));
  return config;
}

export function loadDatasetConfig(file: string, overrides: Override[] = []): DatasetConfig {
  return parseWith(DatasetConfigSchema, file, readYaml(file), overrides, 'dataset');
}

export type ConfigKind = 'agent' | 'dataset' | 'suite';

/**
 * Guesses a file's kind from its content: suite YAMLs name their `agents`, dataset
 * YAMLs have `datasets` (a suite has both, so `agents` decides first).
 */
export function detectConfigKind(raw: unknown): ConfigKind {
  if (!raw || typeof raw !== 'object') return 'agent';
  if ('agents' in raw) return 'suite';
  return 'datasets' in raw ? 'dataset' : 'agent';
}

/**
 * `referee validate <file>`: parses without running; returns the kind on success.
 * A suite's own shape only: its task files and agents are checked by loading it (tasks/load.ts).
 */
export function validateConfigFile(file: string): ConfigKind {
  const raw = readYaml(file);
  const kind = detectConfigKind(raw);
  if (kind === 'suite') {
    const r = SuiteSchema.safeParse(raw);
    if (!r.success) throw new ConfigError('CONFIG_INVALID', formatZodIssues(file, r.error));
  } else if (kind === 'dataset') parseWith(DatasetConfigSchema, file, raw, [], 'dataset');
  else parseWith(AgentConfigSchema, file, raw, [], 'agent');
  return kind;
}
