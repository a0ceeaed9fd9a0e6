import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'wouter-preact';
import { api, type Comparison, type RunRow, type SampleRow } from './api.js';
import { pct, scoreText } from './format.js';
import { comparePath, samplePath } from './routes.js';
import { PlainHead } from './SortHeader.js';

const num = (x: number | null | undefined, d: number): number | null => (x === null || x === undefined ? null : Math.round(x * 10 ** d) / 10 ** d);
const rate = (s: { score: number; max_score: number }): number | null => (s.max_score ? s.score / s.max_score : null);
const pts = (x: number | null): string | null => (x === null ? null : `${Math.round(x * 100)} pts`);

interface DatasetSums {
  score: number;
  max: number;
  tests: number;
}

function byDataset(samples: SampleRow[]): Map<string, DatasetSums> {
  const out = new Map<string, DatasetSums>();
  for (const s of samples) {
    const d = out.get(s.dataset) ?? { score: 0, max: 0, tests: 0 };
    d.score += s.score ?? 0;
    d.max += s.max_score ?? 0;
    d.tests++;
    out.set(s.dataset, d);
  }
  return out;
}

const Cells = ({ values }: { values: (string | number | null)[] }) => (
  <>
    {values.map((v, i) => (
      <td key={i}>{v === null || v === undefined ? '—' : String(v)}</td>
    ))}
  </>
);

/**
 * Any two runs side by side (B − A): the totals, a row per dataset, and the samples the two
 * scored differently, each a link to the sample in its run.
 */
export function Compare({ runs, a, b }: { runs: RunRow[]; a: string | null; b: string | null }) {
  const [, navigate] = useLocation();
  const [pick, setPick] = useState<{ a: string; b: string }>({ a: a ?? runs[0]?.key ?? '', b: b ?? runs[1]?.key ?? runs[0]?.key ?? '' });
  const [c, setC] = useState<Comparison | null>(null);
  const [samples, setSamples] = useState<[SampleRow[], SampleRow[]] | null>(null);
  useEffect(() => {
    if (a && b) setPick({ a, b });
    else if (!pick.a && runs.length) setPick({ a: runs[0]!.key, b: runs[1]?.key ?? runs[0]!.key });
  }, [a, b, runs.length]);
  useEffect(() => {
    if (!a || !b) return;
    let live = true;
    void Promise.all([api.compare(a, b), api.allSamples(a), api.allSamples(b)]).then(([cmp, sa, sb]) => {
      if (!live) return;
      setC(cmp?.comparison ?? null);
      setSamples([sa, sb]);
    });
    return () => {
      live = false;
    };
  }, [a, b]);
  const choose = (side: 'a' | 'b') => (e: Event) => setPick({ ...pick, [side]: (e.currentTarget as HTMLSelectElement).value });
  const datasets = samples ? [byDataset(samples[0]), byDataset(samples[1])] : null;
  const names = datasets ? [...new Set([...datasets[0]!.keys(), ...datasets[1]!.keys()])].sort() : [];
  const bById = new Map((samples?.[1] ?? []).map((s) => [s.test_id, s]));
  const diffs = (samples?.[0] ?? [])
    .filter((s) => {
      const o = bById.get(s.test_id);
      return o && (o.score !== s.score || o.max_score !== s.max_score);
    })
    .sort((x, y) => x.test_id.localeCompare(y.test_id));
  return (
    <section class="card" id="compare">
      <h3>
        Compare two runs <span class="muted">B − A</span>
      </h3>
      <div class="toolbar">
        {(['a', 'b'] as const).map((side) => (
          <label key={side}>
            {side.toUpperCase()}{' '}
            <select id={`cmp-${side}`} value={pick[side]} onChange={choose(side)}>
              {runs.map((r) => (
                <option key={r.key} value={r.key}>
                  {r.run_id}
                </option>
              ))}
            </select>
          </label>
        ))}
        <button id="cmp-go" type="button" onClick={() => navigate(comparePath(pick.a, pick.b))}>
          Compare
        </button>
      </div>
      <table>
        <PlainHead cols={['', 'A', 'B', 'B − A']} />
        <tbody id="cmp-rows">
          {c && a && b
            ? (
                [
                  ['run', c.run_a.run_id, c.run_b.run_id, null],
                  ['agent', c.run_a.agent, c.run_b.agent, null],
                  ['score', scoreText(c.run_a.score, c.run_a.max_score), scoreText(c.run_b.score, c.run_b.max_score), num(c.delta.score, 2)],
                  ['score rate', pct(rate(c.run_a)), pct(rate(c.run_b)), pts(c.delta.score_rate)],
                  ['success rate', pct(c.run_a.success_rate), pct(c.run_b.success_rate), pts(c.delta.success_rate)],
                  ['latency p50 (ms)', num(c.run_a.metrics.latency_ms.p50, 0), num(c.run_b.metrics.latency_ms.p50, 0), num(c.delta.latency_p50_ms, 0)],
                  ['cost (USD)', num(c.run_a.cost_usd, 4), num(c.run_b.cost_usd, 4), num(c.delta.cost_usd, 4)],
                ] as (string | number | null)[][]
              ).map((row) => (
                <tr key={String(row[0])}>
                  <Cells values={row} />
                </tr>
              ))
            : null}
        </tbody>
      </table>
      {datasets && a && b ? (
        <>
          <h4>Per dataset</h4>
          <table>
            <PlainHead cols={['Dataset', 'A', 'B', 'B − A']} />
            <tbody id="cmp-datasets">
              {names.map((d) => {
                const x = datasets[0]!.get(d);
                const y = datasets[1]!.get(d);
                const rx = x && x.max ? x.score / x.max : null;
                const ry = y && y.max ? y.score / y.max : null;
                return (
                  <tr key={d}>
                    <Cells values={[d, x ? `${pct(rx)} (${scoreText(x.score, x.max)})` : null, y ? `${pct(ry)} (${scoreText(y.score, y.max)})` : null, rx !== null && ry !== null ? pts(ry - rx) : null]} />
                  </tr>
                );
              })}
            </tbody>
          </table>
          <h4>
            Samples scored differently <span class="muted" id="cmp-diff-count">{`${diffs.length} of ${samples![0].length}`}</span>
          </h4>
          <table>
            <PlainHead cols={['Test', 'Dataset', 'A', 'B']} />
            <tbody id="cmp-diff">
              {diffs.map((s) => {
                const o = bById.get(s.test_id)!;
                return (
                  <tr key={s.test_id}>
                    <td>{s.test_id}</td>
                    <td>{s.dataset}</td>
                    <td>
                      <a href={`#${samplePath(a, s.test_id)}`}>{`${s.status} ${scoreText(s.score, s.max_score)}`}</a>
                    </td>
                    <td>
                      <a href={`#${samplePath(b, o.test_id)}`}>{`${o.status} ${scoreText(o.score, o.max_score)}`}</a>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
