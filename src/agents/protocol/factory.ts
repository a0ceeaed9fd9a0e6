/**
 * issue 15: the AgentFactory of `kind: http` and `kind: stdio`. One transport
 * (one HTTP endpoint, or one child process) serves every session of the run.
 */
import { basename, dirname, join, resolve } from 'node:path';
import type { AgentConfig } from '../../config/agent.js';
import { AgentError } from '../../errors.js';
import { agentSecrets, OTLP_HEADER_VARS, REDACTED, registerSecrets } from '../../events/secrets.js';
import { sessionFactory } from '../session-factory.js';
import type { AgentFactory } from '../types.js';
import { expandVars } from './expand-env.js';
import { HttpTransport } from './http-transport.js';
import { ProtocolAgent } from './protocol-agent.js';
import { StdioTransport } from './stdio-transport.js';
import type { Transport } from './transport.js';

/** The stdio agent's stderr, in the run directory. */
export const STDERR_LOG = 'agent-stderr.log';

/**
 * Of Referee's own environment, only these reach a stdio agent (plus `stdio.env`): no key leaks by
 * default; the OTEL_* variables and the Phoenix project let an instrumented agent export where Referee does.
 */
const INHERITED_ENV = /^(PATH|HOME|USER|LANG|LANGUAGE|LC_[A-Z]+|TZ|TMPDIR|SYSTEMROOT|PYENV_ROOT|PYENV_VERSION|VIRTUAL_ENV|OTEL_[A-Z0-9_]+|PHOENIX_PROJECT_NAME)$/;

export function createProtocolFactory(config: AgentConfig, env: NodeJS.ProcessEnv): AgentFactory {
  let firstStateDir: string | undefined;
  // issue 14: the values behind the header and environment templates must reach no artifact.
  registerSecrets(agentSecrets(config, env));
  const transport = makeTransport(config, env, () => join(runDirOf(firstStateDir ?? '.'), STDERR_LOG));
  const closing = new AbortController();
  return sessionFactory(
    config.name,
    async (session) => {
      firstStateDir ??= session.stateDir;
      try {
        return await ProtocolAgent.open({
          name: config.name,
          transport,
          sessionId: session.sessionId,
          stateDir: session.stateDir,
          callTimeoutMs: config.timeouts.call_s * 1000,
          closing: closing.signal,
        });
      } catch (err) {
        throw new AgentError('AGENT_ERROR', `agent '${config.name}': could not start a session with ${transport.display}: ${(err as Error).message}`, { cause: err });
      }
    },
    async () => {
      closing.abort();
      await transport.close();
    },
  );
}

function makeTransport(config: AgentConfig, env: NodeJS.ProcessEnv, stderrLog: () => string): Transport {
  if (config.kind === 'http' && config.http) {
    return new HttpTransport({ url: config.http.url, headers: expandRecorded(config.http.headers, env, 'http.headers') });
  }
  if (config.kind === 'stdio' && config.stdio) {
    const s = config.stdio;
    // Issue 24: the OTLP exporter's headers (an API key, often) only where stdio.env passes them explicitly.
    const base = Object.fromEntries(
      Object.entries(env).filter((e): e is [string, string] => INHERITED_ENV.test(e[0]) && !OTLP_HEADER_VARS.includes(e[0]) && e[1] !== undefined),
    );
    return new StdioTransport({
      command: s.command,
      args: s.args,
      ...(s.cwd !== undefined ? { cwd: resolve(s.cwd) } : {}),
      env: { ...base, ...expandRecorded(s.env, env, 'stdio.env') },
      stderrLog,
    });
  }
  throw new AgentError('AGENT_ERROR', `agent '${config.name}': kind '${config.kind}' needs its '${config.kind}' block`);
}

/** As expandVars; a value run.json could not record (a literal secret) cannot be resumed from it. */
function expandRecorded(values: Record<string, string>, env: NodeJS.ProcessEnv, where: string): Record<string, string> {
  for (const [name, value] of Object.entries(values)) {
    if (value === REDACTED) {
      throw new AgentError('AGENT_ERROR', `${where}.${name}: its value was a literal (not recorded); write it as \${ENV_VAR} in the agent config to make runs resumable`);
    }
  }
  return expandVars(values, env, where);
}

/** The run directory of a session's state directory (`<run>/state/...`); the state directory itself otherwise. */
function runDirOf(stateDir: string): string {
  let dir = resolve(stateDir);
  while (dirname(dir) !== dir) {
    if (basename(dir) === 'state') return dirname(dir);
    dir = dirname(dir);
  }
  return resolve(stateDir);
}
