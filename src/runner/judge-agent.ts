/**
 * The LLM judge built from an agent config (issue 7): any configured agent
 * endpoint judges. Every call is a fresh session, so judgements do not see
 * each other; its cost is the benchmark's managing cost, not the agent's.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgentFactory } from '../agents/factory.js';
import type { AgentFactory } from '../agents/types.js';
import type { AgentConfig } from '../config/agent.js';
import { costUsd, resolvePricing } from '../costs/pricing.js';
import { AgentError } from '../errors.js';
import type { Judge } from '../scoring/judge.js';

export interface JudgeHandle extends Judge {
  close(): Promise<void>;
}

export async function createJudge(
  config: AgentConfig,
  options: { env?: NodeJS.ProcessEnv; onCost: (usd: number) => void; timeoutS?: number },
): Promise<JudgeHandle> {
  const factory: AgentFactory = await createAgentFactory(config, options.env ? { env: options.env } : {});
  const pricing = resolvePricing(config.llm.model, config.pricing);
  const stateRoot = mkdtempSync(join(tmpdir(), 'referee-judge-'));
  let calls = 0;
  return {
    name: config.name,
    async ask(prompt: string): Promise<string> {
      const n = ++calls;
      const session = await factory.createSession({ sessionId: `judge-${n}`, stateDir: join(stateRoot, String(n)) });
      try {
        const reply = await session.reply(prompt, { testId: 'judge', turnId: n, signal: AbortSignal.timeout((options.timeoutS ?? config.timeouts.call_s) * 1000) });
        options.onCost(costUsd(pricing, reply.usage?.inputTokens ?? 0, reply.usage?.outputTokens ?? 0));
        return reply.text;
      } catch (err) {
        throw new AgentError('AGENT_ERROR', `judge '${config.name}': ${(err as Error).message}`, { cause: err });
      } finally {
        await session.close().catch(() => {});
      }
    },
    close: () => factory.close(),
  };
}

/**
 * The run's judge, when one is configured, opened after the agent factory: a
 * judge that cannot be set up closes that factory, so a run that fails to
 * start leaves no sim server behind.
 */
export async function openJudge(
  config: AgentConfig | undefined,
  factory: AgentFactory,
  options: { env?: NodeJS.ProcessEnv; onCost: (usd: number) => void },
): Promise<JudgeHandle | undefined> {
  if (!config) return undefined;
  try {
    return await createJudge(config, options);
  } catch (err) {
    await factory.close().catch(() => {});
    throw err;
  }
}
