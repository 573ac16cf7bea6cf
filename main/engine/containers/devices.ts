/**
 * A container's devices, resolved in the helper at each start: `--device`
 * host paths stat'ed (docker resolves symlinks and expands a directory to the
 * devices under it), the host's devices for a privileged container, and the
 * resulting device policy (cgroups/device-policy.ts). The numbers are read
 * again at every start: they can change across reboots.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';
import type { ContainerCreateT } from '../../../preload/schemas/containers';
import type { Limits } from '../../../preload/schemas/resources';
import type { MonitorDevice } from '../../../native/monitor';
import {
  buildDevicePolicy,
  DEVICE_ERRORS,
  parseDeviceRule,
  type PolicyRule,
  type ResolvedDevice,
} from '../cgroups/device-policy';

/** dev_t as Node gives it (st_rdev): glibc's encoding of 12-bit major / 20-bit minor. */
export function devMajor(rdev: number): number {
  return ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
}
export function devMinor(rdev: number): number {
  return (rdev & 0xff) | ((rdev >>> 12) & ~0xff);
}

function node(hostPath: string, containerPath: string, st: fs.Stats, permissions: string): ResolvedDevice {
  return {
    hostPath,
    containerPath,
    type: st.isBlockDevice() ? 'b' : 'c',
    major: devMajor(st.rdev),
    minor: devMinor(st.rdev),
    fileMode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    permissions,
  };
}

/** Device nodes under a directory, recursively (symlinks are not followed, as docker's walk). */
function devicesUnder(dir: string, containerDir: string, permissions: string, out: ResolvedDevice[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const host = path.join(dir, e.name);
    const inside = path.posix.join(containerDir, e.name);
    if (e.isDirectory()) devicesUnder(host, inside, permissions, out);
    else if (e.isCharacterDevice() || e.isBlockDevice()) out.push(node(host, inside, fs.lstatSync(host), permissions));
  }
}

/**
 * `--device HOST[:CONTAINER][:rwm]` → nodes. DEVICE_INVALID when the host path
 * does not exist or is neither a character nor a block device (nor a
 * directory holding some).
 */
export function resolveDevices(mappings: ContainerCreateT['security']['devices']): ResolvedDevice[] {
  const out: ResolvedDevice[] = [];
  for (const m of mappings) {
    let real: string;
    let st: fs.Stats;
    try {
      real = fs.realpathSync(m.hostPath);
      st = fs.statSync(real);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      throw new BerthError(DEVICE_ERRORS.device, `--device ${m.hostPath}: cannot stat it (${code})`, {
        hostPath: m.hostPath,
        errno: code,
      });
    }
    if (st.isDirectory()) {
      const before = out.length;
      devicesUnder(real, m.containerPath, m.permissions, out);
      if (out.length === before)
        throw new BerthError(DEVICE_ERRORS.device, `--device ${m.hostPath}: the directory holds no device nodes`, {
          hostPath: m.hostPath,
        });
      continue;
    }
    if (!st.isCharacterDevice() && !st.isBlockDevice())
      throw new BerthError(
        DEVICE_ERRORS.device,
        `--device ${m.hostPath}: not a character or block device${real !== m.hostPath ? ` (${real})` : ''}`,
        { hostPath: m.hostPath },
      );
    out.push(node(m.hostPath, m.containerPath, st, m.permissions));
  }
  return out;
}

/** /dev entries a privileged container does not get from the host (runc's and docker's list). */
const HOST_DEV_SKIP_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);
const HOST_DEV_SKIP_FILES = new Set(['console', 'ptmx', 'null', 'zero', 'full', 'random', 'urandom', 'tty']);

/**
 * Every device node of the host's /dev, for --privileged (as docker gives
 * them): the container's /dev is still its own tmpfs, with these made in it.
 * Left out: devpts, shm, mqueue, the fd link, console (the container's is its
 * pty), ptmx (the container's links to its own devpts) and the six default
 * nodes the monitor makes anyway.
 */
export function hostDevices(devRoot = '/dev'): ResolvedDevice[] {
  const out: ResolvedDevice[] = [];
  const walk = (dir: string, inside: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const host = path.join(dir, e.name);
      const target = path.posix.join(inside, e.name);
      if (e.isDirectory()) {
        if (!(inside === '/dev' && HOST_DEV_SKIP_DIRS.has(e.name))) walk(host, target);
      } else if (
        (e.isCharacterDevice() || e.isBlockDevice()) &&
        !(inside === '/dev' && HOST_DEV_SKIP_FILES.has(e.name))
      ) {
        try {
          out.push(node(host, target, fs.lstatSync(host), 'rwm'));
        } catch {
          // gone meanwhile
        }
      }
    }
  };
  walk(devRoot, '/dev');
  return out;
}

export interface ContainerDevices {
  rules: PolicyRule[];
  devices: ResolvedDevice[];
}

/** The policy and the nodes of a container, from its config and live limits. */
export function containerDevices(config: ContainerCreateT, limits?: Limits): ContainerDevices {
  // Records stored before `security` existed have none: the defaults apply.
  const sec = config.security ?? { privileged: false, devices: [], deviceCgroupRules: [] };
  // Rules are checked first: a bad rule fails before any stat.
  for (const r of sec.deviceCgroupRules) parseDeviceRule(r);
  const mapped = resolveDevices(sec.devices);
  const devices = sec.privileged ? [...hostDevices(), ...mapped] : mapped;
  const rules = buildDevicePolicy({
    privileged: sec.privileged,
    devices: mapped,
    cgroupRules: sec.deviceCgroupRules,
    limitRules: limits?.devices?.rules ?? [],
  });
  return { rules, devices };
}

/** The monitor's linux.devices entries. */
export function monitorDevices(devices: readonly ResolvedDevice[]): MonitorDevice[] {
  return devices.map((d) => ({
    path: d.containerPath,
    type: d.type,
    major: d.major,
    minor: d.minor,
    fileMode: d.fileMode,
    uid: d.uid,
    gid: d.gid,
  }));
}
