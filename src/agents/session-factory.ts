import { AgentError } from '../errors.js';
import type { Agent, AgentFactory, AgentSessionOptions } from './types.js';

/**
 * What every AgentFactory does around its own way of opening a session: no
 * session after close, and closing the factory closes every session still
 * open before `release` frees what the sessions shared (a sim server, an
 * agent process).
 */
export function sessionFactory(name: string, openSession: (session: AgentSessionOptions) => Promise<Agent>, release: () => Promise<void>): AgentFactory {
  const open = new Set<Agent>();
  let closed = false;
  return {
    name,
    async createSession(session: AgentSessionOptions): Promise<Agent> {
      if (closed) throw new AgentError('AGENT_ERROR', `agent '${name}': session requested after the factory was closed`);
      const agent = await openSession(session);
      open.add(agent);
      const close = agent.close.bind(agent);
      agent.close = async () => {
        open.delete(agent);
        await close();
      };
      return agent;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...open].map((a) => a.close()));
      await release();
    },
  };
}
