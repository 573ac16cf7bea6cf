/**
 * Choosing and checking a user network's subnet. The pool is podman's: the
 * /24s of 10.89.0.0/16 after the default bridge's 10.89.0.0/24. A subnet is
 * free when it overlaps neither another Berth network nor any route of the
 * host's main table (other bridges, VPNs, the LAN) but the default route.
 * Pure, apart from reading /proc/net/route.
 */
import fs from 'node:fs';
import { BerthError } from '../../../preload/errors';
import { intToIp, parseSubnet, type Subnet } from './subnet';

export const POOL_BASE = '10.89.0.0';
export const POOL_PREFIX = 24;
export const POOL_SIZE = 256;

export interface Route {
  dev: string;
  /** Network and prefix; the default route is skipped. */
  subnet: Subnet;
}

/** /proc/net/route: little-endian hex destination and mask per line. */
export function parseRoutes(text: string): Route[] {
  const out: Route[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const dest = leHex(f[1]!);
    const mask = leHex(f[7]!);
    if (mask === 0) continue; // default route
    const prefix = 32 - Math.log2(2 ** 32 - mask);
    if (!Number.isInteger(prefix)) continue;
    out.push({
      dev: f[0]!,
      subnet: { cidr: `${intToIp(dest)}/${prefix}`, network: dest, prefix, gateway: intToIp(dest + 1) },
    });
  }
  return out;
}

function leHex(h: string): number {
  const n = parseInt(h, 16) >>> 0;
  return (((n & 0xff) << 24) | (((n >>> 8) & 0xff) << 16) | (((n >>> 16) & 0xff) << 8) | (n >>> 24)) >>> 0;
}

export function hostRoutes(file = '/proc/net/route'): Route[] {
  try {
    return parseRoutes(fs.readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  const aEnd = a.network + 2 ** (32 - a.prefix);
  const bEnd = b.network + 2 ** (32 - b.prefix);
  return a.network < bEnd && b.network < aEnd;
}

export interface Taken {
  /** What holds it, for the error: a network's name or a route's device. */
  owner: string;
  subnet: Subnet;
}

/** The first holder `s` overlaps; `ignoreDev`: a bridge whose own route it is. */
export function conflict(s: Subnet, taken: Taken[]): Taken | null {
  return taken.find((t) => overlaps(s, t.subnet)) ?? null;
}

/** An explicit --subnet: refused when it overlaps anything taken. */
export function checkSubnet(cidr: string, taken: Taken[]): Subnet {
  const s = parseSubnet(cidr);
  const c = conflict(s, taken);
  if (c) {
    throw new BerthError('NETWORK_SUBNET_OVERLAP', `subnet ${s.cidr} overlaps ${c.subnet.cidr} (${c.owner})`, {
      subnet: s.cidr,
      overlaps: c.subnet.cidr,
      owner: c.owner,
    });
  }
  return s;
}

/** The first free /24 of the pool. */
export function pickSubnet(taken: Taken[]): Subnet {
  const base = parseSubnet(`${POOL_BASE}/16`).network;
  for (let i = 1; i < POOL_SIZE; i++) {
    const s = parseSubnet(`${intToIp(base + i * 256)}/${POOL_PREFIX}`);
    if (!conflict(s, taken)) return s;
  }
  throw new BerthError('NETWORK_POOL_EXHAUSTED', `no free /24 left in ${POOL_BASE}/16: give --subnet`);
}

/** Routes as holders, without the ones through `ownDevs` (a network's own bridge). */
export function routesTaken(routes: Route[], ownDevs: ReadonlySet<string> = new Set()): Taken[] {
  return routes.filter((r) => !ownDevs.has(r.dev)).map((r) => ({ owner: `route via ${r.dev}`, subnet: r.subnet }));
}
