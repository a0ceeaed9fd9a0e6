/**
 * `ltm-suite-<run-id>.html`: the LTM suite's matrix as a page that opens offline: each cell's
 * score / max as mean ± 95% CI over seeds, per dataset config and overall, and every run with its
 * seed, score and link to its own report. Every value is escaped.
 */
import { relative, dirname } from 'node:path';
import { writeFileAtomic } from '../artifacts/run-dir-writer.js';
import { escapeHtml } from '../report/escape.js';
import { formatMeanCi } from './ci.js';
import type { LtmSuiteSummary } from './run-ltm-suite.js';

export function ltmSuiteHtml(s: LtmSuiteSummary, summaryFile: string): string {
  const cols = [...s.datasets, 'all'];
  const cell = (agent: string, d: string): string => {
    const c = s.cells.find((x) => x.agent === agent && x.dataset === d);
    return `<td>${escapeHtml(c ? formatMeanCi(c) : '-')}</td>`;
  };
  const matrix = s.agents.map((a) => `<tr><th>${escapeHtml(a)}</th>${cols.map((d) => cell(a, d)).join('')}</tr>`).join('\n');
  const runs = s.runs
    .map((r) => {
      const report = relative(dirname(summaryFile), `${r.run_dir}/report.html`);
      return `<tr><td>${escapeHtml(r.agent)}</td><td>${escapeHtml(r.dataset)}</td><td>${r.seed}</td><td>${escapeHtml(r.status)}</td><td>${r.score.toFixed(3)} / ${r.max_score}</td><td>${r.ratio.toFixed(3)}</td><td><a href="${escapeHtml(report)}">${escapeHtml(r.run_id)}</a></td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(`LTM suite ${s.suite} (${s.run_id})`)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}th{background:#f4f4f4}</style></head>
<body><h1>${escapeHtml(`LTM suite ${s.suite}`)}</h1>
<p>Run ${escapeHtml(s.run_id)}: score / max as mean ± 95% CI over seeds ${escapeHtml(s.seeds.join(', '))} (Student's t, n − 1 degrees of freedom); <em>all</em> is, per seed, the score over every dataset config divided by their max.</p>
<table><thead><tr><th>agent</th>${cols.map((d) => `<th>${escapeHtml(d)}</th>`).join('')}</tr></thead><tbody>
${matrix}
</tbody></table>
<h2>Runs</h2>
<table><thead><tr><th>agent</th><th>dataset config</th><th>seed</th><th>status</th><th>score</th><th>score / max</th><th>run</th></tr></thead><tbody>
${runs}
</tbody></table></body></html>
`;
}

/** Writes the page beside the summary (`.json` → `.html`); returns its path. */
export function writeLtmSuiteReport(s: LtmSuiteSummary, summaryFile: string): string {
  const file = summaryFile.replace(/\.json$/, '.html');
  writeFileAtomic(file, ltmSuiteHtml(s, summaryFile));
  return file;
}
