import { CategoryScale, Chart, Filler, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartConfiguration } from 'chart.js';
import { memo } from 'preact/compat';
import { useEffect, useRef } from 'preact/hooks';
import { CHARTS, type ChartName, type Series } from './series.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Filler, Tooltip);

/** Each chart's title, unit and what its overlay says while it has nothing to draw. */
const META: Record<ChartName, { title: string; unit: string; empty: string }> = {
  tps: { title: 'TPS', unit: 'tokens/s', empty: 'no samples yet' },
  success: { title: 'Success', unit: '% of scored tests, by test', empty: 'no test scored yet' },
  fd: { title: 'FD', unit: 'open file descriptors', empty: 'no samples yet' },
  cpu: { title: 'CPU', unit: '%', empty: 'no samples yet' },
  disk: { title: 'Disk', unit: 'MB/s', empty: 'no samples yet' },
  gpu: { title: 'GPU', unit: '%', empty: 'no GPU' },
  temp: { title: 'Temp', unit: 'GPU °C', empty: 'no GPU' },
};

export const CHART_LABELS: Record<ChartName, string> = { tps: 'TPS', success: 'Success', fd: 'FD', cpu: 'CPU', disk: 'Disk', gpu: 'GPU %', temp: 'Temp' };

/** Colour bands of the charts whose value means something by itself: [upper bound, colour]. */
const BANDS: Partial<Record<ChartName, [number, string][]>> = {
  cpu: [[20, '#2fbf71'], [50, '#3b82f6'], [70, '#f0c020'], [Infinity, '#e5484d']],
  temp: [[50, '#3b82f6'], [70, '#2fbf71'], [85, '#f0c020'], [95, '#f08020'], [Infinity, '#e5484d']],
};

const bandColour = (bands: [number, string][], y: number): string => (bands.find(([upTo]) => y < upTo) ?? bands[bands.length - 1]!)[1];

function config(name: ChartName): ChartConfiguration<'line', (number | null)[], string> {
  const bands = BANDS[name];
  const axis = { color: '#8795a6', font: { size: 10 } };
  return {
    type: 'line',
    data: {
      labels: [],
      datasets: [
        {
          data: [],
          borderColor: '#3b82f6',
          backgroundColor: 'rgba(59, 130, 246, 0.15)',
          borderWidth: 2,
          pointRadius: 0,
          fill: true,
          ...(bands ? { segment: { borderColor: (ctx: { p1: { parsed: { y: number | null } } }) => bandColour(bands, ctx.p1.parsed.y ?? 0) } } : {}),
        },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: false }, tooltip: { mode: 'index', intersect: false } },
      scales: {
        x: { ticks: { ...axis, maxTicksLimit: 6, maxRotation: 0 }, grid: { display: false } },
        y: { min: 0, ...(name === 'success' ? { max: 100 } : {}), ticks: axis, grid: { color: '#2a3340' } },
      },
    },
  };
}

/** One line chart over the series' points, with an overlay saying why it is empty (Chart.js, as the reports and the viewer draw). */
function LineChart({ name, series, hidden }: { name: ChartName; series: Series; version: number; hidden: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'line', (number | null)[], string> | null>(null);
  useEffect(() => {
    chart.current = new Chart(canvas.current!, config(name));
    return () => chart.current?.destroy();
  }, []);
  const points = series.points[name];
  const empty = points.length === 0 || points.every((p) => p[1] === null || p[1] === undefined);
  useEffect(() => {
    const c = chart.current;
    if (!c || empty) return;
    c.data.labels = points.map((p) => p[0]);
    c.data.datasets[0]!.data = points.map((p) => p[1] ?? null);
    c.update('none');
  });
  const meta = META[name];
  return (
    <div class={`chart-box${hidden ? ' hidden' : ''}`} id={`box-${name}`}>
      <h3>
        {meta.title} <span class="muted">{meta.unit}</span>
      </h3>
      <div class="chart" id={`chart-${name}`}>
        <canvas ref={canvas} aria-label={`${meta.title} chart`} />
      </div>
      <div class={`overlay${empty ? '' : ' hidden'}`} id={`overlay-${name}`}>
        {meta.empty}
      </div>
    </div>
  );
}

/** The seven charts of the current run; `hidden` names those the toolbar turned off. */
export const LiveCharts = memo(function LiveCharts({ series, version, hidden }: { series: Series; version: number; hidden: Set<string> }) {
  return (
    <section class="charts" id="charts">
      {CHARTS.map((name) => (
        <LineChart key={name} name={name} series={series} version={version} hidden={hidden.has(name)} />
      ))}
    </section>
  );
});
