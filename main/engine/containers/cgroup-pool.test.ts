/**
 * CgroupPools.removeWithin: a pool the kernel still calls busy is tried again
 * until it goes or the time is up (then logged, left to the next helper's
 * reclaim). The driver is a stand-in that answers EBUSY a given number of
 * times; the real removal is cgroup-pool.integration's.
 */
import { describe, expect, it } from 'vitest';
import type { CgroupDriver } from '../cgroups/driver';
import { CgroupPools } from './cgroup-pool';

function busyDriver(busyTimes: number): { driver: CgroupDriver; calls: () => number } {
  let calls = 0;
  const driver = {
    removePool: async () => {
      calls++;
      if (calls <= busyTimes) throw Object.assign(new Error('rmdir: EBUSY'), { code: 'CGROUP_BUSY' });
    },
  } as unknown as CgroupDriver;
  return { driver, calls: () => calls };
}

describe('CgroupPools.removeWithin', () => {
  it('tries a busy pool again until it is removed, logging nothing', async () => {
    const { driver, calls } = busyDriver(2);
    const logged: string[] = [];
    await new CgroupPools(driver, 'berth', (m) => logged.push(m)).removeWithin('.standby-1-2-1', 5000);
    expect(calls()).toBe(3);
    expect(logged).toEqual([]);
  });

  it('gives up once the time is up and says which pool is left', async () => {
    const { driver, calls } = busyDriver(Infinity);
    const logged: string[] = [];
    await new CgroupPools(driver, 'berth', (m) => logged.push(m)).removeWithin('.standby-1-2-1', 250);
    expect(calls()).toBeGreaterThanOrEqual(2);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('.standby-1-2-1');
    expect(logged[0]).toContain('EBUSY');
  });
});
