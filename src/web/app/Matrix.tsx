import { useLocation } from 'wouter-preact';
import type { Matrix as MatrixData } from './api.js';
import { pct } from './format.js';
import { runPath, suitePath } from './routes.js';

/** A suite's agents × datasets matrix, pass rate per cell; a cell opens its run. */
export function Matrix({ matrix }: { matrix: MatrixData | null }) {
  const [, navigate] = useLocation();
  if (!matrix || !matrix.suite) return null;
  return (
    <section class="card" id="matrix">
      <h3>
        Suite matrix{' '}
        <select id="suite" value={matrix.suite} onChange={(e) => navigate(suitePath((e.currentTarget as HTMLSelectElement).value))} aria-label="suite">
          {matrix.suites.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>{' '}
        <span class="muted">agents × datasets, pass rate per cell; click a cell for its samples</span>
      </h3>
      <table>
        <thead id="matrix-head">
          <tr>
            {['agent / dataset', ...matrix.datasets].map((h) => (
              <td key={h}>{h}</td>
            ))}
          </tr>
        </thead>
        <tbody id="matrix-rows">
          {matrix.agents.map((agent) => (
            <tr key={agent}>
              <td>{agent}</td>
              {matrix.datasets.map((d) => {
                const c = matrix.cells.find((x) => x.agent === agent && x.dataset === d);
                if (!c) return <td key={d}>—</td>;
                return (
                  <td key={d} class="matrix-cell" data-run={c.run} tabIndex={0} onClick={() => navigate(runPath(c.run))} onKeyDown={(e) => e.key === 'Enter' && navigate(runPath(c.run))}>
                    {`${pct(c.pass_rate)} (${c.pass}/${c.tests})`}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
