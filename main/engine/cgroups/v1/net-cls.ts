/**
 * v1 net_cls (Documentation/admin-guide/cgroup-v1/net_cls.rst): net_cls.classid
 * tags the group's packets with a tc class id 0xAAAABBBB (tc handle AAAA:BBBB),
 * for tc filters / iptables -m cgroup to match. There is no v2 controller: on
 * v2 the equivalent is matching the socket's cgroup path (nftables
 * "socket cgroupv2", or eBPF), so v2 drivers refuse netCls.
 *
 * Many hosts boot without net_cls/net_prio mounted. ensureNetClsPrio() mounts
 * them as one co-mounted v1 hierarchy at <root>/net_cls,net_prio, as distros
 * do. It is idempotent and never unmounts anything.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Limits } from '../../../../preload/schemas/resources';
import { parseMountinfo } from '../detect';
import { cgroupError, errMessage, sysCode } from '../errors';
import { type WriteTxn, inTxn, num, readTrim } from '../fsutil';
import { type EffPart, eff } from '../types';
import type { Controller } from '../controller';

export const FILES = { classid: 'net_cls.classid' } as const;

export interface NetMounts {
  netCls: string;
  netPrio: string;
  /** True when this call did the mount. */
  mounted: boolean;
}

export interface EnsureNetOptions {
  root?: string;
  readMountinfo?: () => string;
  /** Performs `mount -t cgroup -o net_cls,net_prio cgroup <mountPoint>`. */
  mount?: (mountPoint: string) => void;
}

function findNetMounts(mountinfo: string, root: string): { netCls?: string; netPrio?: string } {
  const out: { netCls?: string; netPrio?: string } = {};
  for (const m of parseMountinfo(mountinfo)) {
    if (m.fsType !== 'cgroup' || !(m.mountPoint === root || m.mountPoint.startsWith(root + '/'))) continue;
    if (m.superOptions.includes('net_cls')) out.netCls ??= m.mountPoint;
    if (m.superOptions.includes('net_prio')) out.netPrio ??= m.mountPoint;
  }
  return out;
}

function mountCgroup(mountPoint: string): void {
  execFileSync('mount', ['-t', 'cgroup', '-o', 'net_cls,net_prio', 'cgroup', mountPoint], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 10_000,
  });
}

/**
 * Make sure net_cls and net_prio are mounted somewhere under root; mount them
 * as <root>/net_cls,net_prio when they are not. Concurrent callers agree
 * through mkdir of the mount point: the one whose mkdir succeeds mounts, the
 * others wait for the mount to show up in mountinfo.
 */
export function ensureNetClsPrio(opts: EnsureNetOptions = {}): NetMounts {
  const root = opts.root ?? '/sys/fs/cgroup';
  const readMi = opts.readMountinfo ?? (() => fs.readFileSync('/proc/self/mountinfo', 'utf8'));
  const doMount = opts.mount ?? mountCgroup;
  const found = () => findNetMounts(readMi(), root);
  let f = found();
  if (f.netCls && f.netPrio) return { netCls: f.netCls, netPrio: f.netPrio, mounted: false };
  if (f.netCls || f.netPrio) {
    throw cgroupError(
      'CGROUP_MOUNT_FAILED',
      `only one of net_cls/net_prio is mounted (${f.netCls ?? f.netPrio}); Berth will not remount the other`,
      { root },
    );
  }
  const mp = path.join(root, 'net_cls,net_prio');
  let mine = false;
  try {
    fs.mkdirSync(mp);
    mine = true;
  } catch (err) {
    if (sysCode(err) !== 'EEXIST')
      throw cgroupError('CGROUP_MOUNT_FAILED', `mkdir ${mp}: ${errMessage(err)}`, {
        mountPoint: mp,
        errno: sysCode(err),
      });
  }
  if (!mine) {
    // Someone else created it: give their mount a moment, then mount over a stale empty dir.
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      f = found();
      if (f.netCls && f.netPrio) return { netCls: f.netCls, netPrio: f.netPrio, mounted: false };
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    doMount(mp);
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw cgroupError(
      'CGROUP_MOUNT_FAILED',
      `mount -t cgroup -o net_cls,net_prio cgroup ${mp}: ${stderr || errMessage(err)}`,
      {
        mountPoint: mp,
      },
    );
  }
  f = found();
  if (!f.netCls || !f.netPrio)
    throw cgroupError('CGROUP_MOUNT_FAILED', `mounted ${mp} but mountinfo does not show net_cls,net_prio`, {
      mountPoint: mp,
    });
  return { netCls: f.netCls, netPrio: f.netPrio, mounted: true };
}

export function apply(dir: string, limits: Limits, tx?: WriteTxn): void {
  const c = limits.netCls;
  if (!c) return;
  inTxn(tx, (tx) => tx.write(path.join(dir, FILES.classid), String(c.classid)));
}

export function classidHandle(classid: number): string {
  return `${(classid >>> 16).toString(16)}:${(classid & 0xffff).toString(16)}`;
}

export function read(dir: string, requested?: Limits): EffPart {
  const file = path.join(dir, FILES.classid);
  const raw = readTrim(file);
  if (raw === null) return {};
  const v = num(raw);
  return {
    netCls: {
      classid: eff(
        v,
        file,
        raw,
        requested?.netCls?.classid,
        `0x${v.toString(16).padStart(8, '0')} = tc class ${classidHandle(v)}`,
      ),
    },
  };
}

export const controller: Controller = {
  key: 'net_cls',
  name: 'net_cls',
  files: FILES,
  mountOnDemand: true,
  apply,
  read,
};
