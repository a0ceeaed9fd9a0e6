/**
 * Secrets never reach an artifact (issue 4, issue 14). Two halves:
 *
 * - What of an agent config may be written down: header values only as
 *   templates that name environment variables (`Bearer ${API_KEY}`), so a
 *   resumed run can expand them again; any other value, and the credentials of
 *   a `base_url`, become REDACTED.
 * - `redactSecrets`, the one redaction function every writer applies (the
 *   LLM client's messages, the JSONL files, spans and OTLP): each secret value
 *   in its raw, JSON-escaped (`sk-SA\/SECKEY`, `\u002f`) and URL-encoded
 *   spellings, and the `user:pass@` of any URL.
 */
import { BUILT_IN_ONLY_FIELDS, isProtocolAgent, type AgentConfig } from '../config/agent.js';

export const REDACTED = '[redacted]';

/** Shorter values (`json`, `1`) are left: replacing them would garble text without protecting anything. */
const MIN_SECRET_LENGTH = 6;

/** An optional auth scheme word, then nothing but `${VAR}` references. */
const TEMPLATE_ONLY = /^(?:[A-Za-z][A-Za-z0-9-]* )?(?:\$\{[A-Za-z_][A-Za-z0-9_]*\}\s*)+$/;
const VAR_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** `scheme://user:pass@` or `scheme://token@`, in any text. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;

/** The header value as run.json may hold it. */
export function recordableHeader(value: string): string {
  return TEMPLATE_ONLY.test(value.trim()) ? value : REDACTED;
}

/** A URL with its credentials replaced (issue 14: `base_url` with `user:pass@` reached run.json and the monitor). */
export function redactUrl(url: string): string {
  return url.replace(URL_USERINFO, `$1${REDACTED}@`);
}

/** The agent config as recorded in run.json. */
export function redactAgentConfig(config: AgentConfig): Record<string, unknown> {
  const llm: Record<string, unknown> = { ...config.llm, headers: recordable(config.llm.headers) };
  if (typeof llm.base_url === 'string') llm.base_url = redactUrl(llm.base_url);
  // issue 21: a protocol agent's run.json holds no defaults of Referee's own agents (sim-1, the prompt);
  // resume parses the config again, which puts them back where the code reads them.
  const own = isProtocolAgent(config) ? Object.fromEntries(Object.entries(config).filter(([k]) => !(BUILT_IN_ONLY_FIELDS as string[]).includes(k))) : { ...config, llm };
  return {
    ...own,
    // issue 15: the protocol agents' headers and child environment, as templates only.
    ...(config.http ? { http: { ...config.http, url: redactUrl(config.http.url), headers: recordable(config.http.headers) } } : {}),
    ...(config.stdio ? { stdio: { ...config.stdio, env: recordable(config.stdio.env) } } : {}),
  };
}

/**
 * The secret values an agent config brings: the API key, every header value,
 * the token of `Bearer xyz`, each `${VAR}` a header names (issue 14: a
 * `pre-${VAR}-post` header whose server echoed only the variable's value),
 * and the password of a `base_url`.
 */
export function agentSecrets(config: AgentConfig, env: NodeJS.ProcessEnv, expandedHeaders: Record<string, string> = {}): string[] {
  const out: string[] = [];
  const llm = config.llm as AgentConfig['llm'] & { api_key_env?: string; base_url?: string };
  if (llm.api_key_env && env[llm.api_key_env]) out.push(env[llm.api_key_env] as string);
  // issue 15: a protocol agent's header and child-environment templates name secrets too.
  const templates = [...Object.values(llm.headers), ...Object.values(config.http?.headers ?? {}), ...Object.values(config.stdio?.env ?? {})];
  for (const template of templates) {
    for (const m of template.matchAll(VAR_REF)) {
      const v = env[m[1] as string];
      if (v) out.push(v);
    }
  }
  // Issue 24: every stdio.env value is a secret, literal ones too (the child may echo any of them), expanded as the child sees it.
  for (const value of Object.values(config.stdio?.env ?? {})) out.push(value.replace(VAR_REF, (_m, name: string) => env[name] ?? ''));
  return [...out, ...endpointSecrets(undefined, expandedHeaders, llm.base_url), ...otlpHeaderSecrets(env)];
}

