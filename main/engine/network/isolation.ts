/**
 * User networks in the `ip berth` table, next to (never inside) the default
 * bridge's chains: Docker's DOCKER-ISOLATION idea as sets, so adding or
 * removing a network is element adds and deletes, never a rule edit.
 *
 *   bridges       every Berth bridge (berth0 included): forwarding from one
 *                 to another is dropped; within one (br_netfilter shows
 *                 bridged frames with iif = oif) it passes via same_bridge
 *   internal      --internal bridges: nothing forwarded in or out
 *   egress_nets   the subnets that masquerade out (not internal ones)
 *
 * guard_networks is guard_loopback (bridge.ts, CVE-2020-8558) for every
 * bridge in the set, so route_localnet on a user bridge is as safe as on berth0.
 */
import { run, runIdempotent } from './run';

export const ISOLATION_CHAIN = 'isolation';
export const NETWORK_GUARD_CHAIN = 'guard_networks';
export const NETWORK_NAT_CHAIN = 'postrouting_networks';

/** The objects, as one script of `add` commands (sets and chains are idempotent; rules are added only with their chain). */
export function isolationObjects(table: string): string {
  const t = `ip ${table}`;
  return [
    `add table ${t}`,
    `add set ${t} bridges { type ifname; }`,
    `add set ${t} same_bridge { type ifname . ifname; }`,
    `add set ${t} internal { type ifname; }`,
    `add set ${t} egress_nets { type ipv4_addr; flags interval; }`,
    `add chain ${t} ${ISOLATION_CHAIN} { type filter hook forward priority filter; policy accept; }`,
    `add rule ${t} ${ISOLATION_CHAIN} iifname . oifname @same_bridge accept`,
    `add rule ${t} ${ISOLATION_CHAIN} iifname @bridges oifname @bridges drop`,
    `add rule ${t} ${ISOLATION_CHAIN} iifname @internal drop`,
    `add rule ${t} ${ISOLATION_CHAIN} oifname @internal drop`,
    `add chain ${t} ${NETWORK_GUARD_CHAIN} { type filter hook input priority filter; policy accept; }`,
    `add rule ${t} ${NETWORK_GUARD_CHAIN} iifname @bridges ip daddr 127.0.0.0/8 ct status ! dnat drop`,
    `add rule ${t} ${NETWORK_GUARD_CHAIN} iifname @bridges ip saddr 127.0.0.0/8 drop`,
    `add chain ${t} ${NETWORK_NAT_CHAIN} { type nat hook postrouting priority srcnat; policy accept; }`,
    `add rule ${t} ${NETWORK_NAT_CHAIN} ip saddr @egress_nets oifname != @bridges masquerade`,
    `add rule ${t} ${NETWORK_NAT_CHAIN} ip saddr 127.0.0.0/8 oifname @bridges masquerade`,
  ].join('\n');
}

/**
 * Adds the sets and chains once (callers hold the machine-wide networks
 * lock, so two helpers never both add the rules). The table itself exists:
 * the default bridge's ensureBridge made it with its own chains.
 */
export async function ensureIsolation(table: string): Promise<void> {
  try {
    await run('nft', ['list', 'chain', 'ip', table, ISOLATION_CHAIN]);
    return;
  } catch {
    // missing: add everything below in one transaction
  }
  await run('nft', ['-f', '-'], `${isolationObjects(table)}\n`);
}

export interface IsolationMember {
  bridge: string;
  subnet: string;
  internal: boolean;
}

function elements(table: string, m: IsolationMember): string[] {
  const t = `ip ${table}`;
  return [
    `element ${t} bridges { "${m.bridge}" }`,
    `element ${t} same_bridge { "${m.bridge}" . "${m.bridge}" }`,
    m.internal ? `element ${t} internal { "${m.bridge}" }` : `element ${t} egress_nets { ${m.subnet} }`,
  ];
}

/** One transaction: the bridge joins the sets (adding an element twice is no error). */
export async function addMember(table: string, m: IsolationMember): Promise<void> {
  await run(
    'nft',
    ['-f', '-'],
    `${elements(table, m)
      .map((e) => `add ${e}`)
      .join('\n')}\n`,
  );
}

/** Each element on its own: one already gone must not keep the others. */
export async function removeMember(table: string, m: IsolationMember): Promise<void> {
  for (const e of elements(table, m)) {
    await runIdempotent('nft', ['delete', ...e.split(' ')], /No such file|does not exist/);
  }
}
