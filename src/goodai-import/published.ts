/**
 * GoodAI's published results folder (`data/tests/<benchmark>/`), read: its definitions, and for
 * each agent under `results/` the per-test JSON GoodAI's runner wrote, its runstats.json and where
 * its master_log.jsonl is. Read only; a file that is not GoodAI's shape is a one-line error naming it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { RunDirError } from '../errors.js';
import { findGeneratorByDisplayName } from '../datasets/registry.js';
import { TestDefinitionFileSchema } from '../datasets/schema.js';
import type { TestDefinition } from '../datasets/types.js';

/** One `results/<agent>/<Dataset>/<id>_<run>.json`, the fields Referee reads (GoodAI's `TestResult`). */
export const GoodaiResultSchema = z.looseObject({
  task_log: z.array(z.string()),
  actual_responses: z.array(z.string()),
  score: z.number(),
  max_score: z.number(),
  reasoning: z.array(z.string()),
  tokens: z.number().optional(),
  characters: z.number().optional(),
  full_log: z.array(z.string()).optional(),
  expected_responses: z.array(z.unknown()).optional(),
});
export type GoodaiResult = z.infer<typeof GoodaiResultSchema>;

/** GoodAI's runstats.json: the fields Referee keeps (its `rnd_state` is left out). */
const GoodaiRunStatsSchema = z.looseObject({
  total_tokens: z.number().default(0),
  agent_tokens: z.number().default(0),
  agent_costs_usd: z.number().default(0),
  managing_costs_usd: z.number().default(0),
  duration: z.number().default(0),
});

export interface PublishedTest {
  /** `<Dataset folder>/<example id>`, as a Referee run names it. */
  test: TestDefinition;
  /** False where the definition is missing or not a fixed script (Restaurant): nothing to re-score with. */
  defined: boolean;
  result: GoodaiResult;
}

export interface PublishedAgent {
  /** The folder name, as GoodAI wrote it (`LLMChatSession - gpt-4o - 128000`). */
  name: string;
  dir: string;
  runstats: z.infer<typeof GoodaiRunStatsSchema>;
  /** GoodAI's master_log.jsonl, where the folder has one. */
  masterLog: string | undefined;
  tests: PublishedTest[];
}

export interface PublishedBenchmark {
  /** `config.run_name` of definitions/config.yml, else the folder's name. */
  name: string;
  dir: string;
  memorySpan: number;
  agents: PublishedAgent[];
}

const bad = (file: string, what: string): RunDirError => new RunDirError('RUN_DIR_INVALID', `${file}: ${what}`);

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw bad(file, `cannot read as JSON (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function parsed<S extends z.ZodType>(file: string, schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw bad(file, `${issue.path.join('.') || '(root)'}: ${issue.message} (not a GoodAI result)`);
}

const dirs = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();

/** GoodAI names a result `<unique_id>_<run>.json`; ChapterBreak's ids hold an underscore themselves. */
const RESULT_FILE = /^(.+)_(\d+)\.json$/;

/** Reads a GoodAI `data/tests/<benchmark>/` folder; throws RunDirError (exit 2) naming the first bad path. */
export function readPublished(dirArg: string): PublishedBenchmark {
  const dir = resolve(dirArg);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw bad(dir, 'no such folder (give a GoodAI data/tests/<benchmark> folder)');
  const resultsDir = join(dir, 'results');
  if (!existsSync(resultsDir) || !statSync(resultsDir).isDirectory()) throw bad(dir, 'no results/ folder (not a GoodAI data/tests/<benchmark> folder)');
  const config = readConfig(join(dir, 'definitions', 'config.yml'));
  const agents = dirs(resultsDir).map((name) => readAgent(dir, join(resultsDir, name), name));
  if (!agents.length) throw bad(resultsDir, 'holds no agent folders');
  return { name: config.name ?? basename(dir), dir, memorySpan: config.memorySpan, agents };
}

function readConfig(file: string): { name: string | undefined; memorySpan: number } {
  if (!existsSync(file)) return { name: undefined, memorySpan: 0 };
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw bad(file, `not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  const c = z
    .looseObject({
      config: z.looseObject({ run_name: z.string().optional() }).optional(),
      datasets: z.looseObject({ args: z.looseObject({ memory_span: z.number().optional() }).optional() }).optional(),
    })
    .safeParse(doc);
  if (!c.success) throw bad(file, `${c.error.issues[0]!.path.join('.')}: ${c.error.issues[0]!.message}`);
  return { name: c.data.config?.run_name, memorySpan: c.data.datasets?.args?.memory_span ?? 0 };
}

function readAgent(root: string, dir: string, name: string): PublishedAgent {
  const statsFile = join(dir, 'runstats.json');
  const runstats = existsSync(statsFile) ? parsed(statsFile, GoodaiRunStatsSchema, readJson(statsFile)) : GoodaiRunStatsSchema.parse({});
  const master = join(dir, 'master_log.jsonl');
  const tests: PublishedTest[] = [];
  for (const folder of dirs(dir)) {
    for (const file of readdirSync(join(dir, folder)).sort()) {
      const m = RESULT_FILE.exec(file);
      if (!m) continue;
      const path = join(dir, folder, file);
      tests.push({ ...definition(root, folder, m[1]!), result: parsed(path, GoodaiResultSchema, readJson(path)) });
    }
  }
  if (!tests.length) throw bad(dir, 'holds no results (<Dataset>/<id>_0.json)');
  return { name, dir, runstats, masterLog: existsSync(master) ? master : undefined, tests };
}

/** The test's definition; where it is missing or not a fixed script, a stand-in with no lines. */
function definition(root: string, folder: string, exampleId: string): { test: TestDefinition; defined: boolean } {
  const dataset = findGeneratorByDisplayName(folder)?.name ?? folder.toLowerCase().replace(/\W+/g, '_');
  const ids = { testId: `${folder}/${exampleId}`, dataset, exampleId };
  const file = join(root, 'definitions', folder, `${exampleId}.def.json`);
  if (existsSync(file)) {
    const r = TestDefinitionFileSchema.safeParse(readJson(file));
    if (r.success) return { test: { ...r.data, ...ids }, defined: true };
  }
  const none = { script: [], is_question: [], waits: [], expected_responses: [], can_be_interleaved: true, is_temporal: false, uses_callback: false };
  return { test: { ...none, ...ids }, defined: false };
}
