import { formatMeanCi } from './ci.js';
import type { LtmSuiteSummary } from './run-ltm-suite.js';

/** Agents down, dataset configs across and `all`: each cell's score / max as mean ± 95% CI over seeds. */
export function formatLtmMatrix(s: Pick<LtmSuiteSummary, 'agents' | 'datasets' | 'cells' | 'seeds'>): string {
  const header = ['agent', ...s.datasets, 'all'];
  const rows = s.agents.map((agent) => [agent, ...[...s.datasets, 'all'].map((d) => {
    const c = s.cells.find((x) => x.agent === agent && x.dataset === d);
    return c ? formatMeanCi(c) : '-';
  })]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [`score / max, mean ± 95% CI over seeds ${s.seeds.join(', ')}`, line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
