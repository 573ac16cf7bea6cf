/** v1 controller files parsed from a temp tree laid out like a v1 host (no root needed). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StatsReader } from './stats-reader';
import * as blkio from './v1/blkio';
import * as cpu from './v1/cpu';
import * as cpuacct from './v1/cpuacct';
import * as devices from './v1/devices';
import * as memory from './v1/memory';
import { ensureNetClsPrio } from './v1/net-cls';
import { parseIfpriomap } from './v1/net-prio';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-v1-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const put = (f: string, s: string) => fs.writeFileSync(path.join(dir, f), s);

describe('v1 files', () => {
  it('normalises "unlimited" (PAGE_COUNTER_MAX × PAGE_SIZE) to null, with BigInt', () => {
    put('memory.limit_in_bytes', '9223372036854771712\n');
    put('memory.soft_limit_in_bytes', '9223372036854771712\n');
    put('memory.memsw.limit_in_bytes', '9223372036854771712\n');
    put('memory.usage_in_bytes', '45182976\n');
    put('memory.max_usage_in_bytes', '50331648\n');
    put('memory.failcnt', '12\n');
    put('memory.kmem.usage_in_bytes', '1236992\n');
    put('memory.oom_control', 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
    put(
      'memory.stat',
      'cache 11603968\nrss 5857280\nswap 0\nhierarchical_memory_limit 9223372036854771712\ntotal_cache 20000000\ntotal_rss 30000000\ntotal_swap 4096\n',
    );
    const e = memory.read(dir);
    expect(e.memory?.max).toEqual({
      value: null,
      file: path.join(dir, 'memory.limit_in_bytes'),
      raw: '9223372036854771712',
    });
    expect(e.memory?.swapMax?.value).toBeNull();
    expect(memory.stats(dir)).toEqual({
      current: 45182976,
      peak: 50331648,
      limit: null,
      anon: 30000000,
      file: 20000000,
      kernel: 1236992,
      swap: 4096,
      oomEvents: 2,
      oomKillEvents: 2,
      failcnt: 12,
      underOom: false,
    });
    put('memory.limit_in_bytes', '67108864\n');
    put('memory.memsw.limit_in_bytes', '100663296\n');
    expect(memory.read(dir).memory?.swapMax?.value).toBe(33554432);
  });

  it('cpu.weight round-trips through cpu.shares: the default 1024 survives an unchanged save and an undo', () => {
    const sharesFile = path.join(dir, 'cpu.shares');
    put('cpu.shares', '1024\n');
    expect(cpu.read(dir).cpu?.weight?.value).toBe(39);
    cpu.apply(dir, { cpu: { weight: 39 } }); // the editor saved what it read
    expect(fs.readFileSync(sharesFile, 'utf8')).toBe('1024');
    cpu.apply(dir, { cpu: { weight: 100 } });
    expect(fs.readFileSync(sharesFile, 'utf8')).toBe('2598');
    expect(cpu.read(dir).cpu?.weight?.value).toBe(100);
    cpu.apply(dir, { cpu: { weight: 100 } });
    expect(fs.readFileSync(sharesFile, 'utf8')).toBe('2598');
    cpu.apply(dir, { cpu: { weight: 39 } }); // undo
    expect(fs.readFileSync(sharesFile, 'utf8')).toBe('1024');
  });

  it('memory.low is refused on v1, and memsw writes keep limit <= memsw', () => {
    put('memory.limit_in_bytes', '67108864');
    put('memory.memsw.limit_in_bytes', '9223372036854771712');
    expect(() => memory.apply(dir, { memory: { low: 1 << 20 } })).toThrow(
      expect.objectContaining({ code: 'CGROUP_UNSUPPORTED', message: expect.stringMatching(/no memory reservation/) }),
    );
    memory.apply(dir, { memory: { max: 134217728, swapMax: 67108864 } });
    expect(fs.readFileSync(path.join(dir, 'memory.memsw.limit_in_bytes'), 'utf8')).toBe('201326592');
    expect(fs.readFileSync(path.join(dir, 'memory.limit_in_bytes'), 'utf8')).toBe('134217728');
  });

  it('swapMax without memsw (swap accounting off) is refused plainly', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-v1-noswap-'));
    fs.writeFileSync(path.join(d, 'memory.limit_in_bytes'), '9223372036854771712');
    try {
      expect(() => memory.apply(d, { memory: { swapMax: 0 } })).toThrow(/swap accounting is off/);
    } finally {
      fs.rmSync(d, { recursive: true });
    }
  });

  it('cpuacct: ns and USER_HZ ticks to µs', () => {
    put('cpuacct.usage', '123456789012\n');
    put('cpuacct.stat', 'user 9619\nsystem 3971\n');
    expect(cpuacct.stats(dir, undefined, 100)).toEqual({
      usageUsec: 123456789,
      userUsec: 96190000,
      systemUsec: 39710000,
    });
  });

  it('blkio: throttle lines and the recursive service counters', () => {
    put(
      'blkio.throttle.io_service_bytes_recursive',
      '254:0 Read 1048576\n254:0 Write 4096\n254:0 Sync 0\n254:0 Async 1052672\n254:0 Discard 0\n254:0 Total 1052672\nTotal 1052672\n',
    );
    put('blkio.throttle.io_serviced_recursive', '254:0 Read 256\n254:0 Write 1\n254:0 Total 257\nTotal 257\n');
    expect(blkio.stats(dir)).toEqual({
      devices: [{ major: 254, minor: 0, rbytes: 1048576, wbytes: 4096, rios: 256, wios: 1 }],
    });
    expect([...blkio.parseThrottle('254:0 1048576\n8:0 500\n')]).toEqual([
      ['254:0', 1048576],
      ['8:0', 500],
    ]);
  });

  it('devices: rule lines and devices.list', () => {
    expect(devices.ruleLine({ allow: false, type: 'c', major: 1, minor: 3, access: 'mwr' })).toBe('c 1:3 rwm');
    expect(devices.ruleLine({ allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' })).toBe('a');
    expect(devices.parseList('c 1:3 rwm\nb *:* m\n')).toEqual([
      { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
      { allow: true, type: 'b', major: '*', minor: '*', access: 'm' },
    ]);
  });

  it('net_prio.ifpriomap lines', () => {
    expect(parseIfpriomap('lo 5\neth0 0\n')).toEqual([
      { iface: 'lo', priority: 5 },
      { iface: 'eth0', priority: 0 },
    ]);
  });

  it('ensureNetClsPrio finds an existing co-mount and does not mount again', () => {
    let mounted = 0;
    const r = ensureNetClsPrio({
      root: '/sys/fs/cgroup',
      readMountinfo: () =>
        '111 30 0:41 / /sys/fs/cgroup/net_cls,net_prio rw,relatime - cgroup cgroup rw,net_cls,net_prio\n',
      mount: () => mounted++,
    });
    expect(r).toEqual({
      netCls: '/sys/fs/cgroup/net_cls,net_prio',
      netPrio: '/sys/fs/cgroup/net_cls,net_prio',
      mounted: false,
    });
    expect(mounted).toBe(0);
  });

  it('ensureNetClsPrio mounts at <root>/net_cls,net_prio when absent', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-netcls-'));
    let mi = '';
    try {
      const r = ensureNetClsPrio({
        root,
        readMountinfo: () => mi,
        mount: (mp) => {
          mi = `1 2 0:9 / ${mp} rw - cgroup cgroup rw,net_cls,net_prio\n`;
        },
      });
      expect(r).toEqual({ netCls: `${root}/net_cls,net_prio`, netPrio: `${root}/net_cls,net_prio`, mounted: true });
    } finally {
      fs.rmSync(root, { recursive: true });
    }
  });

  it('StatsReader opens once and preads fresh content each time', () => {
    const r = new StatsReader(8);
    put('cpuacct.usage', '1\n');
    expect(r.read(path.join(dir, 'cpuacct.usage'))).toBe('1\n');
    fs.writeFileSync(path.join(dir, 'cpuacct.usage'), '1234567890123\n'); // longer than the buffer: it grows
    expect(r.read(path.join(dir, 'cpuacct.usage'))).toBe('1234567890123\n');
    expect(r.read(path.join(dir, 'absent'))).toBeNull();
    expect(r.opens).toBe(1);
    expect(r.openFiles).toBe(1);
    r.close();
    expect(r.openFiles).toBe(0);
  });
});
