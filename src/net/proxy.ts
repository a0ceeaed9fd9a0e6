/**
 * Issue 22, item 10: outgoing requests honour HTTPS_PROXY, HTTP_PROXY and
 * NO_PROXY (either case; ALL_PROXY too) the way Node's ecosystem reads them,
 * through proxy-from-env's rules. This is the one decision every client of
 * Referee's uses (model calls, the judge, HTTP protocol agents, OTLP/HTTP
 * export); the tunnelling itself (CONNECT for https, absolute-URI requests
 * for http) is https-proxy-agent's and http-proxy-agent's.
 */
import { Agent as HttpAgent, type Agent, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createRequire } from 'node:module';
import { Agent as BaseAgent, type AgentConnectOpts } from 'agent-base';
import type { HttpProxyAgent } from 'http-proxy-agent';
import type { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';

/**
 * Start-up: the tunnelling agents (and the `debug` package they load, ~10-30 ms) are loaded by
 * the first request that goes through a proxy; most runs have none.
 */
const load = createRequire(import.meta.url);
const tunnels = (): { HttpProxyAgent: typeof HttpProxyAgent; HttpsProxyAgent: typeof HttpsProxyAgent } => ({
  HttpProxyAgent: (load('http-proxy-agent') as { HttpProxyAgent: typeof HttpProxyAgent }).HttpProxyAgent,
  HttpsProxyAgent: (load('https-proxy-agent') as { HttpsProxyAgent: typeof HttpsProxyAgent }).HttpsProxyAgent,
});

/** The proxy URL a request to `url` goes through, or undefined to go direct (no proxy set, or NO_PROXY matches). */
export function proxyFor(url: string | URL): string | undefined {
  const proxy = getProxyForUrl(url);
  return proxy ? proxy : undefined;
}

/** One keep-alive agent per (target protocol, proxy): calls through the same proxy reuse their connections. */
const agents = new Map<string, Agent>();

/** The agent that carries a request to `url` through its proxy, or undefined to go direct. */
export function proxyAgentFor(url: string | URL): Agent | undefined {
  const u = typeof url === 'string' ? new URL(url) : url;
  const proxy = proxyFor(u);
  if (!proxy) return undefined;
  const secure = u.protocol === 'https:';
  const key = `${secure ? 'https' : 'http'} ${proxy}`;
  let agent = agents.get(key);
  if (!agent) {
    // A CONNECT tunnel is a plain byte pipe, kept alive like a direct connection. Plain http through a
    // proxy is one request per proxy connection: some proxies (tinyproxy) relay whatever follows the
    // first request on a connection straight to the origin, so reusing one would garble the next call.
    const { HttpProxyAgent: Plain, HttpsProxyAgent: Tunnel } = tunnels();
    agent = secure ? new Tunnel(proxy, { keepAlive: true }) : new Plain(proxy, { keepAlive: false });
    agents.set(key, agent);
  }
  return agent;
}

/**
 * An agent for clients that take one agent for every request (the OTLP/HTTP
 * exporters): each request is routed by proxyAgentFor() from its own host and
 * port, through the proxy's agent or, where none applies, a direct keep-alive one.
 */
export class EnvProxyAgent extends BaseAgent {
  private readonly direct: Agent;

  constructor(secure: boolean) {
    super({ keepAlive: true });
    this.direct = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  }

  connect(req: ClientRequest, opts: AgentConnectOpts): Agent {
    const host = req.host.includes(':') && !req.host.startsWith('[') ? `[${req.host}]` : req.host;
    return proxyAgentFor(`${opts.secureEndpoint ? 'https' : 'http'}://${host}:${opts.port}/`) ?? this.direct;
  }
}

/** The OTLP exporters' `httpAgentOptions` factory (called with the endpoint's protocol, `http:` or `https:`). */
export function otlpAgentFactory(protocol: string): Agent {
  return new EnvProxyAgent(protocol === 'https:');
}
