import { useLocation } from 'wouter-preact';
import type { LtmMatrix, Matrix as MatrixData, TaskMatrix } from './api.js';
import { pct } from './format.js';
import { runPath, suitePath } from './routes.js';

/** A suite's matrix, a task suite's or an LTM suite's, with the select that moves between suites. */
export function Matrix({ matrix }: { matrix: MatrixData | null }) {
  const [, navigate] = useLocation();
  if (!matrix || !matrix.suite) return null;
  const ltm = matrix.kind === 'ltm';
  return (
    <section class="card" id="matrix" data-kind={ltm ? 'ltm' : 'tasks'}>
      <h3>
        Suite matrix{' '}
        <select id="suite" value={matrix.suite} onChange={(e) => navigate(suitePath((e.currentTarget as HTMLSelectElement).value))} aria-label="suite">
          {matrix.suites.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>{' '}
        <span class="muted">
          {ltm
            ? `${matrix.title}: agents × dataset configs, score / max as mean ± 95% CI over seeds ${matrix.seeds.join(', ')}; a seed opens its run`
            : 'agents × datasets, pass rate per cell; click a cell for its samples'}
        </span>
      </h3>
      {ltm ? <LtmTable matrix={matrix} /> : <TaskTable matrix={matrix} />}
    </section>
  );
}

/** Agents down, datasets across; `cell` draws a pair's cell, `—` where the pair has none. */
function Grid<C extends { agent: string; dataset: string }>({ matrix, corner, cell }: { matrix: { agents: string[]; datasets: string[]; cells: C[] }; corner: string; cell: (c: C) => preact.JSX.Element }) {
  return (
    <table>
      <thead id="matrix-head">
        <tr>
          {[corner, ...matrix.datasets].map((h) => (
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
              return c ? cell(c) : <td key={d}>—</td>;
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TaskTable({ matrix }: { matrix: TaskMatrix }) {
  const [, navigate] = useLocation();
  return (
    <Grid
      matrix={matrix}
      corner="agent / dataset"
      cell={(c) => (
        <td key={c.dataset} class="matrix-cell" data-run={c.run} tabIndex={0} onClick={() => navigate(runPath(c.run))} onKeyDown={(e) => e.key === 'Enter' && navigate(runPath(c.run))}>
          {`${pct(c.pass_rate)} (${c.pass}/${c.tests})`}
        </td>
      )}
    />
  );
}

/** Each cell's text is the summary's (the terminal's and the report's), then a link per run it averages. */
function LtmTable({ matrix }: { matrix: LtmMatrix }) {
  return (
    <Grid
      matrix={matrix}
      corner="agent / dataset config"
      cell={(c) => (
        <td key={c.dataset} class="matrix-cell ltm-cell" data-agent={c.agent} data-dataset={c.dataset}>
          <span class="ltm-value">{c.text}</span>
          <span class="ltm-runs">
            {c.runs.map((r) => (
              <a key={r.run} href={`#${runPath(r.run)}`} class="ltm-run" data-run={r.run} title={`${r.run} (${r.status})`}>
                {c.dataset === 'all' ? `${r.dataset} s${r.seed}` : `s${r.seed}`}
              </a>
            ))}
          </span>
        </td>
      )}
    />
  );
}
