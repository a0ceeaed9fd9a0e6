/**
 * Real OTLP receivers on loopback for the OTEL_* table (issue 16): an HTTP one
 * (JSON and protobuf) and a gRPC one (grpc-js, the transport the SDK's gRPC
 * exporters use). They record what arrives; nothing is mocked on the sending side.
 */
import * as grpc from '@grpc/grpc-js';
import { readdirSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readJsonl } from '../helpers.js';

export interface Received {
  path: string;
  contentType: string;
  body: Buffer;
}

export interface Receiver {
  url: string;
  received: Received[];
  close: () => Promise<void>;
}

export async function startHttpReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: String(req.headers['content-type']), body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((r) => server.close(() => r())) };
}

/** OTLP/gRPC: the trace and metrics services' Export, bodies kept as protobuf bytes. */
export async function startGrpcReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const server = new grpc.Server();
  const raw = (b: Buffer): Buffer => b;
  for (const [service, path] of [
    ['opentelemetry.proto.collector.trace.v1.TraceService', '/v1/traces'],
    ['opentelemetry.proto.collector.metrics.v1.MetricsService', '/v1/metrics'],
  ] as const) {
    const definition = {
      Export: {
        path: `/${service}/Export`,
        requestStream: false,
        responseStream: false,
        requestSerialize: raw,
        requestDeserialize: raw,
        responseSerialize: () => Buffer.alloc(0),
        responseDeserialize: raw,
      },
    };
    server.addService(definition, {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        received.push({ path, contentType: 'application/grpc', body: call.request });
        callback(null, Buffer.alloc(0));
      },
    });
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((r) => server.tryShutdown(() => r())) };
}

type KeyValue = { key: string; value: Record<string, unknown> };
export interface TraceRequest {
  resourceSpans: { resource: { attributes: KeyValue[] }; scopeSpans: { spans: { name: string }[] }[] }[];
}

export function spanNames(req: TraceRequest): string[] {
  return req.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans.map((sp) => sp.name)));
}

export function resourceAttr(req: TraceRequest, key: string): string | undefined {
  const v = req.resourceSpans[0]?.resource.attributes.find((a) => a.key === key)?.value;
  return v ? String(Object.values(v)[0]) : undefined;
}

/** A span as spans.jsonl records it (OTLP JSON). */
export interface RecordedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: KeyValue[];
  events?: { name: string }[];
  links?: { traceId: string; spanId: string; attributes: KeyValue[] }[];
}

/** Every span of a run directory's spans.jsonl. */
export function recordedSpans(runDir: string): RecordedSpan[] {
  return readJsonl<{ resourceSpans: { scopeSpans: { spans: RecordedSpan[] }[] }[] }>(join(runDir, 'spans.jsonl')).flatMap((l) => l.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
}

/** Every span name in the run directory's spans.jsonl (the run's own record). */
export function recordedSpanNames(outputDir: string): string[] {
  const [runId] = readdirSync(outputDir).filter((d) => !d.endsWith('.jsonl'));
  return readJsonl<TraceRequest>(join(outputDir, runId!, 'spans.jsonl')).flatMap(spanNames);
}
