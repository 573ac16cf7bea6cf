/**
 * The v2 driver against fixture trees copied from real v2 systems
 * (testdata/README.md): what it parses, and the exact strings it writes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CGROUP2_SUPER_MAGIC, type CgroupLayout } from './detect';
import { V2Driver } from './driver';
import { SLOT } from './sample-layout';
import { Sampler } from './sampler';
import { enableControllers } from './v2/core';

const TESTDATA = fileURLToPath(new URL('./testdata', import.meta.url));
const temps: string[] = [];

function fixture(name: string): { root: string; driver: V2Driver; file: (rel: string) => string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `berth-cg-${name}-`));
  temps.push(root);
  fs.cpSync(path.join(TESTDATA, name), root, { recursive: true });
  const controllers = fs.readFileSync(path.join(root, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
  const layout: CgroupLayout = {
    mode: 'v2',
    root,
    rootFsMagic: CGROUP2_SUPER_MAGIC,
    unifiedMountPoint: root,
    hierarchies: [{ version: 2, mountPoint: root, controllers }],
  };
  return {
    root,
    driver: new V2Driver(layout),
    file: (rel) => fs.readFileSync(path.join(root, rel), 'utf8'),
  };
}

afterEach(() => {
  for (const t of temps.splice(0)) fs.rmSync(t, { recursive: true, force: true });
});

describe('V2Driver on v2-fedora-6.11', () => {
  it('reads limits back with values, raw strings and file paths', () => {
    const { root, driver } = fixture('v2-fedora-6.11');
    const h = driver.open('web');
    expect(h.unified).toBe(path.join(root, 'berth/web'));
    const e = driver.read(h);
    expect(e.driver).toBe('v2');
    expect(e.groups).toEqual({ unified: path.join(root, 'berth/web') });
    expect(e.memory?.max).toEqual({
      value: 536870912,
      file: path.join(root, 'berth/web/memory.max'),
      raw: '536870912',
    });
    expect(e.memory?.high?.value).toBe(469762048);
    expect(e.memory?.low?.value).toBe(67108864);
    expect(e.memory?.swapMax?.value).toBe(268435456);
    expect(e.cpu?.quotaUs).toMatchObject({
      value: 200000,
      raw: '200000 100000',
      file: path.join(root, 'berth/web/cpu.max'),
    });
    expect(e.cpu?.periodUs?.value).toBe(100000);
    expect(e.cpu?.weight?.value).toBe(100);
    // Empty cpuset.cpus inherits: the value shown is the effective list.
    expect(e.cpu?.cpusetCpus).toMatchObject({ value: '0-7', raw: '' });
    expect(e.pids?.max?.value).toBe(512);
    expect(e.io?.weight?.value).toBe(100);
    expect(e.io?.devices).toEqual([
      {
        major: 259,
        minor: 0,
        readBps: expect.objectContaining({ value: null, raw: '259:0 rbps=max wbps=10485760 riops=max wiops=max' }),
        writeBps: expect.objectContaining({ value: 10485760 }),
        readIops: expect.objectContaining({ value: null }),
        writeIops: expect.objectContaining({ value: null }),
      },
    ]);
    const unsupported = Object.fromEntries(e.unsupported.map((u) => [u.limit, u.reason]));
    expect(unsupported.devices).toMatch(/BPF_PROG_TYPE_CGROUP_DEVICE/);
    expect(unsupported.netCls).toMatch(/no net_cls/);
  });

  it('parses a sample: cpu.stat, memory.*, pids, io.stat, PSI, hugetlb', () => {
    const { driver } = fixture('v2-fedora-6.11');
    const s = driver.stats(driver.open('web'));
    expect(s.cpu).toEqual({
      usageUsec: 48273912,
      userUsec: 40121007,
      systemUsec: 8152905,
      nrPeriods: 48211,
      nrThrottled: 1630,
      throttledUsec: 83122711,
    });
    expect(s.memory).toEqual({
      current: 251658240,
      peak: 301989888,
      limit: 536870912,
      anon: 150994944,
      file: 88080384,
      kernel: 12582912,
      swap: 4194304,
      oomEvents: 1,
      oomKillEvents: 1,
    });
    expect(s.pids).toEqual({ current: 37, max: 512 });
    expect(s.io.devices).toEqual([
      { major: 259, minor: 0, rbytes: 183287808, wbytes: 59117568, rios: 4077, wios: 1230 },
      { major: 253, minor: 0, rbytes: 183287808, wbytes: 59117568, rios: 4101, wios: 1251 },
    ]);
    expect(s.pressure?.cpu).toEqual({
      someAvg10: 4.12,
      someAvg60: 3.87,
      someAvg300: 2.02,
      someTotal: 61839211,
      fullAvg10: 3.91,
      fullAvg60: 3.6,
      fullAvg300: 1.88,
      fullTotal: 58711092,
    });
    expect(s.pressure?.io?.someTotal).toBe(390126);
    expect(s.hugetlb).toEqual([
      { pageSize: '1GB', current: 0, max: null, maxEvents: 0 },
      { pageSize: '2MB', current: 4194304, max: 67108864, maxEvents: 0 },
    ]);
    expect(s.net.ifaces).toEqual([]);
  });

  it('the per-tick sample (native StatBatch over sampleFiles) gives the numbers stats() parses', () => {
    const { driver } = fixture('v2-fedora-6.11');
    const h = driver.open('web');
    const s = driver.stats(h);
    const x = new Sampler(driver);
    try {
      x.add('web', h);
      expect(x.sampleOnce().errors).toEqual([]);
      const ring = x.history.ring('web')!;
      expect(ring.lastValue(SLOT.cpuUsec)).toBe(s.cpu.usageUsec);
      expect(ring.lastValue(SLOT.nrPeriods)).toBe(s.cpu.nrPeriods);
      expect(ring.lastValue(SLOT.nrThrottled)).toBe(s.cpu.nrThrottled);
      expect(ring.lastValue(SLOT.oom)).toBe(s.memory.oomEvents);
      expect(ring.lastValue(SLOT.oomKill)).toBe(s.memory.oomKillEvents);
      expect(ring.lastValue(SLOT.ioReadBytes)).toBe(s.io.devices.reduce((a, d) => a + d.rbytes, 0));
      expect(ring.lastValue(SLOT.ioWriteBytes)).toBe(s.io.devices.reduce((a, d) => a + d.wbytes, 0));
      const p = x.history.last('web')!;
      expect(p).toMatchObject({
        memoryBytes: s.memory.current,
        memoryLimit: s.memory.limit,
        pids: s.pids.current,
        psiCpuSomeAvg10: 4.12,
        psiCpuFullAvg10: 3.91,
        psiMemorySomeAvg10: s.pressure?.memory?.someAvg10,
        psiIoSomeAvg10: s.pressure?.io?.someAvg10,
      });
    } finally {
      x.close();
    }
  });

  it("EffectiveLimits.cpu.cpusetCpusAllowed is the parent's cpuset.cpus.effective", () => {
    const { root, driver } = fixture('v2-fedora-6.11');
    const h = driver.open('web');
    expect(driver.read(h).cpu?.cpusetCpusAllowed).toBeUndefined();
    fs.writeFileSync(path.join(root, 'berth/cpuset.cpus.effective'), '0-7\n');
    expect(driver.read(h).cpu?.cpusetCpusAllowed).toMatchObject({
      value: '0-7',
      raw: '0-7',
      file: path.join(root, 'berth/cpuset.cpus.effective'),
    });
  });

  it('writes the exact strings the kernel takes', () => {
    const { root, driver, file } = fixture('v2-fedora-6.11');
    const h = driver.open('web');
    const g = (f: string) => path.join(root, 'berth/web', f);
    const res = driver.apply(h, {
      memory: { max: null, high: 268435456, low: 0, swapMax: null },
      cpu: { weight: 512, cpus: 0.5, cpusetCpus: '0-1' },
      pids: { max: null },
      io: { weight: 500, devices: [{ major: 259, minor: 0, readBps: 1048576, writeIops: null }] },
    });
    expect(res.writes).toEqual([
      { file: g('memory.max'), value: 'max' },
      { file: g('memory.high'), value: '268435456' },
      { file: g('memory.low'), value: '0' },
      { file: g('memory.swap.max'), value: 'max' },
      { file: g('cpu.weight'), value: '512' },
      { file: g('cpu.max'), value: '50000 100000' },
      { file: g('cpuset.cpus'), value: '0-1' },
      { file: g('pids.max'), value: 'max' },
      { file: g('io.weight'), value: 'default 500' },
      { file: g('io.max'), value: '259:0 rbps=1048576 wiops=max' },
    ]);
    expect(file('berth/web/cpu.max')).toBe('50000 100000');
    expect(file('berth/web/memory.max')).toBe('max');
    // The next read shows what was asked next to what the file holds.
    const e = driver.read(h);
    expect(e.memory?.max).toMatchObject({ value: null, requested: null, raw: 'max' });
    expect(e.cpu?.quotaUs).toMatchObject({ value: 50000, requested: 50000, note: 'from cpus 0.5' });
    expect(e.cpu?.weight).toMatchObject({ value: 512, requested: 512 });

    driver.apply(h, { cpu: { quota: { quotaUs: null } } });
    expect(file('berth/web/cpu.max')).toBe('max 100000');
    driver.apply(h, { cpu: { quota: { quotaUs: 25000, periodUs: 50000 } } });
    expect(file('berth/web/cpu.max')).toBe('25000 50000');
  });

  it('refuses device rules and net_cls on v2 with the reason, writing nothing', () => {
    const { driver, file } = fixture('v2-fedora-6.11');
    const h = driver.open('web');
    const before = file('berth/web/memory.max');
    expect(() =>
      driver.apply(h, {
        memory: { max: 1 << 20 },
        devices: { rules: [{ allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }] },
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'CGROUP_UNSUPPORTED',
        message: expect.stringMatching(/BPF_PROG_TYPE_CGROUP_DEVICE program of the device policy/),
      }),
    );
    expect(file('berth/web/memory.max').trim()).toBe(before.trim());
    expect(() => driver.apply(h, { netCls: { classid: 0x100001 } })).toThrow(
      expect.objectContaining({ code: 'CGROUP_UNSUPPORTED' }),
    );
  });

  it('enables missing controllers level by level in cgroup.subtree_control', () => {
    const { root } = fixture('v2-fedora-6.11');
    const r = enableControllers(root, 'berth', ['cpu', 'cpuset', 'memory', 'io', 'pids', 'hugetlb']);
    expect(r.failures).toEqual([]);
    expect(r.writes).toEqual([
      { file: path.join(root, 'cgroup.subtree_control'), value: '+hugetlb' },
      { file: path.join(root, 'berth/cgroup.subtree_control'), value: '+cpuset' },
      { file: path.join(root, 'berth/cgroup.subtree_control'), value: '+io' },
    ]);
  });

  it('creates and destroys a group directory (no processes)', async () => {
    const { root, driver } = fixture('v2-fedora-6.11');
    const h = driver.create('api');
    expect(fs.statSync(path.join(root, 'berth/api')).isDirectory()).toBe(true);
    expect(driver.procsFiles(h)).toEqual([path.join(root, 'berth/api/cgroup.procs')]);
    await driver.destroy(h);
    expect(fs.existsSync(path.join(root, 'berth/api'))).toBe(false);
    await driver.destroy(h); // ENOENT tolerated
  });

  it('refuses ids that are not one safe path segment', () => {
    const { driver } = fixture('v2-fedora-6.11');
    expect(() => driver.create('../etc')).toThrow(expect.objectContaining({ code: 'CGROUP_BAD_ID' }));
    expect(() => driver.create('a/b')).toThrow(expect.objectContaining({ code: 'CGROUP_BAD_ID' }));
    expect(() => driver.open('nope')).toThrow(expect.objectContaining({ code: 'CGROUP_NOT_FOUND' }));
  });
});

describe('V2Driver on v2-ubuntu-5.15', () => {
  it('copes with an older kernel: no memory.peak, kernel memory summed, BFQ weight', () => {
    const { driver } = fixture('v2-ubuntu-5.15');
    const h = driver.open('db');
    const s = driver.stats(h);
    expect(s.memory.peak).toBeNull();
    expect(s.memory.limit).toBeNull();
    expect(s.memory.kernel).toBe(245760 + 577536 + 72576 + 0 + 3770144);
    expect(s.memory.oomEvents).toBe(0);
    expect(s.pids).toEqual({ current: 9, max: null });
    expect(s.io.devices).toEqual([{ major: 8, minor: 0, rbytes: 49655808, wbytes: 1077248, rios: 1467, wios: 134 }]);
    expect(s.hugetlb).toBeUndefined();
    const e = driver.read(h);
    expect(e.memory?.max).toMatchObject({ value: null, raw: 'max' });
    expect(e.cpu?.quotaUs).toMatchObject({ value: null, raw: 'max 100000' });
    expect(e.io?.weight?.file.endsWith('io.bfq.weight')).toBe(true);
    expect(e.io?.devices).toEqual([]);
  });

  it('BFQ-only io weight is written on BFQ scale', () => {
    const { driver, file } = fixture('v2-ubuntu-5.15');
    driver.apply(driver.open('db'), { io: { weight: 500 } });
    expect(file('berth/db/io.bfq.weight')).toBe('default 59');
  });

  it('all-or-nothing: a refused write undoes the earlier ones and names file and errno', () => {
    const { root, driver, file } = fixture('v2-ubuntu-5.15');
    const h = driver.open('db');
    let err: unknown;
    try {
      driver.apply(h, { memory: { max: 104857600 }, cpu: { cpusetCpus: '0' } });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'CGROUP_LIMIT_REFUSED',
      details: {
        file: path.join(root, 'berth/db/cpuset.cpus'),
        value: '0',
        errno: 'ENOENT',
        rolledBack: true,
        undone: 1,
      },
    });
    expect((err as Error).message).toMatch(/controller not enabled/);
    expect(file('berth/db/memory.max')).toBe('max');
    expect(driver.read(h).memory?.max?.requested).toBeUndefined();
  });

  it('refuses invalid limits before touching a file', () => {
    const { driver } = fixture('v2-ubuntu-5.15');
    const h = driver.open('db');
    expect(() => driver.apply(h, { memory: { max: -1 } })).toThrow(
      expect.objectContaining({ code: 'CGROUP_BAD_LIMITS', message: expect.stringMatching(/memory\.max/) }),
    );
    expect(() => driver.apply(h, { cpu: { cpusetCpus: '3-1' } })).toThrow(
      expect.objectContaining({ code: 'CGROUP_BAD_LIMITS' }),
    );
  });
});
