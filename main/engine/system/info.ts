/**
 * The facts the System page shows, read from the kernel's own files. Each
 * answer carries its evidence (which file said so) next to the value.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { SystemInfo } from '../../../preload/contract';
import { detectLayout, fsTypeName } from '../cgroups/detect';

export const NAMESPACE_TYPES = [
  ['cgroup', 'CLONE_NEWCGROUP'],
  ['ipc', 'CLONE_NEWIPC'],
  ['mnt', 'CLONE_NEWNS'],
  ['net', 'CLONE_NEWNET'],
  ['pid', 'CLONE_NEWPID'],
  ['time', 'CLONE_NEWTIME'],
  ['user', 'CLONE_NEWUSER'],
  ['uts', 'CLONE_NEWUTS'],
] as const;

function readTrim(p: string): string | null {
  try {
    return fs.readFileSync(p, 'utf8').trim();
  } catch {
    return null;
  }
}

export function overlaySupport(): SystemInfo['overlay'] {
  const filesystems = readTrim('/proc/filesystems') ?? '';
  if (/\toverlay$/m.test(filesystems)) return { supported: true, evidence: '/proc/filesystems lists overlay' };
  const modDir = `/lib/modules/${os.release()}/kernel/fs/overlayfs`;
  if (fs.existsSync(modDir)) return { supported: true, evidence: `module present at ${modDir} (loads on first mount)` };
  return { supported: false, evidence: 'overlay is neither in /proc/filesystems nor available as a module' };
}

export function namespaceKinds(): SystemInfo['namespaces'] {
  return NAMESPACE_TYPES.map(([type, cloneFlag]) => {
    const p = `/proc/self/ns/${type}`;
    return { type, path: p, available: fs.existsSync(p), cloneFlag };
  });
}

export function userNamespacePolicy(): SystemInfo['userNamespaces'] {
  const files = [
    '/proc/sys/user/max_user_namespaces',
    '/proc/sys/kernel/unprivileged_userns_clone', // Debian's switch
    '/proc/sys/kernel/apparmor_restrict_unprivileged_userns', // Ubuntu's
  ];
  const evidence: Record<string, string> = {};
  for (const f of files) {
    const v = readTrim(f);
    if (v !== null) evidence[f] = v;
  }
  const max = Number(evidence[files[0]!] ?? '0');
  const debian = evidence[files[1]!];
  const apparmor = evidence[files[2]!];
  const unprivilegedAllowed = max > 0 && debian !== '0' && apparmor !== '1';
  return { unprivilegedAllowed, evidence };
}

export interface HelperFacts {
  ownerUid: number;
  startedVia: 'direct' | 'pkexec';
  startedAt: Date;
  socketPath: string;
  version: string;
  dataRoot: string;
}

export function systemInfo(h: HelperFacts, cgroupRoot = '/sys/fs/cgroup'): SystemInfo {
  const layout = detectLayout(cgroupRoot);
  return {
    kernel: { release: os.release(), version: os.version(), machine: os.machine() },
    cgroup: {
      mode: layout.mode,
      rootFsMagic: `0x${layout.rootFsMagic.toString(16)}`,
      rootFsType: fsTypeName(layout.rootFsMagic),
      root: layout.root,
      unifiedMountPoint: layout.unifiedMountPoint,
      hierarchies: layout.hierarchies,
    },
    overlay: overlaySupport(),
    namespaces: namespaceKinds(),
    userNamespaces: userNamespacePolicy(),
    helper: {
      pid: process.pid,
      uid: process.getuid?.() ?? -1,
      ownerUid: h.ownerUid,
      startedVia: h.startedVia,
      startedAt: h.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - h.startedAt.getTime()) / 100) / 10,
      socketPath: h.socketPath,
      version: h.version,
      node: process.version,
    },
    dataRoot: h.dataRoot,
  };
}
