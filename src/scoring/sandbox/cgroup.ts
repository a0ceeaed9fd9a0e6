/**
 * issue 24: a control group per sandboxed process tree, so that memory (all its processes
 * together, its tmpfs files included: shmem is charged to the writer's group), processes and
 * CPU are bounded for the evaluation as a whole, not per process.
 *
 * cgroup v2 (what systemd machines have): a leaf per sandbox under a base group whose
 * `cgroup.subtree_control` enables `memory`, `pids` and `cpu`; limits `memory.max`
 * (`memory.swap.max` 0, `memory.oom.group` 1: an out-of-memory kill takes the whole tree),
 * `pids.max`, `cpu.max`. The base is, in this order:
 *   1. `$REFEREE_CGROUP` (a group delegated to the runner, e.g. by systemd's `Delegate=yes`);
 *   2. as root, `referee/` at the top of the hierarchy (what Docker's cgroupfs driver does);
 *   3. the runner's own group when it is writable (delegated: `systemd-run --user --scope -p
 *      Delegate=yes …`): the runner first moves itself into a leaf `referee-runner/`, since a
 *      v2 group with processes cannot enable controllers for its children.
 * cgroup v1 (older or hybrid layouts, such as this project's CI): leaves beside the runner, in
 * its own group of each of the `memory`, `pids` and `cpu` hierarchies, limits `memory.limit_in_bytes`
 * (and `memory.memsw.limit_in_bytes`), `pids.max`, `cpu.cfs_quota_us`. v2 is used when it has
 * the three controllers, v1 otherwise.
 *
 * The sandbox's first process writes its own pid into the leaf's `cgroup.procs` before it execs
 * bubblewrap (`enterScript` in bwrap.ts), so nothing of it runs outside the group. Afterwards the
 * leaf's out-of-memory kills (`memory.events` `oom_kill`, v1 `memory.oom_control`) and refused
 * forks (`pids.events` `max`) are read for the verdict, everything left in it is killed
 * (`cgroup.kill`, or each pid), and the leaf is removed.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CONTROLLERS = ['memory', 'pids', 'cpu'] as const;
type Controller = (typeof CONTROLLERS)[number];

export interface CgroupLimits {
  /** All processes together, bytes. */
  memoryBytes: number;
  /** Processes and threads at once. */
  pids: number;
  /** CPUs' worth of time per period (1: one core). */
  cpus: number;
}

export type CgroupSupport =
  | { available: true; version: 2; base: string; how: string }
  | { available: true; version: 1; bases: Record<Controller, string>; how: string }
  | { available: false; reason: string };

export interface CgroupEnd {
  /** Processes the kernel killed for memory in this group. */
  oomKills: number;
  /** Forks refused at `pids.max`. */
  pidsRefused: number;
  /** Most memory the group held, bytes (null where the kernel does not say). */
  peakBytes: number | null;
}

export interface Cgroup {
  /** The `cgroup.procs` files the sandbox's first process writes its pid into. */
  procsFiles: string[];
  /** Reads the counters, kills what is left, removes the group. */
  end(): Promise<CgroupEnd>;
  /** The same, blocking (the start-up probe). */
  endSync(): CgroupEnd;
}

interface MountEntry {
  root: string;
  mountPoint: string;
  fstype: string;
  superOptions: string[];
}

/** `/proc/self/mountinfo`: the cgroup and cgroup2 mounts. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const f = pre.split(' ');
    const [fstype, , superOpts] = post.split(' ');
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    out.push({ root: unescape(f[3] ?? '/'), mountPoint: unescape(f[4] ?? ''), fstype, superOptions: (superOpts ?? '').split(',') });
  }
  return out;
}

const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** `/proc/self/cgroup`: hierarchy (`''` for v2, else each controller or `name=…`) → path. */
export function parseProcCgroup(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const [, names, path] = m as unknown as [string, string, string];
    if (names === '') map.set('', path);
    for (const n of names.split(',')) if (n) map.set(n, path);
  }
  return map;
}

/** Where a group's path lies under a mount (the mount may show only a subtree: a container's). */
function dirOf(mount: MountEntry, path: string): string {
  const rel = mount.root !== '/' && (path === mount.root || path.startsWith(`${mount.root}/`)) ? path.slice(mount.root.length) : path;
  return join(mount.mountPoint, rel);
}

