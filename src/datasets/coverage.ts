/**
 * What a run leaves out of the benchmark it lists. A dataset whose data the user supplies
 * (ChapterBreak's passages) and has not is skipped, with one line saying where to get it, and the
 * run says it is incomplete ("9 of GoodAI v3's 11 datasets"), so its score is never read as a full
 * v3 score. One producer: runstats.json's `coverage`, the summary line, the start line and the
 * report all read what `datasetCoverage` returns (its shape: `DatasetCoverageSchema`).
 */
export type { DatasetCoverage };
import type { DatasetCoverage } from '../artifacts/schemas.js';
import type { DatasetConfig } from '../config/dataset.js';
import type { DatasetSpec } from './generate.js';
import { findGenerator } from './registry.js';

/** GoodAI's LTM v3 datasets, as its published configurations name them. */
export const GOODAI_V3_DATASETS: readonly string[] = [
  'colours',
  'shopping',
  'locations_directions',
  'name_list',
  'jokes',
  'sallyanne',
  'prospective_memory',
  'trigger_response',
  'spy_meeting',
  'chapterbreak',
  'restaurant',
];

/** The specs that can be generated: those whose data has not been supplied are left out. */
export function specsWithData(specs: readonly DatasetSpec[], env: NodeJS.ProcessEnv = process.env): DatasetSpec[] {
  return specs.filter((s) => findGenerator(s.name)?.missingData?.(s.args, env) === undefined);
}

/** The tests a run sends: without a judge, not those of a dataset that asks it during the run (Restaurant). */
export function definitionsToRun<T extends { dataset: string }>(definitions: T[], options: { judge: boolean }): T[] {
  return options.judge ? definitions : definitions.filter((d) => findGenerator(d.dataset)?.needsJudge === undefined);
}

/**
 * The listed datasets a run has no tests of, and what is left of the benchmark; undefined when
 * every listed dataset is there (a fresh run and a resumed one agree: it reads the definitions).
 */
export function datasetCoverage(
  config: DatasetConfig,
  definitions: readonly { dataset: string }[],
  env: NodeJS.ProcessEnv = process.env,
): DatasetCoverage | undefined {
  const present = new Set(definitions.map((d) => d.dataset));
  const listed = config.datasets.datasets;
  const skipped = listed
    .filter((d) => !present.has(d.name))
    .map((d) => {
      const g = findGenerator(d.name);
      return { name: d.name, reason: g?.missingData?.(d.args, env) ?? g?.needsJudge ?? `${d.name} skipped: the dataset has no tests of it` };
    });
  if (skipped.length === 0) return undefined;
  const v3 = listed.every((d) => GOODAI_V3_DATASETS.includes(d.name));
  return { datasets: listed.length - skipped.length, of: v3 ? GOODAI_V3_DATASETS.length : listed.length, benchmark: v3 ? 'GoodAI v3' : 'listed', skipped };
}

/** The words a person reads, in the summary line and the report: "INCOMPLETE: 9 of GoodAI v3's 11 datasets (chapterbreak skipped)". */
export function formatCoverage(c: DatasetCoverage): string {
  const of = c.benchmark === 'GoodAI v3' ? `of GoodAI v3's ${c.of}` : `of the ${c.of} listed`;
  return `INCOMPLETE: ${c.datasets} ${of} datasets (${c.skipped.map((s) => s.name).join(', ')} skipped)`;
}
