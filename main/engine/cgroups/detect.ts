/**
 * Cgroup mode from statfs magic (not from guesses), and the mounted
 * hierarchies from mountinfo. The root and the readers are injectable so
 * tests can point them at fixture trees.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';

export const CGROUP2_SUPER_MAGIC = 0x63677270;
export const CGROUP_SUPER_MAGIC = 0x27e0eb;
export const TMPFS_MAGIC = 0x01021994;

export type CgroupMode = 'v1' | 'v2' | 'hybrid';

export interface CgroupHierarchy {
  version: 1 | 2;
  mountPoint: string;
  controllers: string[];
  name?: string;
}

export interface CgroupLayout {
  mode: CgroupMode;
  root: string;
  rootFsMagic: number;
  unifiedMountPoint: string | null;
  hierarchies: CgroupHierarchy[];
}

export interface CgroupProbe {
  statfsType(p: string): number;
  readFile(p: string): string;
}

export const hostProbe: CgroupProbe = {
  statfsType: (p) => fs.statfsSync(p).type,
  readFile: (p) => fs.readFileSync(p, 'utf8'),
};

export function fsTypeName(magic: number): string {
  switch (magic) {
    case CGROUP2_SUPER_MAGIC:
      return 'cgroup2';
    case CGROUP_SUPER_MAGIC:
      return 'cgroup';
    case TMPFS_MAGIC:
      return 'tmpfs';
    default:
      return `unknown(0x${magic.toString(16)})`;
  }
}

function statType(probe: CgroupProbe, p: string): number | null {
  try {
    return probe.statfsType(p);
  } catch {
    return null;
  }
}

export function detectMode(root: string, probe: CgroupProbe = hostProbe): Omit<CgroupLayout, 'hierarchies'> {
  const magic = statType(probe, root);
  if (magic === CGROUP2_SUPER_MAGIC) return { mode: 'v2', root, rootFsMagic: magic, unifiedMountPoint: root };
  if (magic === TMPFS_MAGIC) {
    const unified = path.join(root, 'unified');
    if (statType(probe, unified) === CGROUP2_SUPER_MAGIC) {
      return { mode: 'hybrid', root, rootFsMagic: magic, unifiedMountPoint: unified };
    }
    return { mode: 'v1', root, rootFsMagic: magic, unifiedMountPoint: null };
  }
  throw new BerthError(
    'CGROUP_UNSUPPORTED',
    magic === null
      ? `${root} is not mounted or not readable`
      : `${root} is ${fsTypeName(magic)}, neither cgroup2 nor a tmpfs of v1 hierarchies`,
    { root },
  );
}

/** mountinfo escapes spaces and friends as \040 etc. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
  superOptions: string[];
}

export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const mp = left[4];
    const fsType = right[0];
    if (mp === undefined || fsType === undefined) continue;
    out.push({
      mountPoint: unescapeMount(mp),
      fsType,
      source: unescapeMount(right[1] ?? ''),
      superOptions: (right[2] ?? '').split(','),
    });
  }
  return out;
}

/** Controller names the kernel knows (first column of /proc/cgroups). */
export function parseProcCgroups(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const name = line.split(/\s+/)[0];
    if (name) names.add(name);
  }
  return names;
}

export function hierarchiesFrom(
  mounts: MountEntry[],
  known: Set<string>,
  readControllers: (mountPoint: string) => string[],
): CgroupHierarchy[] {
  const out: CgroupHierarchy[] = [];
  for (const m of mounts) {
    if (m.fsType === 'cgroup2') {
      out.push({ version: 2, mountPoint: m.mountPoint, controllers: readControllers(m.mountPoint) });
    } else if (m.fsType === 'cgroup') {
      const controllers = m.superOptions.filter((o) => known.has(o));
      const name = m.superOptions.find((o) => o.startsWith('name='))?.slice(5);
      out.push(
        name
          ? { version: 1, mountPoint: m.mountPoint, controllers, name }
          : { version: 1, mountPoint: m.mountPoint, controllers },
      );
    }
  }
  return out;
}

export function detectLayout(root = '/sys/fs/cgroup', probe: CgroupProbe = hostProbe): CgroupLayout {
  const mode = detectMode(root, probe);
  const known = parseProcCgroups(probe.readFile('/proc/cgroups'));
  const mounts = parseMountinfo(probe.readFile('/proc/self/mountinfo')).filter(
    (m) => m.mountPoint === root || m.mountPoint.startsWith(root + '/'),
  );
  const hierarchies = hierarchiesFrom(mounts, known, (mp) => {
    try {
      return probe.readFile(path.join(mp, 'cgroup.controllers')).trim().split(/\s+/).filter(Boolean);
    } catch {
      return [];
    }
  });
  return { ...mode, hierarchies };
}
