/**
 * The `bridge` network: a berth0 Linux bridge holding the gateway address,
 * forwarding on, and one nftables table `ip berth` for NAT: egress
 * masquerade for the subnet, and published ports as elements of one map
 * (so publishing or unpublishing is one atomic element add/delete), plus the
 * loopback guard that `route_localnet` on the bridge needs (CVE-2020-8558).
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

/** The chain that keeps the bridge away from the host's 127.0.0.0/8 services. */
export const GUARD_CHAIN = 'guard_loopback';

/**
 * route_localnet on the bridge (needed for 127.0.0.1:HOSTPORT, see
 * ensureBridge) also lets a container with CAP_NET_RAW frame packets to
 * 127.0.0.1 at the bridge's MAC and reach what the host binds to loopback
 * (kube-proxy's CVE-2020-8558). Input from the bridge may carry a 127/8
 * destination only as the reply of a connection we DNATed (a host client of
 * a published port, its destination restored by conntrack before this hook),
 * and never a 127/8 source (those are masqueraded on the way out). Unlike
 * kube-proxy's rule, ESTABLISHED alone does not pass: a container could
 * otherwise forge the replies of the host's own loopback flows (e.g. to a
 * resolver on 127.0.0.53), which conntrack would count as established.
 */
export function guardRules(c: BridgeConfig): string[] {
  return [
    `iifname "${c.name}" ip daddr 127.0.0.0/8 ct status ! dnat drop`,
    `iifname "${c.name}" ip saddr 127.0.0.0/8 drop`,
  ];
}

function guardChain(c: BridgeConfig): string {
  return `chain ${GUARD_CHAIN} {
    type filter hook input priority filter; policy accept;
${guardRules(c)
  .map((r) => `    ${r}`)
  .join('\n')}
  }`;
}

export function nftRuleset(c: BridgeConfig): string {
  return `table ip ${c.table} {
  ${guardChain(c)}
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

/** The table's listing, or null when it does not exist. */
async function tableText(table: string): Promise<string | null> {
  try {
    return (await run('nft', ['list', 'table', 'ip', table])).stdout;
  } catch {
    return null;
  }
}

/** The listing holds every guard rule (they are written in the form `nft list` prints). */
export function hasGuard(listing: string, c: BridgeConfig): boolean {
  return guardRules(c).every((r) => listing.includes(r));
}

/** (Re)writes the guard chain of an existing table in one transaction: a table made before it existed gets it. */
async function ensureGuard(c: BridgeConfig): Promise<void> {
  const script = [
    `add chain ip ${c.table} ${GUARD_CHAIN} { type filter hook input priority filter; policy accept; }`,
    `flush chain ip ${c.table} ${GUARD_CHAIN}`,
    ...guardRules(c).map((r) => `add rule ip ${c.table} ${GUARD_CHAIN} ${r}`),
  ].join('\n');
  await run('nft', ['-f', '-'], `${script}\n`);
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
  const listing = await tableText(c.table);
  if (listing === null) await run('nft', ['-f', '-'], nftRuleset(c));
  else if (!hasGuard(listing, c)) await ensureGuard(c);
  // Published ports reached as 127.0.0.1:H are DNATed onto the bridge, and
  // their replies come back to 127.0.0.1 through it: the kernel drops such
  // "martian" addresses unless the bridge allows them. Opened only once the
  // guard above is in place.
  sysctl(`/proc/sys/net/ipv4/conf/${c.name}/route_localnet`, '1');
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
