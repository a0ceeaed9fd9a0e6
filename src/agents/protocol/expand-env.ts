import { AgentError } from '../../errors.js';

/**
 * Expands `${NAME}` in each value from `env`; a missing variable is an
 * AgentError naming it and the field (`where.key`), never the value.
 */
export function expandVars(values: Record<string, string>, env: NodeJS.ProcessEnv, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    out[name] = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, variable: string) => {
      const v = env[variable];
      if (v === undefined || v === '') {
        throw new AgentError('AGENT_ERROR', `environment variable ${variable} (used in ${where}.${name}) is not set or empty`);
      }
      return v;
    });
  }
  return out;
}
