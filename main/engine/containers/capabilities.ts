/**
 * The container's capability set from `--privileged`, `--cap-add` and
 * `--cap-drop`, with docker's rules (moby's TweakCapabilities):
 *  - names in any case, with or without the CAP_ prefix; ALL means every one;
 *  - privileged: every capability the helper can grant (add/drop are ignored);
 *  - add contains ALL: every capability except the dropped ones;
 *  - drop contains ALL: only the added ones;
 *  - otherwise: the defaults, minus the dropped, plus the added.
 * An unknown name is CAPABILITY_UNKNOWN naming it, before anything runs.
 *
 * What can be granted is what the kernel has (cap_last_cap) AND what the
 * helper holds in its own bounding set: a root in a sandbox may lack some
 * (CAP_SYS_RESOURCE here), and capset(2) would refuse it with EPERM. ALL and
 * --privileged mean all of those; naming one that cannot be granted is
 * CAPABILITY_UNAVAILABLE (docker would fail at capset with EPERM).
 */
import fs from 'node:fs';
import { BerthError } from '../../../preload/errors';
import { DOCKER_DEFAULT_CAPABILITIES, type CapabilityName } from '../../../native/monitor';
import { CAPABILITY_NAMES } from '../../../preload/schemas/capabilities';

/** capabilities(7) by number (CAP_CHOWN = 0 … CAP_CHECKPOINT_RESTORE = 40), as the monitor's table. */
export const KNOWN_CAPABILITIES: readonly CapabilityName[] = CAPABILITY_NAMES;

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
  available: readonly CapabilityName[] = KNOWN_CAPABILITIES,
  defaults: readonly CapabilityName[] = DOCKER_DEFAULT_CAPABILITIES,
): CapabilityName[] {
  const all = KNOWN_CAPABILITIES.filter((c) => available.includes(c));
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
  if (!req.privileged) {
    const missing = (add.filter((c) => c !== 'ALL') as CapabilityName[]).filter((c) => !all.includes(c));
    if (missing.length > 0) {
      throw new BerthError(
        'CAPABILITY_UNAVAILABLE',
        `${missing.join(', ')} cannot be granted: the kernel or the helper itself does not have ${missing.length > 1 ? 'them' : 'it'}`,
        { capabilities: missing },
      );
    }
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

/** The capabilities in a CapBnd/CapEff hex mask of /proc/PID/status. */
export function capabilitiesInMask(hex: string): CapabilityName[] {
  const mask = BigInt(`0x${hex.trim() || '0'}`);
  return KNOWN_CAPABILITIES.filter((_, n) => (mask >> BigInt(n)) & 1n);
}

/** What this kernel has and this process may grant: cap_last_cap ∩ our own CapBnd. */
export function grantableCapabilities(lastCapText: string | null, statusText: string | null): CapabilityName[] {
  const kernel = kernelCapabilities(parseLastCap(lastCapText));
  const bnd = statusText ? /^CapBnd:\s*([0-9a-f]+)$/m.exec(statusText)?.[1] : undefined;
  if (!bnd) return kernel;
  const own = capabilitiesInMask(bnd);
  return kernel.filter((c) => own.includes(c));
}

let cachedGrantable: CapabilityName[] | null = null;

const readOrNull = (file: string): string | null => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/** The helper's grantable set (read once: neither changes while it runs). */
export function hostCapabilities(): CapabilityName[] {
  cachedGrantable ??= grantableCapabilities(
    readOrNull('/proc/sys/kernel/cap_last_cap'),
    readOrNull('/proc/self/status'),
  );
  return cachedGrantable;
}

/** The set a container's processes get (its init and every exec), from its stored request. */
export function containerCapabilities(security: CapabilityRequest | undefined): CapabilityName[] {
  return resolveCapabilities(security ?? { privileged: false, capAdd: [], capDrop: [] }, hostCapabilities());
}
