/**
 * Reads task files (JSONL or CSV) and suite YAMLs. Bad input stops with one
 * line naming the file, the line and the field (exit code 2).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import type { AgentConfig } from '../config/agent.js';
import { formatZodIssues, loadAgentConfig, readYaml } from '../config/load.js';
import type { Override } from '../config/overrides.js';
import { ConfigError, DatasetError } from '../errors.js';
import { SuiteSchema, TaskSchema, type EvaluatorSpec, type Suite, type Task } from './schema.js';

/** A task file, parsed and checked. */
export interface TaskDataset {
  /** Dataset name (test ids are `<name>/<task id>`). */
  name: string;
  file: string;
  /** sha256 of the file's bytes, recorded in run.json. */
  sha256: string;
  tasks: Task[];
  /** The evaluator of tasks that name none, when the suite gives one for this dataset. */
  evaluator?: EvaluatorSpec;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new DatasetError('DATASET_INVALID', `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
}

/** Loads a `.jsonl` (one task per line) or `.csv` (header row) task file. */
export function loadTaskFile(file: string, options: { name?: string; evaluator?: EvaluatorSpec } = {}): TaskDataset {
  const text = readText(file);
  const ext = extname(file).toLowerCase();
  const rows = ext === '.csv' ? csvRows(file, text) : jsonlRows(file, text);
  const tasks: Task[] = [];
  const seen = new Map<string, number>();
  for (const { line, value } of rows) {
    const r = TaskSchema.safeParse(value);
    if (!r.success) throw new DatasetError('DATASET_INVALID', formatZodIssues(`${file}:${line}`, r.error));
    const first = seen.get(r.data.id);
    if (first !== undefined) throw new DatasetError('DATASET_INVALID', `${file}:${line}: id: "${r.data.id}" repeats the task of line ${first}`);
    seen.set(r.data.id, line);
    tasks.push(r.data);
  }
  if (tasks.length === 0) throw new DatasetError('DATASET_INVALID', `${file}: no tasks`);
  const name = options.name ?? basename(file, extname(file)).replace(/[^A-Za-z0-9._-]/g, '_');
  return {
    name,
    file,
    sha256: createHash('sha256').update(text).digest('hex'),
    tasks,
    ...(options.evaluator ? { evaluator: options.evaluator } : {}),
  };
}

function jsonlRows(file: string, text: string): { line: number; value: unknown }[] {
  const out: { line: number; value: unknown }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] as string).trim();
    if (!raw) continue;
    try {
      out.push({ line: i + 1, value: JSON.parse(raw) as unknown });
    } catch (err) {
      throw new DatasetError('DATASET_INVALID', `${file}:${i + 1}: invalid JSON (${(err as Error).message})`);
    }
  }
  return out;
}

const CSV_COLUMNS = new Set(['id', 'prompt', 'messages', 'expected', 'evaluator', 'meta']);

/**
 * CSV with a header row naming the columns `id, prompt, expected` and
 * optionally `evaluator`, `messages`, `meta` (JSON). `expected` and
 * `evaluator` cells starting with `[` or `{` are read as JSON.
 */
function csvRows(file: string, text: string): { line: number; value: unknown }[] {
  const records = parseCsv(file, text);
  const header = records.shift();
  if (!header) return [];
  const names = header.cells.map((h) => h.trim());
  const unknown = names.find((n) => !CSV_COLUMNS.has(n));
  if (unknown !== undefined) throw new DatasetError('DATASET_INVALID', `${file}:1: unknown column "${unknown}" (known: ${[...CSV_COLUMNS].join(', ')})`);
  return records.map(({ line, cells }) => {
    const value: Record<string, unknown> = {};
    names.forEach((name, i) => {
      const cell = cells[i] ?? '';
      if (cell === '' && name !== 'expected') return;
      const json = name === 'messages' || name === 'meta' || ((name === 'expected' || name === 'evaluator') && /^\s*[[{]/.test(cell));
      if (json) {
        try {
          value[name] = JSON.parse(cell) as unknown;
        } catch (err) {
          throw new DatasetError('DATASET_INVALID', `${file}:${line}: ${name}: invalid JSON (${(err as Error).message})`);
        }
      } else value[name] = cell;
    });
    return { line, value };
  });
}

/** RFC 4180: quoted fields may hold commas, quotes (doubled) and newlines. */
export function parseCsv(file: string, text: string): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = (): void => {
    cells.push(cell);
    if (cells.length > 1 || cells[0] !== '') out.push({ line: recordLine, cells });
    cells = [];
    cell = '';
  };
  for (; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else cell += ch;
  }
  if (quoted) throw new DatasetError('DATASET_INVALID', `${file}:${recordLine}: unterminated quoted field`);
  if (cell !== '' || cells.length > 0) endRecord();
  return out;
}

/** A suite with its files resolved and loaded. */
export interface LoadedSuite {
  name: string;
  file: string;
  suite: Suite;
  datasets: TaskDataset[];
  agents: { file: string; config: AgentConfig }[];
  /** The suite's LLM judge, for `judge` evaluators. */
  judge?: { file: string; config: AgentConfig };
}

/** Loads a suite YAML, its task files and its agent configs (paths relative to the suite file). */
export function loadSuite(file: string, overrides: Override[] = []): LoadedSuite {
  const raw = readYaml(file);
  const r = SuiteSchema.safeParse(raw);
  if (!r.success) throw new ConfigError('CONFIG_INVALID', formatZodIssues(file, r.error));
  const suite = r.data;
  const dir = dirname(resolve(file));
  const datasets = suite.datasets.map((d) =>
    loadTaskFile(resolve(dir, d.file), { ...(d.name ? { name: d.name } : {}), ...(d.evaluator ? { evaluator: d.evaluator } : {}) }),
  );
  const names = new Set<string>();
  for (const [i, d] of datasets.entries()) {
    if (names.has(d.name)) throw new ConfigError('CONFIG_INVALID', `${file}: datasets.${i}.name: "${d.name}" is used twice`);
    names.add(d.name);
  }
  const agents = suite.agents.map((a) => ({ file: resolve(dir, a), config: loadAgentConfig(resolve(dir, a), overrides) }));
  const agentNames = new Set<string>();
  for (const [i, a] of agents.entries()) {
    if (agentNames.has(a.config.name)) throw new ConfigError('CONFIG_INVALID', `${file}: agents.${i}: agent name "${a.config.name}" is used twice`);
    agentNames.add(a.config.name);
  }
  const judge = suite.judge !== undefined ? { file: resolve(dir, suite.judge), config: loadAgentConfig(resolve(dir, suite.judge)) } : undefined;
  return { name: suite.name ?? basename(file, extname(file)).replace(/[^A-Za-z0-9._-]/g, '_'), file, suite, datasets, agents, ...(judge ? { judge } : {}) };
}

/**
 * issue 13: a suite in match mode. The challenger (`--compare-with`) is one more agent of the
 * matrix, so its cells run on the very same task files, resume like any cell, and are then
 * compared with each of the suite's cells on the same dataset.
 */
export function withSuiteChallenger(loaded: LoadedSuite, file: string, overrides: Override[]): { loaded: LoadedSuite; challenger: { agent: string; file: string } } {
  const config = loadAgentConfig(file, overrides);
  if (loaded.agents.some((a) => a.config.name === config.name)) {
    throw new ConfigError('CONFIG_INVALID', `${file}: --compare-with: agent name "${config.name}" is already one of the suite's agents; give the challenger a name of its own`);
  }
  return { loaded: { ...loaded, agents: [...loaded.agents, { file: resolve(file), config }] }, challenger: { agent: config.name, file: resolve(file) } };
}
