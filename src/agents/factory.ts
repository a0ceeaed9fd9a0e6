/**
 * Builds the agents of a run from an AgentConfig. For `llm.provider: sim` one
 * simulated-model server is started for the whole run and the very same
 * OpenAI client talks to it, so the offline default exercises the real path.
 */
import { isProtocolAgent, type AgentConfig } from '../config/agent.js';
import { AgentError } from '../errors.js';
import { agentSecrets, registerSecrets } from '../events/secrets.js';
import { ChatAgent } from './chat-agent.js';
import { tokenCounter, type TokenCounter } from '../tokens.js';
import type { ChatEndpoint } from './llm/openai-client.js';
import { MemoryAgent } from './memory-agent.js';
import { MemoryStore } from './memory/store.js';
import { expandVars } from './protocol/expand-env.js';
import type { SimServer } from './sim/server.js';
import { probeAgent } from './probe.js';
import { sessionFactory } from './session-factory.js';
import type { AgentFactory } from './types.js';

export interface AgentFactoryOptions {
  /** Where `api_key_env` and `${VAR}` in headers are read from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** A run's set-up: an HTTP agent must be reachable now (`validate` checks the config only). @default false */
  probe?: boolean;
}

export async function createAgentFactory(config: AgentConfig, opts: AgentFactoryOptions = {}): Promise<AgentFactory> {
  const env = opts.env ?? process.env;
  // issue 15: your own agent over the agent protocol; it brings its own LLM.
  if (config.kind === 'http' || config.kind === 'stdio') {
    // Start-up: the protocol's and the sim's modules are loaded by the agents that use them.
    const { createProtocolFactory } = await import('./protocol/factory.js');
    const factory = createProtocolFactory(config, env);
    if (opts.probe) await probeAgent(config);
    return factory;
  }
  const llm = config.llm;
  let sim: SimServer | undefined;
  let endpoint: ChatEndpoint;

  if (llm.provider === 'sim') {
    const [{ startSimServer }, { createFaultInterceptor }] = await Promise.all([import('./sim/server.js'), import('./sim/faults.js')]);
    sim = await startSimServer({
      host: '127.0.0.1',
      port: 0,
      ttftMs: config.sim.ttft_ms,
      tokensPerSec: config.sim.tokens_per_s,
      latencyMs: config.sim.latency_ms,
      ...(config.sim.faults.length > 0 ? { intercept: createFaultInterceptor(config.sim.faults) } : {}),
    });
    endpoint = { baseUrl: sim.url, model: llm.model, temperature: llm.temperature, maxTokens: llm.max_tokens, provider: 'referee.sim' };
  } else {
    if (!llm.base_url) throw new AgentError('AGENT_ERROR', `agent '${config.name}': llm.base_url is required when llm.provider is 'openai'`);
    endpoint = { baseUrl: llm.base_url, model: llm.model, temperature: llm.temperature, maxTokens: llm.max_tokens, provider: 'openai' };
    if (llm.api_key_env) {
      const key = env[llm.api_key_env];
      if (!key) throw new AgentError('AGENT_ERROR', `environment variable ${llm.api_key_env} (llm.api_key_env) is not set or empty`);
      endpoint.apiKey = key;
    }
    const headers = expandHeaders(llm.headers, env);
    if (Object.keys(headers).length > 0) endpoint.headers = headers;
    // issue 14: no writer of this process may put these anywhere.
    registerSecrets(agentSecrets(config, env, headers));
    if (opts.probe) await probeAgent(config);
  }
  if (config.context_size <= llm.max_tokens) {
    await sim?.close();
    throw new AgentError(
      'AGENT_ERROR',
      `agent '${config.name}': context_size (${config.context_size}) must be larger than llm.max_tokens (${llm.max_tokens})`,
    );
  }

  // issue 22: a tokenizer.json that cannot be read fails the run at its start, not its first call.
  let tokenizer: TokenCounter;
  try {
    tokenizer = tokenCounter(config.tokenizer);
  } catch (err) {
    await sim?.close();
    throw new AgentError('AGENT_ERROR', `agent '${config.name}': tokenizer ${config.tokenizer} could not be read: ${(err as Error).message}`, { cause: err });
  }

  return sessionFactory(
    config.name,
    async (session) => {
      const common = { name: config.name, endpoint, contextSize: config.context_size, systemPrompt: config.system_prompt ?? '', sessionId: session.sessionId, tokenizer };
      return config.kind === 'memory'
        ? new MemoryAgent({ ...common, topK: config.memory.top_k, recentTokens: config.memory.recent_tokens, store: MemoryStore.open(session.stateDir) })
        : new ChatAgent({ ...common, historyTrim: config.history, historyKeep: config.history_keep });
    },
    async () => {
      await sim?.close();
    },
  );
}

/** Expands `${NAME}` in header values from `env`; a missing variable is an AgentError naming it. */
export function expandHeaders(headers: Record<string, string>, env: NodeJS.ProcessEnv): Record<string, string> {
  return expandVars(headers, env, 'llm.headers');
}

/** A secret-free summary of the agent for run metadata: no key, no header values, no URL credentials or query. */
export function describeAgent(config: AgentConfig): Record<string, unknown> {
  const llm: Record<string, unknown> = {
    provider: config.llm.provider,
    model: config.llm.model,
    temperature: config.llm.temperature,
    max_tokens: config.llm.max_tokens,
  };
  if (config.llm.provider === 'openai') {
    if (config.llm.base_url) llm.base_url = safeUrl(config.llm.base_url);
    if (config.llm.api_key_env) llm.api_key_env = config.llm.api_key_env;
    const headerNames = Object.keys(config.llm.headers);
    if (headerNames.length > 0) llm.header_names = headerNames.sort();
  }
  // issue 21: a protocol agent's model and prompt are its own; Referee's defaults are not shown as if they were.
  const builtIn = isProtocolAgent(config)
    ? {}
    : { llm, context_size: config.context_size, system_prompt: config.system_prompt, tokenizer: config.tokenizer, ...(config.kind === 'chat' ? { history: config.history, history_keep: config.history_keep } : {}) };
  const out: Record<string, unknown> = {
    name: config.name,
    kind: config.kind,
    ...builtIn,
    timeouts: { ...config.timeouts },
    retries: { ...config.retries },
  };
  if (config.llm.provider === 'sim' && !isProtocolAgent(config)) out.sim = { ...config.sim };
  if (config.kind === 'memory') out.memory = { ...config.memory };
  // issue 15: where the agent is, never what its headers or environment hold.
  if (config.http) out.http = { url: safeUrl(config.http.url), header_names: Object.keys(config.http.headers).sort() };
  if (config.stdio) out.stdio = { command: config.stdio.command, args: config.stdio.args, env_names: Object.keys(config.stdio.env).sort() };
  if (config.pricing) out.pricing = { ...config.pricing };
  return out;
}

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '[invalid url]';
  }
}
