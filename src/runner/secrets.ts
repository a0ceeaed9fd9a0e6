/**
 * What of an agent config may be written down (issue 4: no key, Authorization
 * header or configured secret in any artifact). Header values are recorded
 * only as templates that name environment variables (`Bearer ${API_KEY}`), so
 * a resumed run can expand them again from the environment; any other value
 * is replaced by REDACTED.
 */
import type { AgentConfig } from '../config/agent.js';

export const REDACTED = '[redacted]';

/** An optional auth scheme word, then nothing but `${VAR}` references. */
const TEMPLATE_ONLY = /^(?:[A-Za-z][A-Za-z0-9-]* )?(?:\$\{[A-Za-z_][A-Za-z0-9_]*\}\s*)+$/;

/** The header value as run.json may hold it. */
export function recordableHeader(value: string): string {
  return TEMPLATE_ONLY.test(value.trim()) ? value : REDACTED;
}

/** The agent config as recorded in run.json. */
export function redactAgentConfig(config: AgentConfig): Record<string, unknown> {
  return {
    ...config,
    llm: { ...config.llm, headers: recordable(config.llm.headers) },
    // issue 15: the protocol agents' headers and child environment, as templates only.
    ...(config.http ? { http: { ...config.http, headers: recordable(config.http.headers) } } : {}),
    ...(config.stdio ? { stdio: { ...config.stdio, env: recordable(config.stdio.env) } } : {}),
  };
}

function recordable(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, recordableHeader(v)]));
}
