import { describe, expect, it } from 'vitest';
import {
  baselineDraft,
  buildLimits,
  formatClassid,
  formatCpuList,
  parseClassid,
  pendingFields,
  pickerCpus,
  rulesRestoring,
  undoFor,
  weightToShares,
  type Draft,
} from './model';
import { HYBRID as EFF } from './test-fixtures';

const edit = (over: Partial<Draft>): { draft: Draft; base: Draft } => {
  const base = baselineDraft(EFF);
  return { base, draft: { ...base, ...over } };
};

describe('baseline and pending', () => {
  it('shows the read-back in input units and nothing is pending', () => {
    const base = baselineDraft(EFF);
    expect(base.memMax).toEqual({ text: '64', unit: 'MiB' });
    expect(base.memHigh).toEqual({ text: '', unit: 'MiB' });
    expect(base.cpuWeight).toBe('39');
    expect(base.cpus).toBe('');
    expect(base.cpuset).toEqual([0, 1]);
    expect(base.ioDevices).toEqual([
      { major: '8', minor: '0', readBps: '1048576', writeBps: '', readIops: '', writeIops: '' },
    ]);
    expect(base.netClsClassid).toBe('0:0');
    expect(pendingFields(base, base)).toEqual([]);
  });

  it('compares by meaning: 0.0625 GiB is the same 64 MiB', () => {
    const { draft, base } = edit({ memMax: { text: '0.0625', unit: 'GiB' } });
    expect(pendingFields(draft, base)).toEqual([]);
  });
});

describe('buildLimits', () => {
  it('sends only the changed fields of the changed sections', () => {
    const { draft, base } = edit({ memMax: { text: '96', unit: 'MiB' }, pidsMax: '64' });
    const r = buildLimits(draft, base);
    expect(r.errors).toEqual({});
    expect(r.limits).toEqual({ memory: { max: 100663296 }, pids: { max: 64 } });
    expect(r.sections).toEqual(['memory', 'pids']);
  });

  it('1 KiB is sent as 1024 (the kernel decides; the schema allows it)', () => {
    const { draft, base } = edit({ memMax: { text: '1', unit: 'KiB' } });
    expect(buildLimits(draft, base).limits).toEqual({ memory: { max: 1024 } });
  });

  it('empty = unlimited: memory null, cpus → quota max', () => {
    const withQuota = { ...baselineDraft(EFF), cpus: '0.5', memMax: { text: '', unit: 'MiB' as const } };
    const r = buildLimits(withQuota, baselineDraft(EFF));
    expect(r.limits).toEqual({ memory: { max: null }, cpu: { cpus: 0.5 } });
    const back = buildLimits({ ...withQuota, cpus: '' }, { ...withQuota });
    expect(back.limits).toEqual({ cpu: { quota: { quotaUs: null } } });
  });

  it('validates with the contract schema and maps issues to controls', () => {
    const { draft, base } = edit({ cpuWeight: '20000', cpus: '0.001', cpuset: [], pidsMax: 'lots' });
    const r = buildLimits(draft, base);
    expect(Object.keys(r.errors).sort()).toEqual(['cpuWeight', 'cpus', 'cpuset', 'pidsMax']);
    expect(r.errors.cpuset).toMatch(/cpu list/);
    expect(r.errors.pidsMax).toMatch(/whole number/);
  });

  it('cpuset toggles become a compressed kernel list', () => {
    expect(formatCpuList([3, 0, 1, 2, 7, 5])).toBe('0-3,5,7');
    const { draft, base } = edit({ cpuset: [1] });
    expect(buildLimits(draft, base).limits).toEqual({ cpu: { cpusetCpus: '1' } });
  });

  it('IO: a changed device row is sent whole (0 or empty = no limit), a removed one is lifted', () => {
    const { draft, base } = edit({
      ioDevices: [
        { major: '8', minor: '0', readBps: '1048576', writeBps: '2097152', readIops: '', writeIops: '0' },
        { major: '259', minor: '0', readBps: '', writeBps: '', readIops: '100', writeIops: '' },
      ],
    });
    expect(buildLimits(draft, base).limits).toEqual({
      io: {
        devices: [
          { major: 8, minor: 0, readBps: 1048576, writeBps: 2097152, readIops: null, writeIops: null },
          { major: 259, minor: 0, readBps: null, writeBps: null, readIops: 100, writeIops: null },
        ],
      },
    });
    const removed = buildLimits({ ...base, ioDevices: [] }, base);
    expect(removed.limits.io?.devices).toEqual([
      { major: 8, minor: 0, readBps: null, writeBps: null, readIops: null, writeIops: null },
    ]);
  });

  it('device rules, net_cls and net_prio', () => {
    const { draft, base } = edit({
      deviceRules: [{ allow: false, type: 'c', major: '1', minor: '3', access: 'rwm' }],
      netClsClassid: '10:1',
      netPrio: [
        { iface: 'lo', priority: '0' },
        { iface: 'eth0', priority: '5' },
      ],
    });
    const r = buildLimits(draft, base);
    expect(r.errors).toEqual({});
    expect(r.limits).toEqual({
      devices: { rules: [{ allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }] },
      netCls: { classid: 0x00100001 },
      netPrio: { ifPriorities: [{ iface: 'eth0', priority: 5 }] },
    });
    const badRule = buildLimits(
      { ...base, deviceRules: [{ allow: true, type: 'c', major: '1', minor: '3', access: 'rr' }] },
      base,
    );
    expect(badRule.errors.deviceRules).toBeTruthy();
  });
});