/**
 * An agent config's secrets as its file gives them, before any agent exists (a match's parent, an
 * LTM suite): agentSecrets' with the literal header values. A header that is only a `${VAR}`
 * template is no secret (run.json keeps it for a resume); the value it expands to is.
 */
export function configSecrets(config: AgentConfig, env: NodeJS.ProcessEnv): string[] {
  const literal = Object.fromEntries(Object.entries(config.llm.headers).filter(([, v]) => !TEMPLATE_ONLY.test(v.trim())));
  return agentSecrets(config, env, literal);
}

/** `OTEL_EXPORTER_OTLP_HEADERS` and its per-signal forms. */
export const OTLP_HEADER_VARS = ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'OTEL_EXPORTER_OTLP_METRICS_HEADERS', 'OTEL_EXPORTER_OTLP_LOGS_HEADERS'];

/** Issue 24: the values of the OTLP exporter's headers (`k=v,k2=v2`, values URL-encoded), and their `Bearer xyz` tokens. */
export function otlpHeaderSecrets(env: NodeJS.ProcessEnv): string[] {
  const headers: Record<string, string> = {};
  for (const name of OTLP_HEADER_VARS) {
    for (const pair of (env[name] ?? '').split(',')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const raw = pair.slice(eq + 1).trim();
      let value = raw;
      try {
        value = decodeURIComponent(raw);
      } catch {
        // Not URL-encoded: taken as written.
      }
      headers[`${name}:${pair.slice(0, eq).trim()}`] = value;
      if (value !== raw) headers[`${name}:${pair.slice(0, eq).trim()}:raw`] = raw;
    }
  }
  return endpointSecrets(undefined, headers);
}

/** The secrets of an endpoint as the LLM client holds it: the key, each header value and its `Bearer xyz` token, URL credentials. */
export function endpointSecrets(apiKey: string | undefined, headers: Record<string, string> = {}, baseUrl?: string): string[] {
  const out: string[] = apiKey ? [apiKey] : [];
  for (const value of Object.values(headers)) {
    out.push(value);
    const token = /^\S+\s+(\S+)$/.exec(value.trim())?.[1];
    if (token) out.push(token);
  }
  if (baseUrl) out.push(...urlCredentials(baseUrl));
  return out;
}

function urlCredentials(url: string): string[] {
  try {
    const u = new URL(url);
    return [u.password, decodeURIComponent(u.password), `${u.username}:${u.password}`].filter((s) => s.length > 0);
  } catch {
    return [];
  }
}

/**
 * The spellings a value takes in JSON, JSON with escaped slashes or \u escapes, and URLs. Issue 24:
 * also upper- and lower-cased, percent-encoded with lowercase hex, hex (either case), and base64 (and
 * base64url) of the value and of `Bearer <value>`, at each of the three byte alignments a value can
 * have inside a longer base64 text.
 */
export function secretSpellings(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const unicode = [...secret].map((c) => (/[A-Za-z0-9]/.test(c) ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)).join('');
  const percent = encodeURIComponent(secret);
  const hex = Buffer.from(secret, 'utf8').toString('hex');
  return [
    ...new Set([
      secret,
      json,
      json.replaceAll('/', '\\/'),
      unicode,
      percent,
      percent.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      secret.toUpperCase(),
      secret.toLowerCase(),
      hex,
      hex.toUpperCase(),
      ...base64Spellings(secret),
      ...base64Spellings(`Bearer ${secret}`),
    ]),
  ].filter((v) => v.length >= MIN_SECRET_LENGTH);
}

/**
 * The base64 characters that encode `value` wherever it sits in a longer text: for each of the three
 * offsets modulo 3, the characters fully determined by the value's own bytes (those of its first and
 * last partial groups are left out), in standard and URL-safe alphabets.
 */
