import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RefereeError, RunDirError } from '../errors.js';

export interface ReplayOptions {
  /** A finished (or interrupted) run directory holding spans.jsonl / metrics.jsonl. */
  runDir: string;
  /**
   * OTLP/HTTP base URL; `/v1/traces` and `/v1/metrics` are appended.
   * @default OTEL_EXPORTER_OTLP_ENDPOINT, else http://127.0.0.1:4318
   */
  endpoint?: string;
  /** Extra request headers; by default from OTEL_EXPORTER_OTLP_HEADERS (`k=v,k2=v2`). */
  headers?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  /** Per-request time limit. @default 10000 */
  timeoutMs?: number;
}

export interface ReplayResult {
  endpoint: string;
  traceRequests: number;
  spans: number;
  metricRequests: number;
  dataPoints: number;
  /** Lines that were not JSON (a torn last line of an interrupted run). */
  skippedLines: number;
}

interface TraceRequest {
  resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[];
}
interface MetricsRequest {
  resourceMetrics?: { scopeMetrics?: { metrics?: Record<string, { dataPoints?: unknown[] } | unknown>[] }[] }[];
}

function parseHeaders(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out[decodeURIComponent(part.slice(0, i).trim())] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

function readLines(file: string): { bodies: string[]; skipped: number } {
  if (!existsSync(file)) return { bodies: [], skipped: 0 };
  const bodies: string[] = [];
  let skipped = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      JSON.parse(line);
      bodies.push(line);
    } catch {
      skipped++;
    }
  }
  return { bodies, skipped };
}

/**
 * Re-sends a run's spans.jsonl and metrics.jsonl over OTLP/HTTP JSON. Each
 * line is already an `ExportTraceServiceRequest` / `ExportMetricsServiceRequest`
 * in OTLP-JSON, so it is POSTed unchanged: trace and span ids, timestamps and
 * the resource (Phoenix project, run id) are the original ones. Receivers that
 * accept only protobuf (Phoenix itself) are reached through the collector.
 */
export async function replayRun(options: ReplayOptions): Promise<ReplayResult> {
  const env = options.env ?? process.env;
  const spansFile = join(options.runDir, 'spans.jsonl');
  const metricsFile = join(options.runDir, 'metrics.jsonl');
  if (!existsSync(spansFile) && !existsSync(metricsFile)) {
    throw new RunDirError('RUN_DIR_INVALID', `${options.runDir}: no spans.jsonl or metrics.jsonl to replay`);
  }
  const endpoint = (options.endpoint ?? env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318').replace(/\/+$/, '');
  const headers = { 'content-type': 'application/json', ...parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS), ...options.headers };
  const timeoutMs = options.timeoutMs ?? 10_000;

  const post = async (path: string, body: string): Promise<void> => {
    const url = `${endpoint}${path}`;
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new RefereeError('REPLAY_FAILED', `${url}: could not send (${cause})`, { cause: err, exitCode: 1 });
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) throw new RefereeError('REPLAY_FAILED', `${url}: HTTP ${res.status} ${text.slice(0, 200)}`, { exitCode: 1 });
  };

  const spans = readLines(spansFile);
  const metricLines = readLines(metricsFile);
  const result: ReplayResult = { endpoint, traceRequests: 0, spans: 0, metricRequests: 0, dataPoints: 0, skippedLines: spans.skipped + metricLines.skipped };
  for (const body of spans.bodies) {
    const req = JSON.parse(body) as TraceRequest;
    await post('/v1/traces', body);
    result.traceRequests++;
    for (const rs of req.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) result.spans += ss.spans?.length ?? 0;
  }
  for (const body of metricLines.bodies) {
    const req = JSON.parse(body) as MetricsRequest;
    await post('/v1/metrics', body);
    result.metricRequests++;
    for (const rm of req.resourceMetrics ?? [])
      for (const sm of rm.scopeMetrics ?? [])
        for (const m of sm.metrics ?? []) {
          for (const v of Object.values(m as Record<string, unknown>)) {
            const points = (v as { dataPoints?: unknown[] } | null)?.dataPoints;
            if (Array.isArray(points)) result.dataPoints += points.length;
          }
        }
  }
  return result;
}
