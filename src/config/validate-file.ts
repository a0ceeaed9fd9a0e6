import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { createAgentFactory } from '../agents/factory.js';
import { prepareDataset } from '../runner/run-benchmark.js';
import { loadSuite, loadTaskFile } from '../tasks/load.js';
import { SuiteSchema } from '../tasks/schema.js';
import { AgentConfigSchema, type AgentConfig } from './agent.js';
import { DatasetConfigSchema, type DatasetConfig } from './dataset.js';
import { detectConfigKind, readYaml, zodProblems } from './load.js';
import { plural } from '../plural.js';
import { isLtmSuiteYaml, loadLtmSuite, LtmSuiteSchema } from '../ltm-suite/load.js';

export interface FileValidation {
  file: string;
  /** What the file is, e.g. `agent config`, `suite (2 agents x 3 datasets)`; null when it is not valid. */
  summary: string | null;
  /** One line per problem, each naming the file and the field. */
  problems: string[];
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const withFile = (file: string, text: string): string => (text.startsWith(file) ? text : `${file}: ${text}`);

/**
 * `referee validate` (issue 17): every problem of a file, and every check `run`
 * makes before its first turn: the schema (all issues, not the first), an
 * `openai` agent's endpoint and key variables, a dataset's generators, their
 * arguments and a pinned sha256 (by generating it into a temporary folder), a
 * suite's task files, agents and judge.
 */
export async function validateFile(file: string): Promise<FileValidation> {
  try {
    if (/\.(jsonl|csv)$/i.test(file)) return ok(file, `task file (${plural(loadTaskFile(file).tasks.length, 'task')})`);
    const raw = readYaml(file);
    const kind = detectConfigKind(raw);
    if (kind === 'suite') return await validateSuite(file, raw);
    if (kind === 'dataset') {
      const r = DatasetConfigSchema.safeParse(raw);
      if (!r.success) return failed(file, r.error);
      await checkDataset(r.data);
      return ok(file, 'dataset config');
    }
    const r = AgentConfigSchema.safeParse(raw);
    if (!r.success) return failed(file, r.error);
    await checkAgent(r.data);
    return ok(file, 'agent config');
  } catch (e) {
    return { file, summary: null, problems: [withFile(file, message(e))] };
  }
}

async function validateSuite(file: string, raw: unknown): Promise<FileValidation> {
  if (isLtmSuiteYaml(raw)) {
    const r = LtmSuiteSchema.safeParse(raw);
    if (!r.success) return failed(file, r.error);
    const s = loadLtmSuite(file);
    for (const a of s.agents) await checkAgent(a.config);
    for (const d of s.datasets) await checkDataset(d.config);
    return ok(file, `LTM suite (${plural(s.agents.length, 'agent')} x ${plural(s.datasets.length, 'dataset config')} x ${plural(s.suite.seeds.length, 'seed')})`);
  }
  const r = SuiteSchema.safeParse(raw);
  if (!r.success) return failed(file, r.error);
  // Loads what the suite names too: its task files, agent configs and judge.
  const s = loadSuite(file);
  for (const a of s.agents) await checkAgent(a.config);
  if (s.judge) await checkAgent(s.judge.config);
  return ok(file, `suite (${plural(s.agents.length, 'agent')} x ${plural(s.datasets.length, 'dataset')}${s.judge ? `, judge ${s.judge.config.name}` : ''})`);
}

/**
 * What `run` checks when it builds the agent, by building it as `run` does (one producer of
 * the checks): an `openai` endpoint, its key and header variables; issue 21: a protocol
 * agent's `${VAR}` in http.headers and stdio.env. Building starts no agent process and
 * opens no connection; only the offline simulated model is skipped (it would start a server).
 */
async function checkAgent(config: AgentConfig): Promise<void> {
  const protocol = config.kind === 'http' || config.kind === 'stdio';
  if (!protocol && config.llm.provider !== 'openai') return;
  const factory = await createAgentFactory(config);
  await factory.close();
}

/** Generates the dataset as `run` would (generators, their arguments, a pinned sha256), then throws it away. */
async function checkDataset(config: DatasetConfig): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'referee-validate-'));
  try {
    await prepareDataset(config, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function ok(file: string, summary: string): FileValidation {
  return { file, summary, problems: [] };
}

function failed(file: string, error: z.ZodError): FileValidation {
  return { file, summary: null, problems: zodProblems(file, error) };
}
