#!/usr/bin/env node
// Writes dashboards/referee-benchmark.json from the panel list below, so the
// panels stay consistent (one selector, one datasource, one grid). Run it after
// editing: `node dashboards/generate.mjs`. The metric names are the ones the
// collector's Prometheus exporter produces from src/telemetry/names.ts
// (dots become underscores; units and `_total` are appended; the collector pushes them
// with remote write), as checked by
// `npm run test:stack` against a real Prometheus.
import { writeFileSync } from 'node:fs';

const DS = { type: 'prometheus', uid: 'referee-prometheus' };
const S = 'referee_run_id=~"$run", referee_agent_name=~"$agent"';

// issue 16: percentiles of everything the run has done so far (the cumulative buckets),
// not of a rate() window: a rate needs two samples inside its window, so a run shorter
// than an export interval or two showed NaN. Works for a run of any length.
const quantiles = (metric, by = '') =>
  [0.5, 0.95, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (le${by}) (${metric}_bucket{${S}}))`,
    legendFormat: `p${Math.round(q * 100)}`,
  }));
const runQuantiles = (metric) =>
  [0.5, 0.95, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (le, referee_run_id) (max_over_time(${metric}_bucket{${S}}[$__range])))`,
    legendFormat: `p${Math.round(q * 100)} {{referee_run_id}}`,
    instant: true,
  }));

/** [title, type, unit, targets, width, description?] rows of the grid, in order. */
const sections = [
  [
    'Run progress',
    [
      ['Turns done / total', 'timeseries', 'none', [
        { expr: `max by (referee_run_id) (referee_progress_turns_done{${S}})`, legendFormat: 'done {{referee_run_id}}' },
        { expr: `max by (referee_run_id) (referee_progress_turns_total{${S}})`, legendFormat: 'total {{referee_run_id}}' },
      ], 10],
      ['Tests done / total', 'timeseries', 'none', [
        { expr: `max by (referee_run_id) (referee_progress_tests_done{${S}})`, legendFormat: 'done {{referee_run_id}}' },
        { expr: `max by (referee_run_id) (referee_progress_tests_total{${S}})`, legendFormat: 'total {{referee_run_id}}' },
      ], 10],
      ['Progress', 'gauge', 'percentunit', [
        { expr: `sum(max by (referee_run_id) (referee_progress_turns_done{${S}})) / sum(max by (referee_run_id) (referee_progress_turns_total{${S}}))`, legendFormat: 'turns' },
      ], 4],
    ],
  ],
  [
    'Latency (p50 / p95 / p99)',
    [
      ['Turn latency', 'timeseries', 's', quantiles('referee_turn_duration_seconds'), 8],
      ['LLM call latency (gen_ai.client.operation.duration)', 'timeseries', 's', quantiles('gen_ai_client_operation_duration_seconds'), 8],
      ['Time to first chunk', 'timeseries', 's', quantiles('gen_ai_client_time_to_first_chunk_seconds'), 8],
      ['Storage latency (memory reads and writes per turn)', 'timeseries', 's', quantiles('referee_storage_duration_seconds'), 8],
      ['Evaluation latency', 'timeseries', 's', quantiles('referee_evaluation_duration_seconds'), 8],
      ['Whole-run turn percentiles', 'bargauge', 's', runQuantiles('referee_turn_duration_seconds'), 4],
      ['Whole-run LLM percentiles', 'bargauge', 's', runQuantiles('gen_ai_client_operation_duration_seconds'), 4],
    ],
  ],
  [
    'Tokens and cost',
    [
      ['Token throughput', 'timeseries', 'short', [
        // Tokens over the run's elapsed time: defined from the first export on (issue 16).
        { expr: `sum by (gen_ai_token_type) (gen_ai_client_token_usage_sum{${S}}) / scalar(max(referee_progress_elapsed_seconds{${S}}) > 0)`, legendFormat: '{{gen_ai_token_type}} tokens/s' },
      ], 8],
      ['Output tokens/s (sampler)', 'timeseries', 'short', [
        { expr: `sum by (referee_run_id) (referee_tokens_throughput_per_second{${S}})`, legendFormat: '{{referee_run_id}}' },
      ], 6],
      ['Tokens', 'stat', 'short', [
        { expr: `sum by (gen_ai_token_type) (gen_ai_client_token_usage_sum{${S}})`, legendFormat: '{{gen_ai_token_type}}' },
      ], 5],
      ['Cost (USD)', 'stat', 'currencyUSD', [{ expr: `sum(referee_cost_usd_total{${S}})`, legendFormat: 'cost' }], 5],
    ],
  ],
  [
    'Stalls and errors',
    [
      ['Turns by status', 'timeseries', 'none', [
        { expr: `sum by (referee_status) (referee_turns_total{${S}})`, legendFormat: '{{referee_status}}' },
      ], 8],
      ['Failed turns by reason', 'timeseries', 'short', [
        { expr: `sum by (referee_reason) (referee_turns_total{${S}, referee_status="error"})`, legendFormat: '{{referee_reason}}' },
      ], 8],
      ['Retries and stalls', 'stat', 'none', [
        { expr: `sum(referee_retries_total{${S}})`, legendFormat: 'retries' },
        { expr: `sum(referee_stalls_total{${S}})`, legendFormat: 'stall warnings' },
      ], 8],
    ],
  ],
  [
    'System',
    [
      ['CPU', 'timeseries', 'percentunit', [{ expr: `max by (referee_run_id) (system_cpu_utilization_ratio{${S}})`, legendFormat: '{{referee_run_id}}' }], 6],
      ['Memory', 'timeseries', 'bytes', [
        { expr: `max(system_memory_usage_bytes{${S}})`, legendFormat: 'used' },
        { expr: `max(system_memory_limit_bytes{${S}})`, legendFormat: 'total' },
        { expr: `max by (referee_run_id) (process_memory_usage_bytes{${S}})`, legendFormat: 'referee RSS {{referee_run_id}}' },
      ], 6],
      ['Open file descriptors', 'timeseries', 'none', [{ expr: `max by (referee_run_id) (process_open_file_descriptor_count{${S}})`, legendFormat: '{{referee_run_id}}' }], 6],
      ['Disk throughput', 'timeseries', 'Bps', [{ expr: `max(referee_system_disk_throughput_bytes_per_second{${S}})`, legendFormat: 'read+write' }], 6],
    ],
  ],
  [
    'GPU (NVIDIA only: no data on a machine without one)',
    [
      ['GPU utilization', 'timeseries', 'percentunit', [{ expr: `max by (hw_id, hw_name) (hw_gpu_utilization_ratio{${S}})`, legendFormat: 'GPU {{hw_id}} {{hw_name}}' }], 8],
      ['GPU temperature', 'timeseries', 'celsius', [{ expr: `max by (hw_id, hw_name) (hw_temperature_celsius{${S}, hw_type="gpu"})`, legendFormat: 'GPU {{hw_id}}' }], 8],
      ['GPU memory', 'timeseries', 'bytes', [
        { expr: `max by (hw_id) (hw_gpu_memory_usage_bytes{${S}})`, legendFormat: 'used GPU {{hw_id}}' },
        { expr: `max by (hw_id) (hw_gpu_memory_limit_bytes{${S}})`, legendFormat: 'total GPU {{hw_id}}' },
      ], 8],
    ],
  ],
];

