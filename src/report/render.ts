import { chartJsSource } from './chart-asset.js';
import { clientScript } from './client/main.js';
import { cspHash, escapeHtml, inlineScript, jsonForScript } from './escape.js';
import type { ReportData } from './report-data.js';
import { REPORT_CSS } from './styles.js';

/**
 * The whole report as one self-contained HTML file: the data as an escaped JSON
 * blob, Chart.js and the page script inlined. A Content-Security-Policy allows
 * exactly those two scripts (by hash), so even markup that slipped into the DOM
 * could not run an inline handler or load anything from the network.
 */
export function renderReportHtml(data: ReportData): string {
  const chart = inlineScript(chartJsSource());
  const app = inlineScript(clientScript());
  const csp = [
    "default-src 'none'",
    `script-src ${cspHash(chart)} ${cspHash(app)}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
  ].join('; ');
  const verdict = data.match ? data.match.comparison.verdict : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="referee ${escapeHtml(data.tool_version)}">
<title>${escapeHtml(data.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(data.title)}</h1>
<div id="verdict"><noscript><div class="verdict-text">${escapeHtml(verdict)}</div><p>This report draws its tables and chart with JavaScript.</p></noscript></div>
<div id="problems"></div>
</header>
<main>
<section class="grid2">
<div><h2>Summary</h2><div id="summary"></div></div>
<div><h2>Accuracy, speed, efficiency, cost</h2><div id="radar"></div></div>
</section>
<section><h2>Per dataset</h2><div id="datasets"></div></section>
<section><h2>Turn by turn</h2><div id="tests"></div></section>
</main>
<footer>Generated ${escapeHtml(data.generated_at)} by Referee ${escapeHtml(data.tool_version)}${
    data.match
      ? ` · match ${escapeHtml(data.match.match_id)} · dataset ${escapeHtml(data.match.dataset_id.slice(0, 16))} · paired permutation test (exact up to 16 tests, else ${escapeHtml(String(data.match.settings.resamples))} sign patterns), seed ${escapeHtml(String(data.match.settings.seed))}, alpha ${escapeHtml(String(data.match.settings.alpha))}`
      : ''
  }. Chart.js is © Chart.js Contributors, MIT License.</footer>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${chart}</script>
<script>${app}</script>
</body>
</html>
`;
}
