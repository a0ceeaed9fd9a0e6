import type { AgentConfig } from '../config/agent.js';
import { AgentError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { unreachable } from '../net/reachable.js';

/**
 * issue 24: an agent whose server is not up (an HTTP agent's URL, a chat or memory agent's
 * `llm.base_url`) fails a run's set-up, which leaves nothing behind, in one line naming the URL
 * and errno, instead of a run of retried calls. One TCP connection (net/reachable.ts).
 */
export async function probeAgent(config: AgentConfig): Promise<void> {
  if (config.kind === 'http' && config.http) {
    const down = await unreachable(config.http.url);
    if (down) throw new AgentError('AGENT_ERROR', `agent '${config.name}': ${config.http.url} is unreachable (${down}); is the agent running?`, { exitCode: EXIT.usage });
  } else if (config.kind !== 'stdio' && config.llm.provider === 'openai' && config.llm.base_url) {
    const down = await unreachable(config.llm.base_url);
    if (down) throw new AgentError('AGENT_ERROR', `agent '${config.name}': llm.base_url ${config.llm.base_url} is unreachable (${down}); is the model server running?`, { exitCode: EXIT.usage });
  }
}
