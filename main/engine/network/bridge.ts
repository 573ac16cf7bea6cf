/**
 * The `bridge` network: a berth0 Linux bridge holding the gateway address,
 * forwarding on, and one nftables table `ip berth` for NAT: egress
 * masquerade for the subnet, and published ports as elements of one map
 * (so publishing or unpublishing is one atomic element add/delete).
 */
import fs from 'node:fs';
import { netStateDir } from './ipam';
import { run, runIdempotent } from './run';
import type { Subnet } from './subnet';

export interface BridgeConfig {
  name: string; // berth0
  subnet: Subnet;
  /** nftables table (ip family); tests use their own. */
  table: string;
  /** Where the shared address table lives (default /run/berth/net/<name>: network/ipam.ts). */
  stateDir?: string;
}

export const DEFAULT_BRIDGE = 'berth0';
export const DEFAULT_SUBNET = '10.89.0.0/24';
export const NFT_TABLE = 'berth';

export function nftRuleset(c: BridgeConfig): string {
  return `table ip ${c.table} {
  map ports {
    type inet_proto . inet_service : ipv4_addr . inet_service
  }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    fib daddr type local dnat ip to meta l4proto . th dport map @ports
  }
  chain output {
    type nat hook output priority -100; policy accept;
    fib daddr type local dnat ip to meta l4proto . th dport map @ports
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr ${c.subnet.cidr} oifname != "${c.name}" masquerade
    ip saddr 127.0.0.0/8 oifname "${c.name}" masquerade
  }
}
`;
}

function sysctl(path: string, value: string): void {
  if (fs.readFileSync(path, 'utf8').trim() !== value) fs.writeFileSync(path, value);
}

async function linkExists(name: string): Promise<boolean> {
  try {
    await run('ip', ['link', 'show', 'dev', name]);
    return true;
  } catch {
    return false;
  }
}

async function tableExists(table: string): Promise<boolean> {
  try {
    await run('nft', ['list', 'table', 'ip', table]);
    return true;
  } catch {
    return false;
  }
}

/** Idempotent: safe to call before every bridge container start. */
export async function ensureBridge(c: BridgeConfig): Promise<void> {
  if (!(await linkExists(c.name))) {
    await runIdempotent('ip', ['link', 'add', c.name, 'type', 'bridge'], /File exists/);
  }
  await runIdempotent(
    'ip',
    ['addr', 'add', `${c.subnet.gateway}/${c.subnet.prefix}`, 'dev', c.name],
    /File exists|already assigned/,
  );
  await run('ip', ['link', 'set', c.name, 'up']);
  sysctl('/proc/sys/net/ipv4/ip_forward', '1');
  // Published ports reached as 127.0.0.1:H are DNATed onto the bridge; the
  // kernel drops such "martian" sources unless the bridge allows them.
  sysctl(`/proc/sys/net/ipv4/conf/${c.name}/route_localnet`, '1');
  if (!(await tableExists(c.table))) await run('nft', ['-f', '-'], nftRuleset(c));
}

export interface PortMapping {
  protocol: 'tcp' | 'udp';
  hostPort: number;
  containerPort: number;
}

function element(p: PortMapping, ip: string): string {
  return `{ ${p.protocol} . ${p.hostPort} : ${ip} . ${p.containerPort} }`;
}

export async function publishPorts(table: string, ports: PortMapping[], ip: string): Promise<void> {
  const done: PortMapping[] = [];
  try {
    for (const p of ports) {
      // `add element` fails with "File exists" when another container holds the port.
      await run('nft', ['add', 'element', 'ip', table, 'ports', element(p, ip)]).catch((err: unknown) => {
        const msg = err instanceof Error ? err.message : String(err);
        throw Object.assign(err as object, {
          code: /File exists/.test(msg) ? 'PORT_IN_USE' : 'NET_COMMAND_FAILED',
          message: /File exists/.test(msg) ? `host port ${p.protocol}/${p.hostPort} is already published` : msg,
        });
      });
      done.push(p);
    }
  } catch (err) {
    await unpublishPorts(table, done, ip);
    throw err;
  }
}

export async function unpublishPorts(table: string, ports: PortMapping[], ip: string): Promise<void> {
  for (const p of ports) {
    await runIdempotent(
      'nft',
      ['delete', 'element', 'ip', table, 'ports', element(p, ip)],
      /No such file|does not exist/,
    );
  }
}

/**
 * Removes every published port that points at `ip` (a container whose record
 * is unreadable: its port list is unknown, the map still names its address).
 */
export async function unpublishAllTo(table: string, ip: string): Promise<number> {
  const { stdout } = await run('nft', ['list', 'map', 'ip', table, 'ports']);
  const esc = ip.replace(/\./g, '\\.');
  const re = new RegExp(`(tcp|udp) \\. (\\d+) : ${esc} \\. (\\d+)`, 'g');
  const ports: PortMapping[] = [];
  for (const m of stdout.matchAll(re)) {
    ports.push({ protocol: m[1] as 'tcp' | 'udp', hostPort: Number(m[2]), containerPort: Number(m[3]) });
  }
  await unpublishPorts(table, ports, ip);
  return ports.length;
}

/** Removes the bridge, its nftables table and its address table (tests; an engine keeps them). */
export async function removeBridge(c: BridgeConfig): Promise<void> {
  await runIdempotent('nft', ['delete', 'table', 'ip', c.table], /No such file/);
  await runIdempotent('ip', ['link', 'del', c.name], /Cannot find device/);
  fs.rmSync(c.stateDir ?? netStateDir(c.name), { recursive: true, force: true });
}
