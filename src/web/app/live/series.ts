import { round, timeLabel } from './format.js';
import type { RunView, TelemetrySample } from './types.js';

export const CHARTS = ['tps', 'success', 'fd', 'cpu', 'disk', 'gpu', 'temp'] as const;
export type ChartName = (typeof CHARTS)[number];
/** A chart's point: its x label and its value (null: no reading). */
export type Point = [string, number | null | undefined];

const SUCCESS_CAP = 1000;
/** Points kept per telemetry chart (the server keeps as many samples). */
export const WINDOW = 60;

/**
 * The points the charts draw for the current run: telemetry samples, tokens/s as turns end
 * and the success rate as tests are scored. Data only; charts.ts draws them.
 */
export class Series {
  readonly points: Record<ChartName, Point[]> = { tps: [], success: [], fd: [], cpu: [], disk: [], gpu: [], temp: [] };
  /** The first GPU's temperature in the last sample; null without a GPU. */
  gpuTemp: number | null | undefined = undefined;
  /** Telemetry carries tokens/s: the turns' own rate is not charted beside it. */
  hasTelemetryTps = false;

  /** `changed` is told whenever a point comes or goes. */
  constructor(private readonly changed: () => void) {}

  push(name: ChartName, ts: string | number | undefined, value: number | null | undefined): void {
    const s = this.points[name];
    s.push([name === 'success' ? String(ts) : timeLabel(ts), value]);
    if (s.length > (name === 'success' ? SUCCESS_CAP : WINDOW)) s.shift();
    this.changed();
  }

  addTelemetry(sample: TelemetrySample): void {
    const ts = sample.ts;
    if (typeof sample.tokens_per_s === 'number') this.push('tps', ts, sample.tokens_per_s);
    if ('open_fds' in sample) this.push('fd', ts, sample.open_fds);
    if (typeof sample.cpu_pct === 'number') this.push('cpu', ts, round(sample.cpu_pct, 1));
    if ('disk_mb_s' in sample) this.push('disk', ts, sample.disk_mb_s === null ? null : round(sample.disk_mb_s, 2));
    const gpu = Array.isArray(sample.gpus) && sample.gpus.length ? sample.gpus[0] : null;
    // No `gpus` field means no GPU: the charts say so rather than draw zeros.
    if (gpu) {
      this.push('gpu', ts, gpu.util_pct);
      this.push('temp', ts, gpu.temp_c);
      this.gpuTemp = gpu.temp_c;
    } else {
      this.points.gpu.length = 0;
      this.points.temp.length = 0;
      this.gpuTemp = null;
    }
    this.hasTelemetryTps = this.hasTelemetryTps || typeof sample.tokens_per_s === 'number';
  }

  /** Starts over on `run`'s points (none for no run). */
  reset(run: RunView | undefined): void {
    for (const s of Object.values(this.points)) s.length = 0;
    this.hasTelemetryTps = false;
    this.gpuTemp = null;
    // issue 17: a run still being read has partial series; it is drawn once `loaded`.
    if (run && run.loading) run = undefined;
    for (const sample of (run && run.telemetry) || []) this.addTelemetry(sample);
    if (run && !this.hasTelemetryTps) for (const p of run.tps || []) this.push('tps', p.ts, round(p.tokens_per_s, 1));
    for (const p of (run && run.success_over_time) || []) this.push('success', p.task_idx, round(100 * p.success_rate, 1));
    this.changed();
  }
}