describe('undo', () => {
  it('puts back the values in force before the change', () => {
    expect(
      undoFor({ memory: { max: 100663296, high: 50331648 }, cpu: { cpus: 0.5, weight: 100 }, pids: { max: 10 } }, EFF),
    ).toEqual({
      memory: { max: 67108864, high: null },
      cpu: { weight: 39, quota: { quotaUs: null } },
      pids: { max: null },
    });
    expect(undoFor({ io: { devices: [{ major: 8, minor: 0, writeBps: 5 }] } }, EFF)).toEqual({
      io: { devices: [{ major: 8, minor: 0, readBps: 1048576, writeBps: null, readIops: null, writeIops: null }] },
    });
    expect(undoFor({ devices: { rules: [] } }, EFF)).toEqual({
      devices: { rules: [{ allow: true, type: 'a', major: '*', minor: '*', access: 'rwm' }] },
    });
  });

  it('a default-deny list is rebuilt as deny all + allow each', () => {
    expect(rulesRestoring([{ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }])).toEqual([
      { allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' },
      { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
    ]);
  });
});

describe('conversions', () => {
  it('weight → shares as the v1 driver writes them', () => {
    expect(weightToShares(100)).toBe(2598);
    expect(weightToShares(512)).toBe(13399);
    expect(weightToShares(10000)).toBe(262144);
    expect(weightToShares(1)).toBe(2);
  });

  it('classid in tc handle form', () => {
    expect(parseClassid('10:1')).toBe(0x00100001);
    expect(parseClassid('0x00100001')).toBe(0x00100001);
    expect(parseClassid('1048577')).toBe(1048577);
    expect(parseClassid('nope')).toBeNaN();
    expect(formatClassid(0x00100001)).toBe('10:1');
  });

  it('picker cpus: read-back ∪ host cpus', () => {
    expect(pickerCpus({ seen: [0], hostCpus: 2 }).cpus).toEqual([0, 1]);
    expect(pickerCpus({ seen: [0, 5], hostCpus: null, hardwareConcurrency: 4 }).cpus).toEqual([0, 1, 2, 3, 5]);
  });

  it("picker cpus: exactly the kernel's allowed set when the helper reads it", () => {
    const file = '/sys/fs/cgroup/cpuset/berth/cpuset.effective_cpus';
    const p = pickerCpus({ seen: [0], hostCpus: 8, allowed: { list: [2, 0, 1], file } });
    expect(p.cpus).toEqual([0, 1, 2]);
    expect(p.source).toBe(`allowed: ${file}`);
    expect(pickerCpus({ seen: [0], hostCpus: 2, allowed: { list: [], file } }).cpus).toEqual([0, 1]);
  });
});
