/** The Limits / ResourceStats / EffectiveLimits schemas (preload/schemas/resources.ts). */
import { describe, expect, it } from 'vitest';
import { EffectiveLimits, Limits, ResourceStats, parseCpuList } from '../../../preload/schemas/resources';

describe('Limits', () => {
  it('accepts a full, valid request', () => {
    const ok = Limits.safeParse({
      memory: { max: 268435456, high: null, low: 0, swapMax: null },
      cpu: { weight: 512, cpus: 1.5, cpusetCpus: '0-1,3', cpusetMems: '0' },
      pids: { max: 100 },
      io: { weight: 500, devices: [{ major: 8, minor: 0, readBps: 1048576, writeIops: null }] },
      devices: { rules: [{ allow: false, type: 'c', major: 1, minor: '*', access: 'mw' }] },
      netCls: { classid: 0x100001 },
      netPrio: { ifPriorities: [{ iface: 'eth0', priority: 5 }] },
    });
    expect(ok.success).toBe(true);
    expect(Limits.parse({})).toEqual({});
  });
  it.each([
    [{ memory: { max: -1 } }, 'memory.max'],
    [{ memory: { max: 1.5 } }, 'memory.max'],
    [{ memory: { max: 2 ** 60 } }, 'memory.max'],
    [{ cpu: { weight: 0 } }, 'cpu.weight'],
    [{ cpu: { weight: 10_001 } }, 'cpu.weight'],
    [{ cpu: { quota: { quotaUs: 500, periodUs: 100000 } } }, 'cpu.quota.quotaUs'],
    [{ cpu: { quota: { quotaUs: 50000, periodUs: 2_000_000 } } }, 'cpu.quota.periodUs'],
    [{ cpu: { cpus: 1, quota: { quotaUs: 50000 } } }, 'cpu'],
    [{ cpu: { cpusetCpus: '1-0' } }, 'cpu.cpusetCpus'],
    [{ cpu: { cpusetCpus: '0,,1' } }, 'cpu.cpusetCpus'],
    [{ cpu: { cpusetCpus: '' } }, 'cpu.cpusetCpus'],
    [{ io: { weight: 10_001 } }, 'io.weight'],
    [{ devices: { rules: [{ allow: true, type: 'x', major: 1, minor: 3, access: 'r' }] } }, 'devices.rules.0.type'],
    [{ devices: { rules: [{ allow: true, type: 'c', major: 1, minor: 3, access: 'rr' }] } }, 'devices.rules.0.access'],
    [{ devices: { rules: [{ allow: true, type: 'c', major: 1, minor: 3, access: 'x' }] } }, 'devices.rules.0.access'],
    [{ netPrio: { ifPriorities: [{ iface: 'a/b', priority: 1 }] } }, 'netPrio.ifPriorities.0.iface'],
    [{ memory: { maxx: 1 } }, 'memory'],
  ])('refuses %j at %s', (input, where) => {
    const r = Limits.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain(where);
  });
  it('parses cpu lists like the kernel', () => {
    expect(parseCpuList('0-2,5,7-8')).toEqual([0, 1, 2, 5, 7, 8]);
    expect(parseCpuList('3-1')).toBeNull();
    expect(parseCpuList('a')).toBeNull();
  });
});

describe('ResourceStats and EffectiveLimits', () => {
  it('carry a sample and the kernel truth', () => {
    expect(
      ResourceStats.safeParse({
        timestamp: 1,
        cpu: { usageUsec: 1, userUsec: 1, systemUsec: 0, nrPeriods: 0, nrThrottled: 0, throttledUsec: 0 },
        memory: { current: 1, peak: null, limit: null, anon: 0, file: 0, oomEvents: 0, oomKillEvents: 0 },
        pids: { current: 1, max: null },
        io: { devices: [] },
        net: { ifaces: [{ name: 'eth0', rxBytes: 1, txBytes: 2, rxPackets: 1, txPackets: 1 }] },
        pressure: { cpu: { someAvg10: 0.1, someAvg60: 0, someAvg300: 0, someTotal: 5 } },
      }).success,
    ).toBe(true);
    expect(
      EffectiveLimits.safeParse({
        driver: 'hybrid',
        groups: { memory: '/sys/fs/cgroup/memory/berth/abc' },
        memory: {
          max: {
            value: 268435456,
            requested: 268435456,
            file: '/sys/fs/cgroup/memory/berth/abc/memory.limit_in_bytes',
            raw: '268435456',
          },
        },
        unsupported: [{ limit: 'memory.low', reason: 'v1' }],
      }).success,
    ).toBe(true);
  });
});