function base64Spellings(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const usable = padded.length - (padded.length % 3);
    const b64 = padded.subarray(0, usable).toString('base64');
    // The first group mixes in the padding bytes when offset > 0: skip its characters.
    const core = offset === 0 ? b64 : b64.slice(4);
    if (core.length >= 8) out.push(core, core.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return out;
}

/** THE redaction (issue 14): every spelling of every secret, and URL credentials, become REDACTED. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return redactSpellings(text, spellingsOf(secrets));
}

function redactSpellings(text: string, spellings: readonly string[]): string {
  let out = text.includes('@') ? text.replace(URL_USERINFO, `$1${REDACTED}@`) : text;
  for (const spelling of spellings) if (out.includes(spelling)) out = out.split(spelling).join(REDACTED);
  return out;
}

/** Longest first, so a value containing another is replaced whole. */
function spellingsOf(secrets: readonly string[]): string[] {
  const all = new Set<string>();
  for (const s of secrets) if (s.length >= MIN_SECRET_LENGTH) for (const v of secretSpellings(s)) all.add(v);
  return [...all].sort((a, b) => b.length - a.length);
}

// The process's secrets: registered where an agent's endpoint is built, read by every writer.
// A set rather than a broadcaster: writers only ever ask "what must not appear?".
const registered = new Set<string>();
let registeredSpellings: string[] = [];

/**
 * TEST ONLY, UNSAFE: the one way to turn the registry off, so that the end-to-end leak test
 * (test/reliability/leak-paths.test.ts) can show its scan finds every key when nothing redacts
 * them. An environment variable, not a flag: no user sees it in --help, and it reaches every process
 * of a run (match workers, task children) the way the test sets it. It is honoured only with this
 * exact value and only under vitest (which sets VITEST in the processes it starts), so `=1`, a stale
 * shell export or a production host can never turn redaction off; when honoured, each process says
 * so on stderr.
 */
export const UNSAFE_NO_REDACTION_VAR = 'REFEREE_UNSAFE_TEST_ONLY_NO_REDACTION';
export const UNSAFE_NO_REDACTION_VALUE = 'secrets-will-leak-into-artifacts';
let redactionOff: boolean | undefined;

function registryOff(): boolean {
  if (redactionOff === undefined) {
    redactionOff = process.env[UNSAFE_NO_REDACTION_VAR] === UNSAFE_NO_REDACTION_VALUE && Boolean(process.env['VITEST']);
    if (redactionOff) process.stderr.write(`referee: REDACTION IS OFF (${UNSAFE_NO_REDACTION_VAR}): secrets will reach artifacts; for Referee's own leak test only\n`);
  }
  return redactionOff;
}

/** Adds values no artifact of this process may contain. */
export function registerSecrets(values: readonly string[]): void {
  if (registryOff()) return;
  let added = false;
  for (const v of values) {
    if (v.length >= MIN_SECRET_LENGTH && !registered.has(v)) {
      registered.add(v);
      added = true;
    }
  }
  if (added) registeredSpellings = spellingsOf([...registered]);
}

/** Every spelling of every registered secret (for writers that search bytes). */
export function registeredSecretSpellings(): readonly string[] {
  return registeredSpellings;
}

/** `redactSecrets` over the registered secrets. */
export function redact(text: string): string {
  return redactSpellings(text, registeredSpellings);
}

function recordable(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, recordableHeader(v)]));
}

/** The longest spelling of any registered secret, in characters (0 with none). */
export function longestSecretSpelling(): number {
  return registeredSpellings[0]?.length ?? 0;
}

/**
 * Issue 24: redaction over a stream cut into pieces (streamed token deltas, a child's stderr): a
 * secret split across two pieces is still caught, because the text is redacted joined and the last
 * (longest spelling - 1) characters are held back until the next piece or the end.
 */
export class StreamRedactor {
  private held = '';

  /** The text that can be written now. */
  push(piece: string): string {
    const text = redact(this.held + piece);
    const keep = Math.max(0, longestSecretSpelling() - 1);
    if (keep === 0) {
      this.held = '';
      return text;
    }
    let cut = Math.max(0, text.length - keep);
    // Never hold back part of a REDACTED marker (it would be redacted again, harmlessly, but read oddly), nor split a surrogate pair.
    const marker = text.lastIndexOf(REDACTED, cut);
    if (marker >= 0 && marker + REDACTED.length > cut) cut = marker + REDACTED.length;
    if (cut > 0 && cut < text.length && /[\uD800-\uDBFF]/.test(text[cut - 1]!)) cut--;
    this.held = text.slice(cut);
    return text.slice(0, cut);
  }

  /** The rest, at the end of the stream. */
  end(): string {
    const text = redact(this.held);
    this.held = '';
    return text;
  }
}