let id = 1;
let y = 0;
const panels = [];
for (const [rowTitle, row] of sections) {
  panels.push({ id: id++, type: 'row', title: rowTitle, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
  y += 1;
  let x = 0;
  for (const [title, type, unit, targets, w] of row) {
    if (x + w > 24) {
      x = 0;
      y += 8;
    }
    panels.push({
      id: id++,
      type,
      title,
      datasource: DS,
      gridPos: { h: 8, w, x, y },
      fieldConfig: { defaults: { unit }, overrides: [] },
      options: type === 'timeseries' ? { legend: { displayMode: 'list', placement: 'bottom' } } : { reduceOptions: { calcs: ['lastNotNull'] } },
      targets: targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), datasource: DS, range: !t.instant, instant: Boolean(t.instant), ...t })),
    });
    x += w;
  }
  y += 8;
}

const variable = (name, label, query) => ({
  name,
  label,
  type: 'query',
  datasource: DS,
  query: { query, refId: `${name}-values` },
  definition: query,
  refresh: 2,
  multi: true,
  includeAll: true,
  allValue: '.*',
  current: { selected: true, text: ['All'], value: ['$__all'] },
  sort: 1,
});

const dashboard = {
  uid: 'referee-benchmark',
  title: 'Referee benchmark',
  description: 'Run progress, latency percentiles, tokens, cost, stalls and errors, system and GPU telemetry of referee runs (OpenTelemetry via the collector).',
  tags: ['referee', 'opentelemetry', 'gen_ai'],
  schemaVersion: 39,
  version: 1,
  editable: true,
  refresh: '5s',
  time: { from: 'now-1h', to: 'now' },
  timezone: 'browser',
  templating: {
    list: [
      variable('run', 'Run', 'label_values(referee_progress_turns_total, referee_run_id)'),
      variable('agent', 'Agent', 'label_values(referee_progress_turns_total{referee_run_id=~"$run"}, referee_agent_name)'),
    ],
  },
  annotations: { list: [] },
  panels,
};

writeFileSync(new URL('./referee-benchmark.json', import.meta.url), JSON.stringify(dashboard, null, 2) + '\n');
