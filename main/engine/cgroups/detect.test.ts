import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CGROUP2_SUPER_MAGIC,
  TMPFS_MAGIC,
  detectLayout,
  detectMode,
  hierarchiesFrom,
  parseMountinfo,
  parseProcCgroups,
  type CgroupProbe,
} from './detect';

// Lines in the shape of real mountinfo files (hybrid host, pure v2 host).
const HYBRID = `
30 23 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
32 30 0:28 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
35 30 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,cpu,cpuacct
36 30 0:32 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,memory
40 23 0:40 / /mnt/with\\040space rw - ext4 /dev/sda1 rw
`;
const V2 = `29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n`;
const PROC_CGROUPS = `#subsys_name\thierarchy\tnum_cgroups\tenabled
cpuset\t0\t1\t1
cpu\t3\t1\t1
cpuacct\t3\t1\t1
memory\t4\t100\t1
pids\t0\t1\t1
`;

function probe(types: Record<string, number>, files: Record<string, string>): CgroupProbe {
  return {
    statfsType: (p) => {
      const t = types[p];
      if (t === undefined) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
      return t;
    },
    readFile: (p) => {
      const f = files[p];
      if (f === undefined) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
      return f;
    },
  };
}

describe('cgroup mode from statfs magic', () => {
  it('v2 when the root is cgroup2', () => {
    expect(detectMode('/sys/fs/cgroup', probe({ '/sys/fs/cgroup': CGROUP2_SUPER_MAGIC }, {})).mode).toBe('v2');
  });
  it('hybrid when a tmpfs root has cgroup2 at unified', () => {
    const p = probe({ '/sys/fs/cgroup': TMPFS_MAGIC, '/sys/fs/cgroup/unified': CGROUP2_SUPER_MAGIC }, {});
    expect(detectMode('/sys/fs/cgroup', p)).toMatchObject({
      mode: 'hybrid',
      unifiedMountPoint: '/sys/fs/cgroup/unified',
    });
  });
  it('v1 when a tmpfs root has no unified hierarchy', () => {
    expect(detectMode('/sys/fs/cgroup', probe({ '/sys/fs/cgroup': TMPFS_MAGIC }, {})).mode).toBe('v1');
  });
  it('a clear error for anything else', () => {
    expect(() => detectMode('/x', probe({ '/x': 0xef53 }, {}))).toThrow(/ext|neither cgroup2/);
    expect(() => detectMode('/x', probe({}, {}))).toThrow(/not mounted/);
  });
});

describe('hierarchies from mountinfo', () => {
  it('reads v1 controllers, named hierarchies and the unified one', () => {
    const known = parseProcCgroups(PROC_CGROUPS);
    const h = hierarchiesFrom(parseMountinfo(HYBRID), known, () => ['hugetlb']);
    expect(h).toEqual([
      { version: 2, mountPoint: '/sys/fs/cgroup/unified', controllers: ['hugetlb'] },
      { version: 1, mountPoint: '/sys/fs/cgroup/systemd', controllers: [], name: 'systemd' },
      { version: 1, mountPoint: '/sys/fs/cgroup/cpu,cpuacct', controllers: ['cpu', 'cpuacct'] },
      { version: 1, mountPoint: '/sys/fs/cgroup/memory', controllers: ['memory'] },
    ]);
  });
  it('unescapes mount points', () => {
    expect(parseMountinfo(HYBRID).at(-1)?.mountPoint).toBe('/mnt/with space');
  });
  it('a pure v2 host, with controllers from cgroup.controllers', () => {
    const p = probe(
      { '/sys/fs/cgroup': CGROUP2_SUPER_MAGIC },
      {
        '/proc/cgroups': PROC_CGROUPS,
        '/proc/self/mountinfo': V2,
        '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n',
      },
    );
    expect(detectLayout('/sys/fs/cgroup', p)).toEqual({
      mode: 'v2',
      root: '/sys/fs/cgroup',
      rootFsMagic: CGROUP2_SUPER_MAGIC,
      unifiedMountPoint: '/sys/fs/cgroup',
      hierarchies: [
        {
          version: 2,
          mountPoint: '/sys/fs/cgroup',
          controllers: ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc'],
        },
      ],
    });
  });
});

describe('this host, for real', () => {
  it('agrees with statfs and lists the memory controller where v1 is mounted', () => {
    const layout = detectLayout();
    const magic = fs.statfsSync('/sys/fs/cgroup').type;
    expect(layout.rootFsMagic).toBe(magic);
    if (layout.mode !== 'v2') {
      const mem = layout.hierarchies.find((h) => h.controllers.includes('memory'));
      if (fs.existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes'))
        expect(mem?.mountPoint).toBe('/sys/fs/cgroup/memory');
    }
  });
});
