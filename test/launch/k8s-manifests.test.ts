/**
 * `referee launch k8s`: the Indexed Job and the merge Job (and the claim) it writes validate against
 * the Kubernetes OpenAPI schema and the official client's models, offline. No cluster runs here: the
 * path through a cluster is checked this far (see docs/past-one-machine.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { validateManifest } from './k8s-schema.js';

const SUITE = 'configs/suites/example.yaml';

function docs(file: string): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJSON() as Record<string, unknown>);
}

describe('referee launch k8s', () => {
  const runs = tempDir('referee-k8s-');

  it('writes a claim, an Indexed Job of N shards and a merge Job that validate against the schema', async () => {
    const r = await runCli(['launch', 'k8s', SUITE, '--shards', '4', '--image', 'ghcr.io/acme/referee:0.1.0', '--run-id', 'Nightly_1', '--runs-dir', runs]);
    expect(r.code, r.stderr).toBe(0);
    const all = docs(join(runs, 'Nightly_1', 'k8s', 'referee.yaml'));
    expect(all.map((d) => `${String(d['kind'])} ${String((d['metadata'] as { name: string }).name)}`)).toEqual([
      'PersistentVolumeClaim referee-nightly-1-runs',
      'Job referee-nightly-1-shards',
      'Job referee-nightly-1-merge',
    ]);
    for (const d of all) expect(validateManifest(d)).toEqual([]);
    const spec = all[1]!['spec'] as { completionMode: string; completions: number; parallelism: number; backoffLimitPerIndex: number; template: { spec: { restartPolicy: string; containers: { command: string[] }[] } } };
    expect([spec.completionMode, spec.completions, spec.parallelism, spec.backoffLimitPerIndex, spec.template.spec.restartPolicy]).toEqual(['Indexed', 4, 4, 2, 'Never']);
    const script = spec.template.spec.containers[0]!.command[2]!;
    expect(script).toContain('i=$((JOB_COMPLETION_INDEX + 1))');
    expect(script).toContain(`node /app/dist/cli/main.js run --suite ${SUITE} --runs-dir /runs/Nightly_1 --run-id Nightly_1 --shard "$i/4"`);
    expect(script).toMatch(/export TRACEPARENT=00-[0-9a-f]{32}-[0-9a-f]{16}-01/);
    const merge = (all[2]!['spec'] as { template: { spec: { containers: { command: string[] }[] } } }).template.spec.containers[0]!.command[2]!;
    expect(merge).toBe('until node /app/dist/cli/main.js merge /runs/Nightly_1 --output-dir /runs/Nightly_1; do sleep 30; done');
  });

  it('uses a claim given with --pvc instead of writing one', async () => {
    const r = await runCli(['launch', 'k8s', join(ROOT, SUITE), '--shards', '2', '--image', 'referee:dev', '--pvc', 'shared-runs', '--namespace', 'bench', '--run-id', 'p', '--runs-dir', runs]);
    expect(r.code, r.stderr).toBe(0);
    const all = docs(join(runs, 'p', 'k8s', 'referee.yaml'));
    expect(all.map((d) => d['kind'])).toEqual(['Job', 'Job']);
    for (const d of all) {
      expect(validateManifest(d)).toEqual([]);
      expect(JSON.stringify(d)).toContain('"claimName":"shared-runs"');
      expect((d['metadata'] as { namespace: string }).namespace).toBe('bench');
    }
  });

  it('catches what the schema forbids and a field the client does not know (the check can fail)', () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'x' },
      spec: { completionMode: 'Indexed', completions: 'four', backoffLimitPerIdx: 2, template: { spec: { restartPolicy: 'Never', containers: [{ image: 'i' }] } } },
    };
    const problems = validateManifest(job);
    expect(problems).toContain('data/spec/completions must be integer');
    expect(problems).toContain('data/spec/template/spec/containers/0 must have required property name');
    expect(problems).toContain('batch/v1/Job.spec.backoffLimitPerIdx: no such field in V1JobSpec');
  });

  it('needs --image, in one line, exit 2', async () => {
    const r = await runCli(['launch', 'k8s', SUITE, '--shards', '2', '--runs-dir', runs]);
    expect([r.code, r.stderr.trim()]).toEqual([2, 'referee: command line: launch k8s needs --image (an image with Referee and the suite, see the Dockerfile)']);
  });
});

describe('referee launch k8s --apply', () => {
  it("creates the claim and both Jobs through the client's API with the user's kubeconfig", async () => {
    const { createServer } = await import('node:http');
    const { writeFileSync } = await import('node:fs');
    const seen: { method: string; url: string; body: Record<string, unknown> }[] = [];
    // A stand-in API server on loopback: it answers each create with the object, as Kubernetes does.
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', body: body ? (JSON.parse(body) as Record<string, unknown>) : {} });
        res.writeHead(201, { 'content-type': 'application/json' }).end(body || '{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const dir = tempDir('referee-kubeconfig-');
    const kubeconfig = join(dir, 'config');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{ name: local, cluster: { server: "http://127.0.0.1:' + port + '", insecure-skip-tls-verify: true } }]',
        'users: [{ name: me, user: { token: not-a-secret } }]',
        'contexts: [{ name: local, context: { cluster: local, user: me, namespace: default } }]',
        'current-context: local',
        '',
      ].join('\n'),
    );
    try {
      const r = await runCli(['launch', 'k8s', SUITE, '--shards', '3', '--image', 'referee:dev', '--run-id', 'applied', '--runs-dir', dir, '--apply'], { env: { KUBECONFIG: kubeconfig } });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('created persistentvolumeclaim/referee-applied-runs\ncreated job/referee-applied-shards\ncreated job/referee-applied-merge');
      expect(seen.map((s) => `${s.method} ${s.url.split('?')[0]}`)).toEqual([
        'POST /api/v1/namespaces/default/persistentvolumeclaims',
        'POST /apis/batch/v1/namespaces/default/jobs',
        'POST /apis/batch/v1/namespaces/default/jobs',
      ]);
      expect((seen[1]!.body['spec'] as { completionMode: string }).completionMode).toBe('Indexed');
      for (const s of seen) expect(validateManifest(s.body)).toEqual([]);
    } finally {
      server.close();
    }
  });
});

describe("the project's Dockerfile", () => {
  it('builds the image the manifests expect: Referee at /app/dist/cli/main.js, suites relative to /app', () => {
    const file = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(file).toMatch(/^FROM node:20/m);
    expect(file).toMatch(/^WORKDIR \/app$/m);
    expect(file).toContain('npm ci');
    expect(file).toContain('ENTRYPOINT ["node", "/app/dist/cli/main.js"]');
    expect(readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['node_modules', 'dist', 'runs']));
  });
});
