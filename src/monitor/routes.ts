import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MonitorHub } from './hub.js';
import { fail, parseQuery, SECURITY_HEADERS, sendJson } from './http-reply.js';
import type { SseClients } from './sse-clients.js';
import {
  CompareQuerySchema,
  compareView,
  CostsQuerySchema,
  costsView,
  MetricsQuerySchema,
  metricsView,
  RunsQuerySchema,
  runsView,
  snapshotView,
  StatusQuerySchema,
  statusView,
  WorkersQuerySchema,
  workersView,
} from './views.js';
import {
  ViewExportQuerySchema,
  viewExport,
  ViewMatrixQuerySchema,
  viewMatrix,
  ViewReportQuerySchema,
  viewReport,
  ViewRunsQuerySchema,
  viewRuns,
  ViewSampleQuerySchema,
  viewSample,
  ViewSamplesQuerySchema,
  viewSamples,
} from './viewer.js';

/** One endpoint: it answers the request (a JSON body, a stream, a file). */
export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/** A JSON endpoint; a promise (a sample read from disk) is answered when it settles, without blocking the others. */
function json(view: (url: URL) => unknown): Route {
  return (_req, res, url) => {
    const body = view(url);
    if (body instanceof Promise) body.then((b) => sendJson(res, 200, b), (err: unknown) => fail(res, err));
    else sendJson(res, 200, body);
  };
}

/** A run's report.html or a match's comparison report: it inlines its own scripts, so it runs sandboxed (an opaque origin: no API). */
const REPORT_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:",
};

/**
 * The monitor's API as a table: path → route. The live page and the viewer read the views
 * (REST), the stream (SSE), the reports and the exports; nothing here reads a file itself.
 */
export function apiRoutes(hub: MonitorHub, sse: SseClients, options: { phoenixUrl?: string | undefined }): Record<string, Route> {
  const stream: Route = (req, res, url) => sse.stream(req, res, url);
  return {
    '/api/benchmark/status': json((url) => statusView(hub, parseQuery(StatusQuerySchema, url))),
    '/api/benchmark/costs': json((url) => costsView(hub, parseQuery(CostsQuerySchema, url))),
    '/api/benchmark/metrics': json((url) => metricsView(hub, parseQuery(MetricsQuerySchema, url))),
    '/api/benchmark/workers': json((url) => workersView(hub, parseQuery(WorkersQuerySchema, url))),
    '/api/benchmark/runs': json((url) => runsView(hub, parseQuery(RunsQuerySchema, url))),
    '/api/benchmark/compare': json((url) => compareView(hub, parseQuery(CompareQuerySchema, url))),
    '/api/benchmark/snapshot': json(() => snapshotView(hub)),
    '/api/benchmark/telemetry/stream': stream,
    '/api/benchmark-sse': stream,
    '/api/view/runs': json((url) => viewRuns(hub, parseQuery(ViewRunsQuerySchema, url))),
    '/api/view/samples': json((url) => viewSamples(hub, parseQuery(ViewSamplesQuerySchema, url))),
    '/api/view/sample': json((url) => viewSample(hub, parseQuery(ViewSampleQuerySchema, url))),
    '/api/view/matrix': json((url) => viewMatrix(hub, parseQuery(ViewMatrixQuerySchema, url))),
    '/api/view/config': json(() => ({ phoenix_url: options.phoenixUrl ?? null })),
    '/api/view/report': (_req, res, url) => {
      const report = viewReport(hub, parseQuery(ViewReportQuerySchema, url));
      res.writeHead(200, REPORT_HEADERS);
      res.end(report);
    },
    '/api/view/export': (_req, res, url) => {
      viewExport(hub, parseQuery(ViewExportQuerySchema, url)).then((file) => {
        res.writeHead(200, { 'Content-Type': file.type, 'Content-Disposition': `attachment; filename="${file.filename.replace(/[^\w.-]/g, '_')}"`, 'Cache-Control': 'no-store', ...SECURITY_HEADERS });
        res.end(file.body);
      }, (err: unknown) => fail(res, err));
    },
  };
}
