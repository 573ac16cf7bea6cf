/**
 * A bridge container's network namespace, prepared before the container
 * starts so its process never runs without its network: a named netns under
 * /run/netns, a veth pair with one end on the bridge, the address and the
 * default route inside. The monitor joins it by path. (--network none needs
 * none of this: the monitor's clone creates the namespace, the container
 * brings lo up itself, no ip(8) is spawned.)
 */
import fs from 'node:fs';
import { run, runIdempotent } from './run';
import type { BridgeConfig } from './bridge';
import { macForIp } from './attach';

export type NetworkMode = 'none' | 'host' | 'bridge';

export interface NetworkSandbox {
  mode: NetworkMode;
  /** The netns file to join; null for host (no new net namespace). */
  nsPath: string | null;
  nsName: string | null;
  ip: string | null;
  gateway: string | null;
  hostVeth: string | null;
}

export const NETNS_DIR = '/run/netns';

export function netnsName(containerId: string): string {
  return `berth-${containerId.slice(0, 12)}`;
}

export function vethName(containerId: string): string {
  return `bv${containerId.slice(0, 12)}`; // IFNAMSIZ: at most 15 characters
}

export async function createSandbox(
  containerId: string,
  mode: NetworkMode,
  bridge?: { config: BridgeConfig; ip: string },
): Promise<NetworkSandbox> {
  if (mode === 'host') return { mode, nsPath: null, nsName: null, ip: null, gateway: null, hostVeth: null };
  const ns = netnsName(containerId);
  await runIdempotent('ip', ['netns', 'add', ns], /File exists/);
  try {
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    if (mode === 'none')
      return { mode, nsPath: `${NETNS_DIR}/${ns}`, nsName: ns, ip: null, gateway: null, hostVeth: null };
    if (!bridge) throw new Error('bridge mode needs a bridge and an address');
    const veth = vethName(containerId);
    await runIdempotent('ip', ['link', 'del', veth], /Cannot find device/);
    // The address's own MAC (attach.ts macForIp): a restart keeps peers' neighbour entries right.
    await run('ip', [
      'link',
      'add',
      veth,
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'address',
      macForIp(bridge.ip),
      'netns',
      ns,
    ]);
    await run('ip', ['link', 'set', veth, 'master', bridge.config.name, 'up']);
    await run('ip', ['-n', ns, 'addr', 'add', `${bridge.ip}/${bridge.config.subnet.prefix}`, 'dev', 'eth0']);
    await run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    await run('ip', ['-n', ns, 'route', 'add', 'default', 'via', bridge.config.subnet.gateway]);
    return {
      mode,
      nsPath: `${NETNS_DIR}/${ns}`,
      nsName: ns,
      ip: bridge.ip,
      gateway: bridge.config.subnet.gateway,
      hostVeth: veth,
    };
  } catch (err) {
    await destroySandbox(containerId);
    throw err;
  }
}

/** Removes the veth and the named netns; tolerant of either being gone. */
export async function destroySandbox(containerId: string): Promise<void> {
  // Only bridge sandboxes have a veth: look before spawning ip(8) (~100 ms a spawn).
  if (fs.existsSync(`/sys/class/net/${vethName(containerId)}`)) {
    await runIdempotent('ip', ['link', 'del', vethName(containerId)], /Cannot find device/);
  }
  const ns = netnsName(containerId);
  if (fs.existsSync(`${NETNS_DIR}/${ns}`)) await runIdempotent('ip', ['netns', 'del', ns], /No such file/);
}

export interface IfaceCounters {
  name: string;
  rxBytes: number;
  rxPackets: number;
  txBytes: number;
  txPackets: number;
}

/** /proc/PID/net/dev: the counters of the namespace PID lives in, no process spawned. */
export function parseNetDev(text: string): IfaceCounters[] {
  const out: IfaceCounters[] = [];
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (name === 'lo' || f.length < 16) continue;
    out.push({ name, rxBytes: f[0]!, rxPackets: f[1]!, txBytes: f[8]!, txPackets: f[9]! });
  }
  return out;
}
