import { describe, expect, it } from 'vitest';
import type { ResourceStats } from '../../../preload/schemas/resources';
import { History, SampleRing } from './history';

function sample(
  t: number,
  usageUsec: number,
  extra: { rbytes?: number; rx?: number; mem?: number } = {},
): ResourceStats {
  return {
    timestamp: t,
    cpu: { usageUsec, userUsec: 0, systemUsec: 0, nrPeriods: t / 100, nrThrottled: t / 1000, throttledUsec: 0 },
    memory: { current: extra.mem ?? 1000, peak: null, limit: null, anon: 0, file: 0, oomEvents: 0, oomKillEvents: 0 },
    pids: { current: 3, max: null },
    io: { devices: [{ major: 8, minor: 0, rbytes: extra.rbytes ?? 0, wbytes: 0, rios: 0, wios: 0 }] },
    net: { ifaces: [{ name: 'eth0', rxBytes: extra.rx ?? 0, txBytes: 0, rxPackets: 0, txPackets: 0 }] },
  };
}

describe('SampleRing', () => {
  it('derives CPU % (100% = one CPU), IO and net bytes/s from deltas', () => {
    const r = new SampleRing(10, 4);
    r.push(sample(1000, 0));
    r.push(sample(2000, 1_500_000, { rbytes: 4096, rx: 1000 })); // 1.5 CPU-seconds in 1 s
    const [first, second] = r.range();
    expect(first?.cpuPercent).toBeNull();
    expect(second?.cpuPercent).toBeCloseTo(150);
    expect(second?.cpuPercentOfHost).toBeCloseTo(37.5);
    expect(second?.ioReadBps).toBeCloseTo(4096);
    expect(second?.netRxBps).toBeCloseTo(1000);
    expect(second?.throttledPercent).toBeCloseTo(10);
    expect(second?.memoryLimit).toBeNull();
  });
  it('keeps the last N samples, oldest first, and filters by time', () => {
    const r = new SampleRing(5, 1);
    for (let i = 0; i < 12; i++) r.push(sample(i * 1000, i * 100_000));
    expect(r.length).toBe(5);
    expect(r.range().map((p) => p.t)).toEqual([7000, 8000, 9000, 10000, 11000]);
    expect(r.range(9500).map((p) => p.t)).toEqual([10000, 11000]);
    expect(r.range(9500)[0]?.cpuPercent).toBeCloseTo(10);
  });
  it('a counter going backwards (group recreated) gives null, not a negative rate', () => {
    const r = new SampleRing(4, 1);
    r.push(sample(0, 5_000_000));
    r.push(sample(1000, 10));
    expect(r.range()[1]?.cpuPercent).toBeNull();
  });
});

describe('History', () => {
  it('keeps a ring per container with the default 15 min capacity', () => {
    const h = new History();
    expect(h.capacity).toBe(900);
    h.push('a', sample(0, 0));
    h.push('b', sample(0, 0));
    expect(h.ids().sort()).toEqual(['a', 'b']);
    expect(h.last('a')?.t).toBe(0);
    h.delete('a');
    expect(h.range('a')).toEqual([]);
  });
});
