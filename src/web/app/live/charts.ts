import type * as ECharts from 'echarts';
import { $ } from './dom.js';
import { CHARTS, type ChartName, type Series } from './series.js';

/** ECharts, loaded by index.html as a global script (assets/echarts.min.js); absent, the page still runs without charts. */
declare const echarts: typeof ECharts | undefined;

type Pieces = { lt?: number; gte?: number; color: string }[];

/** Colour bands of the charts whose value means something by itself. */
const BANDS: Partial<Record<ChartName, Pieces>> = {
  cpu: [{ lt: 20, color: '#2fbf71' }, { gte: 20, lt: 50, color: '#3b82f6' }, { gte: 50, lt: 70, color: '#f0c020' }, { gte: 70, color: '#e5484d' }],
  temp: [{ lt: 50, color: '#3b82f6' }, { gte: 50, lt: 70, color: '#2fbf71' }, { gte: 70, lt: 85, color: '#f0c020' }, { gte: 85, lt: 95, color: '#f08020' }, { gte: 95, color: '#e5484d' }],
};

function optionFor(name: ChartName): ECharts.EChartsOption {
  const bands = BANDS[name];
  return {
    animation: false,
    grid: { left: 40, right: 8, top: 8, bottom: 20 },
    xAxis: { type: 'category', data: [], axisLabel: { color: '#8795a6', fontSize: 10 } },
    yAxis: { type: 'value', min: 0, ...(name === 'success' ? { max: 100 } : {}), axisLabel: { color: '#8795a6', fontSize: 10 }, splitLine: { lineStyle: { color: '#2a3340' } } },
    tooltip: { trigger: 'axis' },
    series: [{ type: 'line', showSymbol: false, data: [], lineStyle: { width: 2 }, areaStyle: { opacity: 0.15 } }],
    ...(bands ? { visualMap: { show: false, pieces: bands, dimension: 1 } } : {}),
  };
}

/** The seven line charts: drawn from the series, each with an overlay that says why it is empty. */
export class Charts {
  private readonly charts: Partial<Record<ChartName, ECharts.EChartsType>> = {};

  constructor(private readonly series: Series) {}

  init(): void {
    if (typeof echarts === 'undefined') return;
    for (const name of CHARTS) {
      const chart = echarts.init($(`chart-${name}`), null, { renderer: 'canvas' });
      chart.setOption(optionFor(name));
      this.charts[name] = chart;
    }
    window.addEventListener('resize', () => Object.values(this.charts).forEach((c) => c.resize()));
  }

  /** A chart shown again takes its box's size. */
  resize(name: string): void {
    this.charts[name as ChartName]?.resize();
  }

  draw(): void {
    for (const name of CHARTS) {
      const points = this.series.points[name];
      const overlay = $(`overlay-${name}`);
      const gpuChart = name === 'gpu' || name === 'temp';
      const empty = points.length === 0 || points.every((p) => p[1] === null);
      overlay.classList.toggle('hidden', !empty);
      if (empty) overlay.textContent = gpuChart ? 'no GPU' : name === 'success' ? 'no test scored yet' : 'no samples yet';
      const chart = this.charts[name];
      if (!chart || empty) continue;
      chart.setOption({ xAxis: { data: points.map((p) => p[0]) }, series: [{ data: points.map((p) => p[1]) }] });
    }
  }
}
