/**
 * The LLM judge built from an agent config (issue 7): any configured agent
 * endpoint judges. Every call is a fresh session, so judgements do not see
 * each other; its cost is the benchmark's managing cost, not the agent's.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgentFactory } from '../agents/factory.js';
import type { AgentFactory, ChatMessage } from '../agents/types.js';
import type { AgentConfig } from '../config/agent.js';
import { costUsd, resolvePricing } from '../costs/pricing.js';
import { AgentError } from '../errors.js';
import type { Judge, JudgeMessages } from '../scoring/judge.js';

export interface JudgeHandle extends Judge {
  close(): Promise<void>;
}

export async function createJudge(
  config: AgentConfig,
  options: { env?: NodeJS.ProcessEnv; onCost: (usd: number) => void; timeoutS?: number },
): Promise<JudgeHandle> {
  // issue 25: GoodAI's prompts go out as GoodAI sends them, so the agent adds no system prompt of its own;
  // the configured one goes with Referee's own (string) prompts, as the first message.
  // A judge whose model server is not up fails the run's set-up (issue 24), as the agent's does.
  const factory: AgentFactory = await createAgentFactory({ ...config, system_prompt: null }, { ...(options.env ? { env: options.env } : {}), probe: true });
  const ownSystem = config.system_prompt ? config.system_prompt : undefined;
  const pricing = resolvePricing(config.llm.model, config.pricing);
  const stateRoot = mkdtempSync(join(tmpdir(), 'referee-judge-'));
  let calls = 0;
  return {
    name: config.name,
    async ask(prompt: string | JudgeMessages): Promise<string> {
      const n = ++calls;
      const { system, user } = typeof prompt === 'string' ? { system: ownSystem, user: prompt } : prompt;
      const session = await factory.createSession({ sessionId: `judge-${n}`, stateDir: join(stateRoot, String(n)) });
      try {
        // The messages before the prompt are given (task mode), so the agent sends exactly [system?, user].
        const history: ChatMessage[] = system !== undefined ? [{ role: 'system', content: system }] : [];
        const reply = await session.reply(user, { testId: 'judge', turnId: n, history, signal: AbortSignal.timeout((options.timeoutS ?? config.timeouts.call_s) * 1000) });
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
