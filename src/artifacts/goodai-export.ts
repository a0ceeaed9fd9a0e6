/**
 * `referee export goodai <run> <dir>` (issue 12): a finished (or interrupted)
 * run directory in GoodAI's own layout, so that GoodAI's `reporting/` and
 * `evaluate.py` read it unmodified:
 *
 *   <dir>/<run_name>/definitions/<Dataset>/<id>.def.json
 *   <dir>/<run_name>/definitions/config.yml
 *   <dir>/<run_name>/results/<agent>/{runstats.json, master_log.jsonl, <Dataset>/<id>_<rep>.json}
 *
 * Only the keys GoodAI's readers know are written: a Referee-only key such as
 * a definition's `evaluation` makes GoodAI's loaders fail.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { DatasetConfigSchema, type DatasetConfig } from '../config/dataset.js';
import { RunDirError } from '../errors.js';
import { RunMetaSchema } from './schemas.js';

/** The keys of GoodAI's `TestExample.to_dict`. */
const DEFINITION_KEYS = ['script', 'is_question', 'waits', 'expected_responses', 'can_be_interleaved', 'is_temporal', 'uses_callback'] as const;
/** The keys of GoodAI's `TestResult._saved_attrs`. */
const RESULT_KEYS = ['task_log', 'actual_responses', 'score', 'max_score', 'reasoning', 'tokens', 'characters', 'full_log', 'expected_responses', 'needles'] as const;
/** The keys of GoodAI's `TestRunner.save_runstats` that its reports read. */
const RUNSTATS_KEYS = ['total_tokens', 'agent_tokens', 'agent_costs_usd', 'managing_costs_usd', 'duration'] as const;
/** The dataset args GoodAI's dataset classes accept (`DatasetInterface` fields and `dataset_examples`). */
const GOODAI_ARGS = ['memory_span', 'dataset_examples', 'seed'] as const;

export interface GoodaiExport {
  /** `<dir>/<run_name>` */
  dir: string;
  runName: string;
  agent: string;
  definitions: number;
  results: number;
  /** issue 22: tests not answered (a scored call failed) and tests whose judge verdict was unreadable; named in `referee_note.json`. */
  errored: string[];
  judgeErrors: string[];
  /** issue 25: tests left unscored for want of a judge: their results are in `referee_unscored/<agent>/`, named in the note. */
  unscored: string[];
  /** The note's path, when one was written. */
  note?: string;
}

/** The file beside `definitions/` and `results/` that says which tests' scores are not answers (issue 22). */
export const EXPORT_NOTE_FILE = 'referee_note.json';

