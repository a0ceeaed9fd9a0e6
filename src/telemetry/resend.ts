/**
 * Spans that failed to export during a run are sent again before the process
 * exits (issue 24): a collector that was down for part of a run ends with
 * every span, without a manual `referee replay`. They are read back from the
 * run's spans.jsonl (the record keeps every span whole; export-gate.ts kept
 * only their ids), each span once, and POSTed as OTLP/HTTP JSON with its
 * original ids, timestamps and resource, as `replay` does. Over gRPC export
 * there is no OTLP/HTTP endpoint to send them to: `referee replay` remains.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getStringFromEnv } from '@opentelemetry/core';
import { httpPost } from '../net/http-post.js';
import { collectorReachable, failedSpans, spanKey } from './export-gate.js';
import { parseHeaders, replayUrls } from './replay.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
}
interface TraceRequest {
  resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

export interface ResendResult {
  /** Spans sent again and accepted. */
  resent: number;
  /** Spans that failed to export and are still not sent (the collector still down, or gRPC export). */
  unsent: number;
  /** Of the failed spans, those found in these run directories' spans.jsonl (sent again or not). */
  found: number;
}

/**
 * Sends again the failed spans found in the runs' spans.jsonl; at most `timeoutMs` per request. Where
 * the collector cannot be reached, the files are read only to count (`count`), never at the exit.
 */
export async function resendFailedSpans(runDirs: Iterable<string>, timeoutMs: number, env: NodeJS.ProcessEnv = process.env, count = false): Promise<ResendResult> {
  if (failedSpans.size === 0) return { resent: 0, unsent: 0, found: 0 };
  const protocol = (getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? getStringFromEnv('OTEL_EXPORTER_OTLP_PROTOCOL'))?.trim() || 'http/protobuf';
  const url = replayUrls(env).traces;
  const reachable = protocol !== 'grpc' && !!url && (await collectorReachable(new URL(url), true));
  if (!reachable && !count) return { resent: 0, unsent: failedSpans.size, found: 0 };
  const headers = { 'content-type': 'application/json', ...parseHeaders(env['OTEL_EXPORTER_OTLP_HEADERS']), ...parseHeaders(env['OTEL_EXPORTER_OTLP_TRACES_HEADERS']) };
  let resent = 0;
  let found = 0;
  const sent = new Set<string>();
  for (const dir of runDirs) {
    const file = join(dir, 'spans.jsonl');
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let req: TraceRequest;
      try {
        req = JSON.parse(line) as TraceRequest;
      } catch {
        continue; // a torn last line
      }
      let inLine = 0;
      const keys: string[] = [];
      const resourceSpans = (req.resourceSpans ?? [])
        .map((rs) => ({
          ...rs,
          scopeSpans: (rs.scopeSpans ?? [])
            .map((ss) => ({
              ...ss,
              spans: (ss.spans ?? []).filter((s) => {
                const key = spanKey(s.traceId, s.spanId);
                if (!failedSpans.has(key) || sent.has(key)) return false;
                sent.add(key);
                keys.push(key);
                inLine++;
                return true;
              }),
            }))
            .filter((ss) => ss.spans.length > 0),
        }))
        .filter((rs) => rs.scopeSpans.length > 0);
      if (inLine === 0) continue;
      found += inLine;
      if (!reachable) continue;
      try {
        const res = await httpPost(url!, headers, JSON.stringify({ resourceSpans }), AbortSignal.timeout(timeoutMs));
        await res.text().catch(() => '');
        if (!res.ok) continue;
      } catch {
        continue;
      }
      for (const k of keys) failedSpans.delete(k);
      resent += inLine;
    }
  }
  return { resent, unsent: failedSpans.size, found };
}
