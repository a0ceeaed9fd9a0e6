/**
 * issue 24: which of the sandbox's bounds apply on this machine, probed once per process with the
 * real thing: a cgroup per evaluation (cgroup.ts), the seccomp filter (seccomp.ts), and sized
 * tmpfs with a read-only root (bubblewrap 0.8's `--size`). Each bound that cannot be applied is one
 * phrase in `missing`; code tasks are then refused (code-policy.ts) unless `--unsafe-code-exec`
 * is given, which runs them in bubblewrap without the missing bounds.
 */
import { spawnSync } from 'node:child_process';
import { bwrapStatus, freshUid, sandboxCommand, type BwrapStatus } from './bwrap.js';
import { cgroupSupport, createCgroup, type CgroupSupport } from './cgroup.js';
import { seccompFilter, type SeccompStatus } from './seccomp.js';

export interface SandboxBounds {
  bwrap: BwrapStatus;
  cgroup: CgroupSupport;
  seccomp: SeccompStatus;
  sizedTmpfs: { available: true } | { available: false; reason: string };
  /** One phrase per bound that cannot be applied (empty: all apply, or bubblewrap itself is missing). */
  missing: string[];
}

let cached: SandboxBounds | undefined;

export function sandboxBounds(): SandboxBounds {
  cached ??= probeBounds();
  return cached;
}

/** Runs /bin/true in the sandbox with the given bounds; the first line of what went wrong, or null. */
function tryRun(opts: { boundedTmpfs: boolean; seccompFile?: string | null; cgroupProcs?: string[] }): string | null {
  const asRoot = process.getuid?.() === 0;
  const cmd = sandboxCommand({ codeDir: '/usr', extraReadOnly: [], command: ['/bin/true'], maxProcesses: 16, uid: asRoot ? freshUid() : null, rlimits: [], ...opts });
  const r = spawnSync(cmd[0] as string, cmd.slice(1), { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return r.error.message;
  if (r.status === 0) return null;
  return (r.stderr || `exit ${r.status}`).trim().split('\n')[0] ?? '';
}

/** tryRun inside a fresh cgroup (removed afterwards). */
function runsInGroup(group: CgroupSupport & { available: true }, opts: { boundedTmpfs: boolean; seccompFile?: string | null }): string | null {
  try {
    const cg = createCgroup(group, 'probe', { memoryBytes: 256 * 1048576, pids: 64, cpus: 1 });
    try {
      return tryRun({ ...opts, cgroupProcs: cg.procsFiles });
    } finally {
      cg.endSync();
    }
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  }
}

function bwrapVersion(): string {
  const r = spawnSync('bwrap', ['--version'], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 ? r.stdout.trim() : 'bubblewrap';
}

export function probeBounds(): SandboxBounds {
  const bwrap = bwrapStatus();
  const cgroup = cgroupSupport();
  let seccomp = seccompFilter();
  if (!bwrap.available) return { bwrap, cgroup, seccomp, sizedTmpfs: { available: false, reason: bwrap.reason }, missing: [] };
  // The usual case first: everything at once, one run. Only when that fails is each bound tried on its own.
  if (cgroup.available && seccomp.available && runsInGroup(cgroup, { boundedTmpfs: true, seccompFile: seccomp.file }) === null) {
    return { bwrap, cgroup, seccomp, sizedTmpfs: { available: true }, missing: [] };
  }
  const missing: string[] = [];

  const sizeErr = tryRun({ boundedTmpfs: true });
  const sizedTmpfs: SandboxBounds['sizedTmpfs'] =
    sizeErr === null
      ? { available: true }
      : { available: false, reason: /Unknown option|unrecognized/i.test(sizeErr) ? `${bwrapVersion()} has no --size (a tmpfs with a total size needs bubblewrap 0.8 or later)` : `bubblewrap cannot mount a sized tmpfs: ${sizeErr}` };
  if (!sizedTmpfs.available) missing.push(`no sized tmpfs: ${sizedTmpfs.reason}`);

  if (seccomp.available) {
    const err = tryRun({ boundedTmpfs: sizedTmpfs.available, seccompFile: seccomp.file });
    if (err !== null) seccomp = { available: false, reason: `bubblewrap cannot load the seccomp filter: ${err}` };
  }
  if (!seccomp.available) missing.push(`no seccomp filter: ${seccomp.reason}`);

  let group = cgroup;
  if (group.available) {
    const err = runsInGroup(group, { boundedTmpfs: sizedTmpfs.available });
    if (err !== null) group = { available: false, reason: `the sandbox cannot start in its cgroup: ${err}` };
  }
  if (!group.available) missing.push(`no cgroup for the evaluation (memory, pids and CPU limits): ${group.reason}`);
  return { bwrap, cgroup: group, seccomp, sizedTmpfs, missing };
}
