/**
 * One container's attachment to a user network, live: a veth pair whose host
 * end joins the network's bridge and whose other end becomes ethN in the
 * container's named netns (sandbox.ts made it), with its address and, for
 * the first non-internal network, the default route. Works the same before
 * the container starts and while it runs (network connect).
 */
import fs from 'node:fs';
import { run, runIdempotent } from './run';

/** IFNAMSIZ: at most 15 characters; container and network prefixes keep it unique per pair. */
export function endpointVeth(containerId: string, networkId: string): string {
  return `vb${containerId.slice(0, 9)}${networkId.slice(0, 4)}`;
}

/**
 * The container end's MAC, derived from its IPv4 address as docker does
 * (02:42 + the four address bytes, locally administered). An endpoint that
 * comes back with the same address (a restart) comes back with the same MAC,
 * so peers' neighbour caches stay right; a random MAC each time left peers
 * sending to the old one until their stale entry failed (tens of seconds).
 */
export function macForIp(ip: string): string {
  const bytes = ip.split('.').map((b) => Number(b));
  if (bytes.length !== 4 || bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255))
    throw new Error(`not an IPv4 address: ${ip}`);
  return ['02', '42', ...bytes.map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** The lowest ethN not yet in the namespace. */
export async function nextIfname(nsName: string): Promise<string> {
  const { stdout } = await run('ip', ['-n', nsName, '-o', 'link', 'show']);
  const used = new Set([...stdout.matchAll(/^\d+: (eth\d+)[@:]/gm)].map((m) => m[1]));
  for (let i = 0; ; i++) if (!used.has(`eth${i}`)) return `eth${i}`;
}

export interface Attachment {
  nsName: string;
  hostVeth: string;
  ifname: string;
  bridge: string;
  ip: string;
  prefix: number;
  /** The default route through this network's gateway; null: none (internal, or not the first network). */
  defaultVia: string | null;
}

export async function attachEndpoint(a: Attachment): Promise<void> {
  await runIdempotent('ip', ['link', 'del', a.hostVeth], /Cannot find device/);
  await run('ip', [
    'link',
    'add',
    a.hostVeth,
    'type',
    'veth',
    'peer',
    'name',
    a.ifname,
    'address',
    macForIp(a.ip),
    'netns',
    a.nsName,
  ]);
  try {
    await run('ip', ['link', 'set', a.hostVeth, 'master', a.bridge, 'up']);
    await run('ip', ['-n', a.nsName, 'addr', 'add', `${a.ip}/${a.prefix}`, 'dev', a.ifname]);
    await run('ip', ['-n', a.nsName, 'link', 'set', a.ifname, 'up']);
    if (a.defaultVia) await run('ip', ['-n', a.nsName, 'route', 'replace', 'default', 'via', a.defaultVia]);
  } catch (err) {
    await detachEndpoint(a.hostVeth);
    throw err;
  }
}

/** Deleting one end deletes the pair; tolerant of it being gone (its netns went first). */
export async function detachEndpoint(hostVeth: string): Promise<void> {
  if (fs.existsSync(`/sys/class/net/${hostVeth}`))
    await runIdempotent('ip', ['link', 'del', hostVeth], /Cannot find device/);
}
