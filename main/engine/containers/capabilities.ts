/**
 * The container's capability set from `--privileged`, `--cap-add` and
 * `--cap-drop`, with docker's rules (moby's TweakCapabilities):
 *  - names in any case, with or without the CAP_ prefix; ALL means every one;
 *  - privileged: every capability the kernel knows (add/drop are ignored);
 *  - add contains ALL: every capability except the dropped ones;
 *  - drop contains ALL: only the added ones;
 *  - otherwise: the defaults, minus the dropped, plus the added.
 * An unknown name is CAPABILITY_UNKNOWN naming it, before anything runs.
 */
import fs from 'node:fs';
import { BerthError } from '../../../preload/errors';
import { DOCKER_DEFAULT_CAPABILITIES, type CapabilityName } from '../../../native/monitor';

/** capabilities(7) by number (CAP_CHOWN = 0 … CAP_CHECKPOINT_RESTORE = 40), as the monitor's table. */
export const KNOWN_CAPABILITIES: readonly CapabilityName[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** The capabilities a kernel with this cap_last_cap has (all we know when it has more). */
export function kernelCapabilities(lastCap: number = KNOWN_CAPABILITIES.length - 1): CapabilityName[] {
  return KNOWN_CAPABILITIES.slice(0, Math.max(0, Math.min(lastCap, KNOWN_CAPABILITIES.length - 1)) + 1);
}

/** /proc/sys/kernel/cap_last_cap's text → its number (the newest we know when unreadable). */
export function parseLastCap(text: string | null): number {
  const n = Number(text?.trim());
  return Number.isInteger(n) && n > 0 && n < 64 ? n : KNOWN_CAPABILITIES.length - 1;
}

/** "net_admin", "CAP_NET_ADMIN", "Net_Admin" → "CAP_NET_ADMIN"; "all" → "ALL". Throws CAPABILITY_UNKNOWN. */
export function normalizeCapability(name: string): CapabilityName | 'ALL' {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  const full = (upper.startsWith('CAP_') ? upper : `CAP_${upper}`) as CapabilityName;
  if (!KNOWN_CAPABILITIES.includes(full)) {
    throw new BerthError('CAPABILITY_UNKNOWN', `unknown capability: "${name}"`, { capability: name });
  }
  return full;
}

export interface CapabilityRequest {
  privileged: boolean;
  capAdd: readonly string[];
  capDrop: readonly string[];
}

/**
 * The resulting set, in capability-number order, limited to what the kernel
 * has (`lastCap`): a capability it lacks cannot be granted, and naming it in
 * the spec would only be masked away by the monitor.
 */
export function resolveCapabilities(
  req: CapabilityRequest,
  lastCap?: number,
  defaults: readonly CapabilityName[] = DOCKER_DEFAULT_CAPABILITIES,
): CapabilityName[] {
  const all = kernelCapabilities(lastCap);
  // Validate every name even when privileged ignores them: a typo is an error either way.
  const add = req.capAdd.map(normalizeCapability);
  const drop = req.capDrop.map(normalizeCapability);
  let set: Set<CapabilityName>;
  if (req.privileged) set = new Set(all);
  else if (add.includes('ALL')) set = new Set(all.filter((c) => !drop.includes(c)));
  else if (drop.includes('ALL')) set = new Set(add as CapabilityName[]);
  else {
    set = new Set(defaults.filter((c) => !drop.includes(c)));
    for (const c of add as CapabilityName[]) set.add(c);
  }
  return all.filter((c) => set.has(c));
}

/** The CapEff-style mask of a set ("00000000a80425fb"), as /proc/PID/status prints it. */
export function capabilityMask(caps: readonly CapabilityName[]): string {
  let mask = 0n;
  for (const c of caps) {
    const n = KNOWN_CAPABILITIES.indexOf(c);
    if (n >= 0) mask |= 1n << BigInt(n);
  }
  return mask.toString(16).padStart(16, '0');
}

let cachedLastCap: number | null = null;

/** This kernel's cap_last_cap (read once). */
export function hostLastCap(): number {
  if (cachedLastCap === null) {
    let text: string | null;
    try {
      text = fs.readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8');
    } catch {
      text = null;
    }
    cachedLastCap = parseLastCap(text);
  }
  return cachedLastCap;
}

/** The set a container's processes get (its init and every exec), from its stored request. */
export function containerCapabilities(security: CapabilityRequest | undefined): CapabilityName[] {
  return resolveCapabilities(security ?? { privileged: false, capAdd: [], capDrop: [] }, hostLastCap());
}
