import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RefereeError, RunDirError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { httpPost, type HttpPostResponse } from '../net/http-post.js';

export interface ReplayOptions {
  /** A finished (or interrupted) run directory holding spans.jsonl / metrics.jsonl. */
  runDir: string;
  /**
   * OTLP/HTTP base URL; `/v1/traces` and `/v1/metrics` are appended.
   * @default the signal-specific OTEL_EXPORTER_OTLP_{TRACES,METRICS}_ENDPOINT (full URLs),
   * else OTEL_EXPORTER_OTLP_ENDPOINT, else http://127.0.0.1:4318 (issue 16)
   */
  endpoint?: string;
  /** Extra request headers; by default from OTEL_EXPORTER_OTLP_HEADERS (`k=v,k2=v2`). */
  headers?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  /** Per-request time limit. @default 10000 */
  timeoutMs?: number;
}

export interface ReplayResult {
  /** Where the spans went (a `/v1/traces` URL), or null where traces were not sent. */
  tracesUrl: string | null;
  /** Where the metrics went (a `/v1/metrics` URL), or null where metrics were not sent. */
  metricsUrl: string | null;
  /** Why metrics were not sent, where they were not (a traces-only receiver such as Phoenix). */
  metricsSkipped?: string;
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

export function parseHeaders(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out[decodeURIComponent(part.slice(0, i).trim())] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

/**
 * The URL of each signal, as the OTLP exporter specification resolves it: the
 * signal-specific variable is the full URL; the general one is a base that
 * gets `/v1/{signal}`. Only a signal-specific endpoint set (and no general one)
 * means the other signal has nowhere to go, so it is not sent.
 */
export function replayUrls(env: NodeJS.ProcessEnv, endpoint?: string): { traces: string | null; metrics: string | null } {
  const v = (name: string): string | undefined => env[name]?.trim() || undefined;
  const base = (endpoint ?? v('OTEL_EXPORTER_OTLP_ENDPOINT'))?.replace(/\/+$/, '');
  const traces = endpoint ? undefined : v('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const metrics = endpoint ? undefined : v('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
  if (!base && (traces || metrics)) return { traces: traces ?? null, metrics: metrics ?? null };
  const root = base ?? 'http://127.0.0.1:4318';
  return { traces: traces ?? `${root}/v1/traces`, metrics: metrics ?? `${root}/v1/metrics` };
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
  const urls = replayUrls(env, options.endpoint);
  const headersFor = (signal: 'TRACES' | 'METRICS'): Record<string, string> => ({
    'content-type': 'application/json',
    ...parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
    ...parseHeaders(env[`OTEL_EXPORTER_OTLP_${signal}_HEADERS`]),
    ...options.headers,
  });
  const timeoutMs = options.timeoutMs ?? 10_000;

  const post = async (url: string, body: string, headers: Record<string, string>): Promise<void> => {
    let res: HttpPostResponse;
    try {
      // The client every request of Referee's uses: HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply here too.
      res = await httpPost(url, headers, body, AbortSignal.timeout(timeoutMs));
    } catch (err) {
      const cause = (err as { code?: string; cause?: { code?: string } }).code ?? (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new RefereeError('REPLAY_FAILED', `${url}: could not send (${cause})`, { cause: err, exitCode: EXIT.error });
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) throw new RefereeError('REPLAY_FAILED', `${url}: HTTP ${res.status} ${text.slice(0, 200)}`, { cause: { status: res.status }, exitCode: EXIT.error });
  };

  const spans = readLines(spansFile);
  const metricLines = readLines(metricsFile);
  const result: ReplayResult = {
    tracesUrl: urls.traces,
    metricsUrl: urls.metrics,
    traceRequests: 0,
    spans: 0,
    metricRequests: 0,
    dataPoints: 0,
    skippedLines: spans.skipped + metricLines.skipped,
  };
  for (const body of urls.traces ? spans.bodies : []) {
    const req = JSON.parse(body) as TraceRequest;
    await post(urls.traces!, body, headersFor('TRACES'));
    result.traceRequests++;
    for (const rs of req.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) result.spans += ss.spans?.length ?? 0;
  }
  for (const body of urls.metrics ? metricLines.bodies : []) {
    const req = JSON.parse(body) as MetricsRequest;
    try {
      await post(urls.metrics!, body, headersFor('METRICS'));
    } catch (err) {
      // issue 16: a traces-only receiver (Phoenix answers 405) gets the traces, and metrics are left out, said once.
      const status = ((err as Error).cause as { status?: number } | undefined)?.status;
      if (result.metricRequests > 0 || (status !== 404 && status !== 405)) throw err;
      result.metricsSkipped = `${urls.metrics} takes no metrics (HTTP ${status})`;
      result.metricsUrl = null;
      break;
    }
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
