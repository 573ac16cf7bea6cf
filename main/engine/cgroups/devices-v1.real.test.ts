/**
 * The v1 side of the device policy for real: the driver's setDevicePolicy on
 * a group under berth/ of the host's devices hierarchy, a plain shell moved
 * into that v1 group only (its unified group stays the root one, where no
 * device program is attached), so devices.deny/devices.allow alone decide.
 * Root only; hosts without a v1 devices controller skip it.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDevicePolicy, plainRules } from './device-policy';
import { probeIn, scratchNodes } from './device-probe';
import { V1Driver, type CgroupHandle } from './driver';
import { hasV1, hostLayout, isRoot, testId } from '../../testing/cgroup-groups';
import { expectedList } from './v1/devices';

const layout = hostLayout();
const run = isRoot && hasV1(layout, 'devices');

describe.skipIf(!run)('v1 device policy (real devices controller)', () => {
  const made: string[] = [];
  let h: CgroupHandle | null = null;
  const driver = run
    ? new V1Driver({ ...layout!, hierarchies: layout!.hierarchies.filter((x) => x.controllers.includes('devices')) })
    : null;
  afterEach(async () => {
    if (h) await driver!.destroy(h);
    h = null;
    for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('deny a + the defaults: defaults open, the rest is refused; devices.list reads back what was written', () => {
    h = driver!.create(testId('devv1'));
    const dir = h.v1.devices!;
    const d = scratchNodes();
    made.push(d);
    expect(probeIn([`${dir}/cgroup.procs`], d, ['kmsg', 'loop-control'])).toMatchObject({
      kmsg: 'ok',
      'loop-control': 'ok',
      'mknod-disk': 'ok',
    });
    const rules = plainRules(buildDevicePolicy({ privileged: false, devices: [], cgroupRules: ['c 1:11 r'] }));
    const applied = driver!.setDevicePolicy(h, rules);
    expect(applied.v2).toBeNull();
    expect(applied.v1?.[0]).toEqual({ file: `${dir}/devices.deny`, value: 'a' });
    const list = fs.readFileSync(`${dir}/devices.list`, 'utf8').trim().split('\n');
    expect(list.sort()).toEqual(expectedList(rules).sort());
    expect(list).toContain('c 1:11 r');
    expect(driver!.readDevicePolicy(h, rules).v1).toMatchObject({ inForce: true, file: `${dir}/devices.list` });

    expect(probeIn([`${dir}/cgroup.procs`], d, ['null', 'zero', 'kmsg', 'mem', 'loop-control', 'disk'])).toEqual({
      null: 'ok',
      zero: 'ok',
      kmsg: 'ok',
      mem: 'EPERM',
      'loop-control': 'EPERM',
      disk: 'EPERM',
      'mknod-disk': 'EPERM',
      'mknod-null': 'ok',
    });

    // Privileged: allow a.
    driver!.setDevicePolicy(h, plainRules(buildDevicePolicy({ privileged: true, devices: [], cgroupRules: [] })));
    expect(fs.readFileSync(`${dir}/devices.list`, 'utf8').trim()).toBe('a *:* rwm');
    expect(probeIn([`${dir}/cgroup.procs`], d, ['loop-control'])).toMatchObject({
      'loop-control': 'ok',
      'mknod-disk': 'ok',
    });
  });
});