const read = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};
const words = (file: string): string[] => (read(file) ?? '').trim().split(/\s+/).filter(Boolean);
const writable = (path: string): boolean => {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};
const errText = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? String(e);

/** Enables the three controllers for `dir`'s children; the error's code when it cannot. */
function enable(dir: string): string | null {
  const missing = CONTROLLERS.filter((c) => !words(join(dir, 'cgroup.subtree_control')).includes(c));
  if (missing.length === 0) return null;
  try {
    writeFileSync(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
    return null;
  } catch (e) {
    return errText(e);
  }
}

let cached: CgroupSupport | undefined;

/** Whether (and where) this process can make bounded groups; probed once per process. */
export function cgroupSupport(): CgroupSupport {
  cached ??= probeCgroups({
    mountinfo: read('/proc/self/mountinfo') ?? '',
    procCgroup: read('/proc/self/cgroup') ?? '',
    env: process.env,
    root: process.getuid?.() === 0,
    pid: process.pid,
  });
  return cached;
}

export interface ProbeInput {
  mountinfo: string;
  procCgroup: string;
  env: NodeJS.ProcessEnv;
  root: boolean;
  pid: number;
}

export function probeCgroups(input: ProbeInput): CgroupSupport {
  const mounts = parseMountinfo(input.mountinfo);
  const paths = parseProcCgroup(input.procCgroup);
  const reasons: string[] = [];
  const v2 = mounts.find((m) => m.fstype === 'cgroup2');
  const v2Path = paths.get('');
  if (input.env.REFEREE_CGROUP && (!v2 || v2Path === undefined)) return { available: false, reason: `REFEREE_CGROUP is set, but no cgroup v2 hierarchy is mounted` };
  if (v2 && v2Path !== undefined) {
    const r = probeV2(v2, v2Path, input, mounts);
    // An explicit group is the answer, usable or not.
    if (r.available || input.env.REFEREE_CGROUP) return r;
    reasons.push(r.reason);
  } else if (!v2) {
    reasons.push('no cgroup v2 hierarchy is mounted');
  }
  const v1 = probeV1(mounts, paths, input.pid);
  if (v1.available) return v1;
  if (v1.reason) reasons.push(v1.reason);
  return { available: false, reason: reasons.join('; ') };
}

function probeV2(mount: MountEntry, path: string, input: ProbeInput, mounts: MountEntry[]): CgroupSupport {
  const own = dirOf(mount, path);
  const lacking = (dir: string): Controller[] => CONTROLLERS.filter((c) => !words(join(dir, 'cgroup.controllers')).includes(c));
  const explicit = input.env.REFEREE_CGROUP;
  if (explicit) {
    if (!explicit.startsWith(`${mount.mountPoint}/`)) return { available: false, reason: `REFEREE_CGROUP=${explicit} is not under the cgroup v2 hierarchy (${mount.mountPoint})` };
    if (!existsSync(join(explicit, 'cgroup.controllers'))) return { available: false, reason: `REFEREE_CGROUP=${explicit} is not a cgroup v2 group` };
    const no = lacking(explicit);
    if (no.length > 0) return { available: false, reason: `REFEREE_CGROUP=${explicit} has no ${no.join(', ')} controller (delegate them to it)` };
    const err = enable(explicit);
    if (err) return { available: false, reason: `REFEREE_CGROUP=${explicit}: cannot enable memory, pids and cpu for its children (${err}; a group with processes in it cannot)` };
    return probeLeaf({ available: true, version: 2, base: explicit, how: 'REFEREE_CGROUP' }, input.pid);
  }
  const top = mount.mountPoint;
  const noTop = lacking(top);
  // 2. As root: a group of our own at the top of the hierarchy.
  if (input.root && noTop.length === 0) {
    const base = join(top, 'referee');
    const err = enable(top) ?? mkdirErr(base) ?? enable(base);
    if (!err) return probeLeaf({ available: true, version: 2, base, how: 'root' }, input.pid);
  }
  // 3. The runner's own group, delegated to it: move into a leaf, then enable the controllers below.
  const noOwn = lacking(own);
  if (noOwn.length > 0) {
    const bound = mounts.some((m) => m.fstype === 'cgroup' && noOwn.some((c) => m.superOptions.includes(c)));
    if (noTop.length > 0 && bound) return { available: false, reason: `cgroup v2 has no ${noTop.join(', ')} controller here (they are bound to cgroup v1)` };
    return { available: false, reason: `no delegated cgroup v2 subtree: this process's cgroup (${own}) has no ${noOwn.join(', ')} controller; ${DELEGATE_HINT}` };
  }
  if (!writable(own) || !writable(join(own, 'cgroup.subtree_control'))) {
    return { available: false, reason: `no delegated cgroup v2 subtree: this process's cgroup (${own}) is not writable; ${DELEGATE_HINT}` };
  }
  if (enable(own) !== null) {
    const leaf = join(own, 'referee-runner');
    const moveErr = mkdirErr(leaf) ?? writeErr(join(leaf, 'cgroup.procs'), String(input.pid));
    if (moveErr) return { available: false, reason: `cannot move this process into ${leaf} (${moveErr}), so its delegated cgroup cannot enable controllers for its children` };
    const err = enable(own);
    if (err) return { available: false, reason: `the delegated cgroup ${own} cannot enable memory, pids and cpu for its children (${err}): processes other than Referee's are in it` };
  }
  return probeLeaf({ available: true, version: 2, base: own, how: 'delegated' }, input.pid);
}

const DELEGATE_HINT = 'run Referee as root, under `systemd-run --user --scope -p Delegate=yes …`, or with REFEREE_CGROUP set to a delegated group';

function probeV1(mounts: MountEntry[], paths: Map<string, string>, pid: number): CgroupSupport | { available: false; reason: string | null } {
  const bases = {} as Record<Controller, string>;
  const absent: Controller[] = [];
  for (const c of CONTROLLERS) {
    const m = mounts.find((x) => x.fstype === 'cgroup' && x.superOptions.includes(c));
    const p = paths.get(c);
    if (!m || p === undefined) absent.push(c);
    else bases[c] = dirOf(m, p);
  }
  if (absent.length === CONTROLLERS.length) return { available: false, reason: null };
  if (absent.length > 0) return { available: false, reason: `cgroup v1 has no ${absent.join(', ')} hierarchy mounted` };
  const shut = CONTROLLERS.find((c) => !writable(bases[c]));
  if (shut) return { available: false, reason: `cannot create a cgroup v1 ${shut} group under ${bases[shut]} (not writable: cgroup v1 needs root)` };
  return probeLeaf({ available: true, version: 1, bases, how: 'v1' }, pid);
}

function mkdirErr(dir: string): string | null {
  try {
    mkdirSync(dir, { recursive: true });
    return null;
  } catch (e) {
    return errText(e);
  }
}

function writeErr(file: string, text: string): string | null {
  try {
    writeFileSync(file, text);
    return null;
  } catch (e) {
    return errText(e);
  }
}

/** Makes and removes one leaf with limits, so a base that only looks usable is found out now; sweeps leaves of dead runners. */
function probeLeaf(support: CgroupSupport & { available: true }, pid: number): CgroupSupport {
  for (const base of bases(support)) sweep(base);
  const name = `referee-${pid}-probe`;
  const dirs = leafDirs(support, name);
  try {
    for (const d of dirs) mkdirSync(d);
    writeLimits(support, name, { memoryBytes: 64 * 1048576, pids: 16, cpus: 1 });
    return support;
  } catch (e) {
    return { available: false, reason: `cannot set limits on a cgroup under ${bases(support).join(', ')} (${errText(e)})` };
  } finally {
    for (const d of dirs) rmdirQuiet(d);
  }
}

function bases(s: CgroupSupport & { available: true }): string[] {
  return s.version === 2 ? [s.base] : [...new Set(Object.values(s.bases))];
}

/** The leaf's directories: one (v2), or one per hierarchy (v1; co-mounted controllers share one). */
function leafDirs(s: CgroupSupport & { available: true }, name: string): string[] {
  return bases(s).map((b) => join(b, name));
}

/** Empty leaves `referee-<pid>-…` whose runner is gone (a runner killed with -9 leaves its leaf). */
function sweep(base: string): void {
  let entries: string[];
  try {
    entries = readdirSync(base);
  } catch {
    return;
  }
  for (const e of entries) {
    const owner = /^referee-(\d+)-/.exec(e)?.[1];
    if (owner === undefined || alive(Number(owner))) continue;
    rmdirQuiet(join(base, e));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes a group's directory: true once it is gone; false while it is busy (EBUSY: processes still exiting). Any other error ends the tries. */
function rmdirQuiet(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'EBUSY';
  }
}

const CPU_PERIOD_US = 100_000;

function writeLimits(s: CgroupSupport & { available: true }, name: string, limits: CgroupLimits): void {
  const quota = Math.max(1000, Math.round(limits.cpus * CPU_PERIOD_US));
  const at = (c: Controller, file: string): string => join(leafDir(s, name, c), file);
  if (s.version === 2) {
    writeFileSync(at('memory', 'memory.max'), String(limits.memoryBytes));
    // No swap: the limit is real memory (the file is absent without swap accounting).
    if (existsSync(at('memory', 'memory.swap.max'))) writeFileSync(at('memory', 'memory.swap.max'), '0');
    // One out-of-memory kill takes the whole group: the verdict cannot depend on which child died.
    if (existsSync(at('memory', 'memory.oom.group'))) writeFileSync(at('memory', 'memory.oom.group'), '1');
    writeFileSync(at('pids', 'pids.max'), String(limits.pids));
    writeFileSync(at('cpu', 'cpu.max'), `${quota} ${CPU_PERIOD_US}`);
    return;
  }
  writeFileSync(at('memory', 'memory.limit_in_bytes'), String(limits.memoryBytes));
  // memory + swap: the same, so no swap (absent without swap accounting).
  if (existsSync(at('memory', 'memory.memsw.limit_in_bytes'))) writeFileSync(at('memory', 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
  writeFileSync(at('pids', 'pids.max'), String(limits.pids));
  writeFileSync(at('cpu', 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
  writeFileSync(at('cpu', 'cpu.cfs_quota_us'), String(quota));
}

/** The leaf's directory for one controller. */
function leafDir(s: CgroupSupport & { available: true }, name: string, c: Controller): string {
  return join(s.version === 2 ? s.base : s.bases[c], name);
}

let seq = 0;

/** A fresh leaf with `limits`, for one sandboxed process tree. Throws when the group cannot be made. */
export function createCgroup(support: CgroupSupport & { available: true }, label: string, limits: CgroupLimits): Cgroup {
  const name = `referee-${process.pid}-${++seq}-${label}`;
  const dirs = leafDirs(support, name);
  try {
    for (const d of dirs) mkdirSync(d);
    writeLimits(support, name, limits);
  } catch (e) {
    for (const d of dirs) rmdirQuiet(d);
    throw e;
  }
  const procsFiles = dirs.map((d) => join(d, 'cgroup.procs'));
  const counters = (file: string): Map<string, number> =>
    new Map(
      (read(file) ?? '')
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter((p) => p.length === 2)
        .map(([k, v]) => [k as string, Number(v)]),
    );
  const readEnd = (): CgroupEnd => {
    const mem = leafDir(support, name, 'memory');
    const oomKills = counters(join(mem, support.version === 2 ? 'memory.events' : 'memory.oom_control')).get('oom_kill') ?? 0;
    const pidsRefused = counters(join(leafDir(support, name, 'pids'), 'pids.events')).get('max') ?? 0;
    const peakText = read(join(mem, support.version === 2 ? 'memory.peak' : 'memory.max_usage_in_bytes'));
    const peakBytes = peakText !== null && /^\d+\s*$/.test(peakText) ? Number(peakText) : null;
    return { oomKills, pidsRefused, peakBytes };
  };
  let ended: CgroupEnd | undefined;
  return {
    procsFiles,
    end: async () => {
      if (ended) return ended;
      ended = readEnd();
      for (let attempt = 0; attempt < 100 && !destroyOnce(dirs, support.version); attempt++) await new Promise((r) => setTimeout(r, 20));
      return ended;
    },
    endSync: () => {
      if (ended) return ended;
      ended = readEnd();
      for (let attempt = 0; attempt < 100 && !destroyOnce(dirs, support.version); attempt++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      return ended;
    },
  };
}

/** Kills whatever is left in the leaf and tries to remove it; true once it is gone (the last processes may take a moment to exit). */
function destroyOnce(dirs: string[], version: 1 | 2): boolean {
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    if (version === 2 && existsSync(join(d, 'cgroup.kill'))) writeErr(join(d, 'cgroup.kill'), '1');
    else for (const pid of words(join(d, 'cgroup.procs'))) killQuiet(Number(pid));
  }
  return dirs.map(rmdirQuiet).every(Boolean);
}

function killQuiet(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}
