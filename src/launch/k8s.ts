/**
 * `referee launch k8s`: a sharded suite as a Kubernetes Indexed Job (one completion index per shard,
 * `JOB_COMPLETION_INDEX` naming it, `backoffLimitPerIndex` retrying a failed shard alone, which then
 * resumes where it stopped) and a merge Job, both over one shared volume. The manifests are typed by
 * the official client's models; `--apply` creates them through its API with the user's kubeconfig.
 * The client is loaded only for `--apply`: writing manifests needs its types, not its code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Container, V1EnvVar, V1Job, V1ObjectMeta, V1PersistentVolumeClaim, V1Volume } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { RefereeError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { mergeCommand, shardEnv, shardScript, suiteDir, type LaunchPlan } from './launch-plan.js';

/** Where the shared volume is mounted in every pod; the plan's runs directory is under it. */
export const RUNS_MOUNT = '/runs';

export interface K8sOptions {
  image: string;
  /** An existing ReadWriteMany claim; without it, a claim of `storage` is written too. */
  pvc?: string;
  /** @default "default" */
  namespace?: string;
  /** The claim's size when Referee writes it. @default "10Gi" */
  storage?: string;
  /** Retries of one shard before its index counts as failed. @default 2 */
  backoffLimitPerIndex?: number;
  /** Seconds the merge Job waits for the shards, at most. @default 86400 */
  mergeDeadlineS?: number;
}

export interface K8sManifests {
  claim?: V1PersistentVolumeClaim;
  shards: V1Job;
  merge: V1Job;
}

/** A Kubernetes name from a run id (lower case, `-`, at most 52 characters before a suffix). */
export function k8sName(runId: string): string {
  const name = `referee-${runId}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return name.slice(0, 52).replace(/-+$/, '');
}

function meta(plan: LaunchPlan, name: string, o: K8sOptions): V1ObjectMeta {
  return {
    name,
    namespace: o.namespace ?? 'default',
    labels: { 'app.kubernetes.io/name': 'referee', 'app.kubernetes.io/component': 'suite', 'referee.dev/run-id': k8sName(plan.runId).slice('referee-'.length) },
  };
}

function container(name: string, o: K8sOptions, script: string[], env: V1EnvVar[] = []): V1Container {
  return {
    name,
    image: o.image,
    command: ['/bin/sh', '-c', script.join('\n')],
    ...(env.length ? { env } : {}),
    volumeMounts: [{ name: 'runs', mountPath: RUNS_MOUNT }],
  };
}

/** The manifests of a plan whose runs directory is under RUNS_MOUNT and whose suite path is the image's. */
export function k8sManifests(plan: LaunchPlan, o: K8sOptions): K8sManifests {
  const base = k8sName(plan.runId);
  const claimName = o.pvc ?? `${base}-runs`;
  const volumes: V1Volume[] = [{ name: 'runs', persistentVolumeClaim: { claimName } }];
  const index = '$((JOB_COMPLETION_INDEX + 1))';
  const shards: V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(plan, `${base}-shards`, o),
    spec: {
      completionMode: 'Indexed',
      completions: plan.shards,
      parallelism: plan.shards,
      backoffLimitPerIndex: o.backoffLimitPerIndex ?? 2,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'referee', 'app.kubernetes.io/component': 'shard' } },
        spec: {
          // backoffLimitPerIndex needs Never: a failed shard is a new pod, which resumes the shard.
          restartPolicy: 'Never',
          containers: [container('shard', o, ['set -eu', ...shardEnv(plan, index), ...shardScript(plan, index)])],
          volumes,
        },
      },
    },
  };
  // Kubernetes has no Job-after-Job dependency: the merge tries until every shard has finished
  // (merge refuses, exit 2, and writes nothing while one is missing or unfinished).
  const merge: V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(plan, `${base}-merge`, o),
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: o.mergeDeadlineS ?? 86_400,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'referee', 'app.kubernetes.io/component': 'merge' } },
        spec: {
          restartPolicy: 'Never',
          containers: [container('merge', o, [`until ${mergeCommand(plan)}; do sleep 30; done`])],
          volumes,
        },
      },
    },
  };
  const claim: V1PersistentVolumeClaim | undefined = o.pvc
    ? undefined
    : {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: meta(plan, claimName, o),
        spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: o.storage ?? '10Gi' } } },
      };
  return { ...(claim ? { claim } : {}), shards, merge };
}

/** Writes `<runs-dir>/<run-id>/k8s/referee.yaml` (claim, shards Job, merge Job). */
export function writeK8s(plan: LaunchPlan, m: K8sManifests, localDir: string = suiteDir(plan)): string {
  const dir = join(localDir, 'k8s');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'referee.yaml');
  const docs = [m.claim, m.shards, m.merge].filter((d) => d !== undefined);
  writeFileSync(file, docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n'));
  return file;
}

/** Creates the claim (unless named with --pvc) and both Jobs through the API, with the user's kubeconfig. */
export async function applyK8s(m: K8sManifests): Promise<string[]> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const created: string[] = [];
  try {
    if (m.claim) {
      await core.createNamespacedPersistentVolumeClaim({ namespace: m.claim.metadata!.namespace!, body: m.claim });
      created.push(`persistentvolumeclaim/${m.claim.metadata!.name}`);
    }
    for (const job of [m.shards, m.merge]) {
      await batch.createNamespacedJob({ namespace: job.metadata!.namespace!, body: job });
      created.push(`job/${job.metadata!.name}`);
    }
  } catch (err) {
    const done = created.length ? ` (created before it: ${created.join(', ')})` : '';
    throw new RefereeError('CONFIG_INVALID', `launch k8s --apply: ${(err as Error).message.split('\n')[0]}${done}`, { cause: err, exitCode: EXIT.error });
  }
  return created;
}
