/**
 * issue 24: how the sandbox finds where to make its cgroups. The kernel's own behaviour is tested
 * against the real sandbox (sandbox-bounds.test.ts, on whatever layout the machine has: cgroup v1
 * on this project's CI). Here, the layouts a machine may have are read from their /proc text, and
 * the cgroup v2 choice and file protocol are followed on a directory shaped like a v2 hierarchy
 * (a plain directory: it checks the names and values written, not what the kernel does with them).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCgroup, parseMountinfo, parseProcCgroup, probeCgroups } from '../../src/scoring/sandbox/cgroup.js';

const tree = mkdtempSync(join(tmpdir(), 'referee-cgroupfs-'));
afterAll(() => rmSync(tree, { recursive: true, force: true }));

const PURE_V2 = (mnt: string): string => `29 23 0:26 / ${mnt} rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n`;
const HYBRID = [
  '35 26 0:30 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate',
  '37 26 0:32 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,memory',
  '38 26 0:33 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,pids',
  '39 26 0:34 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,cpu,cpuacct',
  '40 26 0:35 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,xattr,name=systemd',
].join('\n');

describe('reading the layout', () => {
  it('finds cgroup and cgroup2 mounts and their controllers (pure v2, hybrid)', () => {
    expect(parseMountinfo(PURE_V2('/sys/fs/cgroup'))).toEqual([{ root: '/', mountPoint: '/sys/fs/cgroup', fstype: 'cgroup2', superOptions: ['rw', 'nsdelegate', 'memory_recursiveprot'] }]);
    const hybrid = parseMountinfo(HYBRID);
    expect(hybrid.map((m) => m.fstype)).toEqual(['cgroup2', 'cgroup', 'cgroup', 'cgroup', 'cgroup']);
    expect(hybrid.find((m) => m.superOptions.includes('cpu'))?.mountPoint).toBe('/sys/fs/cgroup/cpu,cpuacct');
  });

  it("reads the process's group in each hierarchy", () => {
    const map = parseProcCgroup('12:pids:/\n4:memory:/process_api/abc\n3:cpu,cpuacct:/user.slice\n1:name=systemd:/init.scope\n0::/user.slice/user-1000.slice/session-2.scope\n');
    expect(map.get('')).toBe('/user.slice/user-1000.slice/session-2.scope');
    expect(map.get('memory')).toBe('/process_api/abc');
    expect(map.get('cpu')).toBe('/user.slice');
    expect(map.get('cpuacct')).toBe('/user.slice');
    expect(map.get('pids')).toBe('/');
  });
});

/** A directory shaped like a cgroup v2 hierarchy whose top offers `controllers`. */
function v2Tree(name: string, controllers: string): string {
  const top = join(tree, name);
  mkdirSync(join(top, 'user.slice', 'session-2.scope'), { recursive: true });
  writeFileSync(join(top, 'cgroup.controllers'), controllers);
  writeFileSync(join(top, 'cgroup.subtree_control'), '');
  writeFileSync(join(top, 'user.slice', 'session-2.scope', 'cgroup.controllers'), controllers);
  return top;
}

describe('choosing where the groups go (cgroup v2)', () => {
  it('as root: referee/ at the top, the three controllers enabled for it and below, limits in memory.max, pids.max, cpu.max', async () => {
    const top = v2Tree('root', 'cpuset cpu io memory hugetlb pids rdma');
    // A leaf left by a runner killed with -9 (its pid is long gone): swept on the next probe.
    mkdirSync(join(top, 'referee', 'referee-999999999-4-solution'), { recursive: true });
    const s = probeCgroups({ mountinfo: PURE_V2(top), procCgroup: '0::/user.slice/session-2.scope\n', env: {}, root: true, pid: 4242 });
    expect(s).toMatchObject({ available: true, version: 2, base: join(top, 'referee'), how: 'root' });
    expect(readFileSync(join(top, 'cgroup.subtree_control'), 'utf8')).toBe('+memory +pids +cpu');
    expect(readFileSync(join(top, 'referee', 'cgroup.subtree_control'), 'utf8')).toBe('+memory +pids +cpu');
    expect(existsSync(join(top, 'referee', 'referee-999999999-4-solution'))).toBe(false);
    if (!s.available) return;
    const g = createCgroup(s, 'solution', { memoryBytes: 320 * 1048576, pids: 64, cpus: 1 });
    const leaf = g.procsFiles[0]?.replace(/\/cgroup\.procs$/, '') as string;
    expect(g.procsFiles).toEqual([join(leaf, 'cgroup.procs')]);
    expect(readFileSync(join(leaf, 'memory.max'), 'utf8')).toBe(String(320 * 1048576));
    expect(readFileSync(join(leaf, 'pids.max'), 'utf8')).toBe('64');
    expect(readFileSync(join(leaf, 'cpu.max'), 'utf8')).toBe('100000 100000');
    // The kernel's counters after the run, as the verdict reads them.
    writeFileSync(join(leaf, 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 1\n');
    writeFileSync(join(leaf, 'pids.events'), 'max 3\n');
    writeFileSync(join(leaf, 'memory.peak'), `${300 * 1048576}\n`);
    const end = g.endSync();
    expect(end).toEqual({ oomKills: 2, pidsRefused: 3, peakBytes: 300 * 1048576 });
  });

  it('names what is missing: no controllers in v2 (bound to v1), an explicit group outside the hierarchy', () => {
    const bare = v2Tree('bare', 'hugetlb');
    const mounts = PURE_V2(bare) + '37 26 0:32 / /nonexistent/memory rw - cgroup cgroup rw,memory\n';
    const s = probeCgroups({ mountinfo: mounts, procCgroup: '0::/\n4:memory:/\n', env: {}, root: true, pid: 4242 });
    expect(s.available).toBe(false);
    if (!s.available) expect(s.reason).toContain('cgroup v2 has no memory, pids, cpu controller here (they are bound to cgroup v1)');
    const explicit = probeCgroups({ mountinfo: PURE_V2(v2Tree('explicit', 'memory pids cpu')), procCgroup: '0::/\n', env: { REFEREE_CGROUP: '/elsewhere' }, root: true, pid: 4242 });
    expect(explicit).toEqual({ available: false, reason: expect.stringContaining('REFEREE_CGROUP=/elsewhere is not under the cgroup v2 hierarchy') });
  });
});
