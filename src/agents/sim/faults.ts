/**
 * Fault injection for the simulated model (issue 4), built on the server's
 * `intercept` seam: hang, HTTP errors with `Retry-After`, a malformed chunk, a
 * stream cut mid-way, a reset connection, a slow drip. Configured from the
 * agent config's `sim.faults`, so users can rehearse a bad night too.
 */
import type { ServerResponse } from 'node:http';
import type { SimFault } from '../../config/sim-faults.js';
import { createRng, deriveSeed } from '../../datasets/rng.js';
import { countTokens } from '../../tokens.js';
import { chunkPayload, sseData, splitReply, streamReply, type SimInterceptor } from './server.js';

/** The first fault of `faults` that call number `n` (1-based) meets, if any. */
export function faultForCall(faults: readonly SimFault[], n: number): SimFault | undefined {
  return faults.find((f) => {
    if (f.at) return f.at.includes(n);
    if (f.every) return n % f.every === 0;
    // Drawn per call number, not from a shared stream: call 7 meets the same fault whatever came before.
    if (f.rate !== undefined) return createRng(deriveSeed(f.seed, `fault/${n}`)).next() < f.rate;
    return false;
  });
}

/** An interceptor for `startSimServer({intercept})` that injects `faults`. */
export function createFaultInterceptor(faults: readonly SimFault[]): SimInterceptor {
  return async ({ requestNumber, request, plan, req, res }) => {
    const fault = faultForCall(faults, requestNumber);
    if (!fault) return undefined;
    const base = { id: `chatcmpl-sim-fault-${requestNumber}`, created: Math.floor(Date.now() / 1000), model: request.model, includeUsage: request.includeUsage };
    switch (fault.kind) {
      case 'hang':
        // Headers never leave: the client sees nothing until its own timeout.
        return 'handled';
      case 'reset':
        req.socket.destroy();
        return 'handled';
      case 'status': {
        const status = fault.status ?? 500;
        const body = JSON.stringify({ error: { message: `injected fault: HTTP ${status}`, type: status >= 500 ? 'server_error' : 'rate_limit_error', code: null } });
        res.writeHead(status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(fault.retry_after_s !== undefined ? { 'retry-after': String(fault.retry_after_s) } : {}),
        });
        res.end(body);
        return 'handled';
      }
      case 'malformed':
        startStream(res);
        res.write(sseData(chunkPayload(base, { role: 'assistant', content: '' }, null)));
        res.end(sseData('{"choices":[{"index":0,"delta":{"content":"trunc'));
        return 'handled';
      case 'cut': {
        startStream(res);
        const pieces = splitReply(plan.text);
        let out = sseData(chunkPayload(base, { role: 'assistant', content: '' }, null));
        for (const piece of pieces.slice(0, Math.floor(pieces.length / 2))) out += sseData(chunkPayload(base, { content: piece }, null));
        // Flush what was "generated", then drop the connection without a finish chunk.
        res.write(out, () => res.destroy());
        return 'handled';
      }
      case 'text': {
        // issue 22: a well-formed reply whose content is not the model's (a judge that ignores the format asked for).
        const text = fault.text ?? '';
        const own = { ...plan, text, completionTokens: countTokens(text), finishReason: 'stop' as const };
        if (!request.stream) return undefined;
        await streamReply(res, request, own, base.id, { ttftMs: 0, tokensPerSec: 0, latencyMs: 0 });
        return 'handled';
      }
      case 'drip':
        if (!request.stream) return undefined;
        await streamReply(res, request, plan, base.id, { ttftMs: 0, tokensPerSec: fault.tokens_per_s ?? 2, latencyMs: 0 });
        return 'handled';
    }
  };
}

function startStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
}