export function exportGoodai(runDirArg: string, outDirArg: string): GoodaiExport {
  const runDir = resolve(runDirArg);
  const metaFile = join(runDir, 'run.json');
  if (!existsSync(metaFile)) throw new RunDirError('RUN_DIR_INVALID', `${metaFile}: missing; not a run directory`);
  const meta = parseWith(RunMetaSchema, metaFile, readJson(metaFile));
  const config = parseWith(DatasetConfigSchema, `${metaFile} dataset_config`, meta.dataset_config);
  const agent = String(meta.agent['name'] ?? 'agent');
  const runName = safeName(config.config.run_name, `${metaFile}: dataset_config.config.run_name`);
  const out = join(resolve(outDirArg), runName);

  const datasetDir = [join(meta.dataset.dir), join(runDir, 'dataset')].find((d) => existsSync(join(d, 'definitions')));
  if (!datasetDir) throw new RunDirError('RUN_DIR_INVALID', `${metaFile}: dataset.dir ${meta.dataset.dir} has no definitions/ folder (moved or deleted?)`);
  const definitions = copyPicked(join(datasetDir, 'definitions'), join(out, 'definitions'), '.def.json', DEFINITION_KEYS);
  writeFileSync(join(out, 'definitions', 'config.yml'), stringify(goodaiConfig(config)));

  const resultsIn = join(runDir, 'results', agent);
  const resultsOut = join(out, 'results', agent);
  mkdirSync(resultsOut, { recursive: true });
  const statsFile = join(runDir, 'runstats.json');
  const stats = existsSync(statsFile) ? readJson(statsFile) : undefined;
  const tests = Array.isArray((stats as { tests?: unknown } | undefined)?.tests) ? ((stats as { tests: unknown[] }).tests as { test_id?: unknown; status?: unknown }[]) : [];
  // issue 25: a test left unscored for want of a judge has no score, which GoodAI's reports cannot read: its
  // result (GoodAI's keys, score null) goes beside results/, so GoodAI's totals leave it out as Referee's do.
  const unscored = tests.filter((t) => t.status === 'unscored').map((t) => String(t.test_id));
  const unscoredFiles = new Set(unscored.map((id) => resultFileOf(id)));
  const results = existsSync(resultsIn) ? copyPicked(resultsIn, resultsOut, '.json', RESULT_KEYS, (rel) => !unscoredFiles.has(rel)) : 0;
  if (unscored.length > 0 && existsSync(resultsIn)) copyPicked(resultsIn, join(out, UNSCORED_DIR, agent), '.json', RESULT_KEYS, (rel) => unscoredFiles.has(rel));
  if (stats !== undefined) writeFileSync(join(resultsOut, 'runstats.json'), JSON.stringify(pick(stats, RUNSTATS_KEYS)));
  if (existsSync(join(runDir, 'master_log.jsonl'))) copyFileSync(join(runDir, 'master_log.jsonl'), join(resultsOut, 'master_log.jsonl'));
  // issue 22: GoodAI's files keep GoodAI's shapes (an unanswered test is a 0 there); a note beside them says which 0s are not answers.
  const errored = tests.filter((t) => t.status === 'error').map((t) => String(t.test_id));
  const judgeErrors = tests.filter((t) => t.status === 'judge_error').map((t) => String(t.test_id));
  const base = { dir: out, runName, agent, definitions, results, errored, judgeErrors, unscored };
  if (errored.length === 0 && judgeErrors.length === 0 && unscored.length === 0) return base;
  const note = join(out, EXPORT_NOTE_FILE);
  writeFileSync(
    note,
    JSON.stringify(
      {
        note:
          "Referee: GoodAI's files are left in GoodAI's shapes. errored_tests and judge_error_tests score 0 in results/, which is not the agent's answer: errored, a scored call failed (HTTP error, timeout, context overflow), so the question was not answered; judge_error, the judge's verdict could not be read, even asked again. " +
          `unscored_tests are unscored: needs judge: GoodAI scores them with its LLM judge and the run had none (--judge-config); their results, score null, are in ${UNSCORED_DIR}/<agent>/, not results/, so GoodAI's reports total the scored tests only. To have GoodAI's evaluate.py judge them, copy ${UNSCORED_DIR}/<agent>/* into results/<agent>/ and run it.`,
        run_id: meta.run_id,
        agent,
        errored_tests: errored,
        judge_error_tests: judgeErrors,
        unscored_tests: unscored,
      },
      null,
      2,
    ),
  );
  return { ...base, note };
}

/** issue 25: where the results of tests left unscored for want of a judge go, beside `definitions/` and `results/`. */
export const UNSCORED_DIR = 'referee_unscored';

/** `<Dataset>/<id>_0.json`: a test's result file below `results/<agent>/`. */
function resultFileOf(testId: string): string {
  const cut = testId.lastIndexOf('/');
  return `${testId.slice(0, cut)}/${testId.slice(cut + 1)}_0.json`;
}

/** The run's dataset config in GoodAI's YAML shape, with only the arguments GoodAI's dataset classes take. */
export function goodaiConfig(config: DatasetConfig): Record<string, unknown> {
  const args = config.datasets.args as Record<string, unknown>;
  return {
    config: { run_name: config.config.run_name, debug: config.config.debug, incompatibilities: config.config.incompatibilities },
    datasets: {
      args: pick(args, GOODAI_ARGS),
      datasets: config.datasets.datasets.map((d) => (Object.keys(d.args).length > 0 ? { name: d.name, args: d.args } : { name: d.name })),
    },
  };
}

/** Copies `<Dataset>/<file><suffix>` files from `from` to `to` (those `take` accepts), keeping only `keys`; returns how many. */
function copyPicked(from: string, to: string, suffix: string, keys: readonly string[], take: (rel: string) => boolean = () => true): number {
  let n = 0;
  for (const folder of readdirSync(from)) {
    const src = join(from, folder);
    if (!statSync(src).isDirectory()) continue;
    for (const file of readdirSync(src).filter((f) => f.endsWith(suffix) && take(`${folder}/${f}`))) {
      const dest = join(to, folder, file);
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, JSON.stringify(pick(readJson(join(src, file)), keys), null, 2));
      n++;
    }
  }
  return n;
}

function pick(value: unknown, keys: readonly string[]): Record<string, unknown> {
  const v = (value ?? {}) as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => k in v).map((k) => [k, v[k]]));
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw new RunDirError('RUN_DIR_INVALID', `${file}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

function parseWith<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, where: string, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new RunDirError('RUN_DIR_INVALID', `${where}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
}

/** A run name is one folder of GoodAI's layout. */
function safeName(name: string, where: string): string {
  if (name === '' || basename(name) !== name || name === '.' || name === '..') throw new RunDirError('RUN_DIR_INVALID', `${where}: '${name}' cannot name a folder`);
  return name;
}
