/** issue 14: docker-compose.yml publishes nothing beyond loopback unless REFEREE_BIND says so. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

/** Compose's `${VAR:-default}` interpolation, for the variables given. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([A-Z_]+):-([^}]*)\}/g, (_m, name: string, def: string) => env[name] || def);
}

describe('docker-compose.yml', () => {
  const doc = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { ports?: string[] }> };
  const ports = Object.entries(doc.services).flatMap(([name, s]) => (s.ports ?? []).map((p) => [name, p] as const));

  it('binds every published port to 127.0.0.1 by default', () => {
    expect(ports.length).toBe(6);
    for (const [name, p] of ports) expect(interpolate(p, {}), name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it('opens them on the interface REFEREE_BIND names', () => {
    for (const [name, p] of ports) expect(interpolate(p, { REFEREE_BIND: '10.0.0.5' }), name).toMatch(/^10\.0\.0\.5:\d+:\d+$/);
  });
});
