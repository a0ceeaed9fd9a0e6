/**
 * A suite in match mode (issue 13, `referee run --suite S.yaml --compare-with B.yaml`): the
 * challenger ran as one more agent of the matrix, on the very same task files, so each of the
 * suite's (agent, dataset) cells is compared with the challenger's cell on that dataset by the
 * one comparison of two run directories (`compareRunContents`) and its HTML report.
 */
import { basename, dirname, join } from 'node:path';
import { writeJsonAtomic } from '../artifacts/run-dir-writer.js';
import { readRunDir } from '../artifacts/run-dir-reader.js';
import { writeComparisonReport } from '../report/write.js';
import { compareRunContents } from './compare.js';

/** The part of a suite's matrix summary the comparisons read. */
export interface SuiteCells {
  suite: string;
  datasets: string[];
  agents: string[];
  cells: { agent: string; dataset: string; run_id: string; run_dir: string; status: string }[];
}

/** One champion cell against the challenger's cell on the same dataset. */
export interface CellComparison {
  dataset: string;
  champion: string;
  challenger: string;
  champion_run_dir: string;
  challenger_run_dir: string;
  /** Sums over the cell's tasks, as in each cell's runstats.json. */
  champion_score: number;
  champion_max_score: number;
  challenger_score: number;
  challenger_max_score: number;
  /** The agent ahead on the paired per-task scores (the report's leader), or `tie`. */
  winner: string;
  significant: boolean;
  verdict: string;
  /** `comparison_report-<champion run id>-vs-<challenger run id>.html` in the suite's output root. */
  report: string;
  problems: string[];
}

export interface SuiteComparison {
  suite: string;
  challenger: string;
  created_at: string;
  comparisons: CellComparison[];
  /** Pairs that could not be compared (a cell that never ran, or a run directory that cannot be read), one line each. */
  skipped: string[];
}

export interface SuiteCompareOptions {
  /** Where the reports and the comparison summary go: the suite's output root. */
  outputDir: string;
  /** The summary file's path. */
  file: string;
  /** Seed of the permutation test (used past 16 tests). @default 0 */
  seed?: number;
}

/** Compares every champion cell with the challenger's cell on its dataset; writes a report per pair and the summary JSON. */
export function compareSuiteCells(summary: SuiteCells, challenger: string, options: SuiteCompareOptions): SuiteComparison {
  const result: SuiteComparison = { suite: summary.suite, challenger, created_at: new Date().toISOString(), comparisons: [], skipped: [] };
  const cellOf = (agent: string, dataset: string): SuiteCells['cells'][number] | undefined => summary.cells.find((c) => c.agent === agent && c.dataset === dataset);
  for (const dataset of summary.datasets) {
    const b = cellOf(challenger, dataset);
    for (const agent of summary.agents.filter((x) => x !== challenger)) {
      const a = cellOf(agent, dataset);
      if (!a || !b || a.status === 'running' || b.status === 'running') {
        result.skipped.push(`${agent} vs ${challenger} on ${dataset}: ${!a || a.status === 'running' ? agent : challenger}'s cell did not end`);
        continue;
      }
      try {
        result.comparisons.push(comparePair(a, b, dataset, options));
      } catch (err) {
        result.skipped.push(`${agent} vs ${challenger} on ${dataset}: ${(err as Error).message}`);
      }
    }
  }
  writeJsonAtomic(options.file, result);
  return result;
}

function comparePair(a: SuiteCells['cells'][number], b: SuiteCells['cells'][number], dataset: string, options: SuiteCompareOptions): CellComparison {
  const champion = readRunDir(a.run_dir);
  const challenger = readRunDir(b.run_dir);
  const match = compareRunContents(champion, challenger, { seed: options.seed ?? 0, matchId: `${a.run_id}-vs-${b.run_id}` });
  const report = writeComparisonReport(join(options.outputDir, `comparison_report-${a.run_id}-vs-${b.run_id}.html`), match, champion, challenger);
  const c = match.comparison;
  return {
    dataset,
    champion: a.agent,
    challenger: b.agent,
    champion_run_dir: a.run_dir,
    challenger_run_dir: b.run_dir,
    champion_score: match.champion.total_score,
    champion_max_score: match.champion.max_score,
    challenger_score: match.challenger.total_score,
    challenger_max_score: match.challenger.max_score,
    winner: c.leader === 'champion' ? a.agent : c.leader === 'challenger' ? b.agent : 'tie',
    significant: c.significant,
    verdict: c.verdict,
    report,
    problems: match.problems,
  };
}

/**
 * The comparisons of a suite in match mode, per (agent, dataset) cell against the challenger's
 * cell: `suite-comparison-<id>.json` and one `comparison_report-<A>-vs-<B>.html` per pair beside
 * the matrix summary, and the lines the terminal shows after the matrix.
 */
export function writeSuiteComparisons(summary: SuiteCells & { challenger?: { agent: string } }, summaryFile: string): { result: SuiteComparison; lines: string[] } {
  const challenger = summary.challenger!.agent;
  const file = join(dirname(summaryFile), `suite-comparison-${basename(summaryFile).replace(/^matrix-/, '')}`);
  const result = compareSuiteCells(summary, challenger, { outputDir: dirname(summaryFile), file });
  return { result, lines: ['', `against ${challenger} (challenger), cell by cell:`, formatSuiteComparison(result), '', `comparison summary: ${file}`, ...result.comparisons.map((c) => c.report)] };
}

/** The comparisons as a text table: one row per (champion, dataset) cell. */
export function formatSuiteComparison(s: SuiteComparison): string {
  const header = ['agent', 'dataset', 'agent score', `${s.challenger} score`, 'winner', 'verdict'];
  const rows = s.comparisons.map((c) => [
    c.champion,
    c.dataset,
    `${round(c.champion_score)}/${round(c.champion_max_score)}`,
    `${round(c.challenger_score)}/${round(c.challenger_max_score)}`,
    c.winner,
    c.verdict,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ...s.skipped.map((x) => `not compared: ${x}`)].join('\n');
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
