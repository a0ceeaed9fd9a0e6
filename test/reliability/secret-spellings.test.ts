/**
 * Issue 24: the one redaction knows the encoded spellings a secret takes (upper-cased, percent-encoded
 * with lowercase hex, hex, base64 and base64url of the key and of `Bearer <key>` at any alignment),
 * every stdio.env value and the OTLP exporter's header values; a stream cut into pieces (token deltas,
 * a child's stderr) is redacted joined, so a key split across two pieces never survives.
 */
import { describe, expect, it } from 'vitest';
import { agentSecrets, otlpHeaderSecrets, redact, redactSecrets, registerSecrets, StreamRedactor } from '../../src/events/secrets.js';
import { AgentConfigSchema } from '../../src/config/agent.js';

const KEY = `sk-Spell/Key+${process.pid}-${Date.now().toString(36)}`;

describe('encoded spellings', () => {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  it.each([
    ['upper-cased', KEY.toUpperCase()],
    ['percent-encoded, lowercase hex', encodeURIComponent(KEY).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())],
    ['hex', Buffer.from(KEY).toString('hex')],
    ['HEX', Buffer.from(KEY).toString('hex').toUpperCase()],
    ['base64', b64(KEY)],
    ['base64url', Buffer.from(KEY).toString('base64url')],
    ['base64 of Bearer', b64(`Bearer ${KEY}`)],
    ['base64 inside a longer text, offset 1', b64(`x${KEY}yz`)],
    ['base64 inside a longer text, offset 2', b64(`xy${KEY}z`)],
    ['base64 of a basic-auth pair', b64(`user:${KEY}`)],
  ])('%s', (_name, spelling) => {
    const out = redactSecrets(`before ${spelling} after`, [KEY]);
    expect(out).toContain('[redacted]');
    // What is left of the encoded text no longer decodes to the key.
    expect(out).not.toContain(spelling);
    for (const word of out.split(/\s+/)) {
      expect(Buffer.from(word, 'base64').toString('utf8')).not.toContain(KEY);
      expect(Buffer.from(word, 'hex').toString('utf8')).not.toContain(KEY);
    }
  });
});

describe('what is registered', () => {
  it('every stdio.env value, literal or ${VAR}, and the OTLP header values', () => {
    const config = AgentConfigSchema.parse({
      name: 's',
      kind: 'stdio',
      stdio: { command: 'node', args: ['a.js'], env: { LITERAL: `literal-${KEY}`, FROM_VAR: '${SOME_VAR}' } },
    });
    const env = { SOME_VAR: `var-${KEY}`, OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20otlp-${KEY},x-other=plain-${KEY}` };
    const secrets = agentSecrets(config, env);
    expect(secrets).toEqual(expect.arrayContaining([`literal-${KEY}`, `var-${KEY}`, `otlp-${KEY}`, `Bearer otlp-${KEY}`, `plain-${KEY}`]));
    expect(otlpHeaderSecrets(env)).toContain(`otlp-${KEY}`);
  });
});

describe('StreamRedactor', () => {
  it('catches a key split across pieces, and holds back no more than it must', () => {
    registerSecrets([KEY]);
    for (let cut = 1; cut < KEY.length; cut += 3) {
      const r = new StreamRedactor();
      const out = r.push(`hello ${KEY.slice(0, cut)}`) + r.push(`${KEY.slice(cut)} world`) + r.end();
      expect(out).toBe('hello [redacted] world');
    }
    const r = new StreamRedactor();
    // A long piece without a secret comes through at once, less the held-back tail.
    const long = 'a'.repeat(5000);
    const first = r.push(long);
    expect(first.length).toBeGreaterThan(4000);
    expect(first + r.end()).toBe(redact(long));
  });
});
