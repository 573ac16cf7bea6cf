/** IPv4 CIDR arithmetic for the bridge subnet; pure, so it is tested alone. */
import { BerthError } from '../../../preload/errors';

export interface Subnet {
  cidr: string;
  network: number; // as an unsigned 32-bit number
  prefix: number;
  gateway: string; // first host address
}

export function ipToInt(ip: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m || m.slice(1).some((o) => Number(o) > 255))
    throw new BerthError('NET_BAD_ADDRESS', `not an IPv4 address: ${ip}`);
  return m.slice(1).reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseSubnet(cidr: string): Subnet {
  const [ip, bits] = cidr.split('/');
  const prefix = Number(bits);
  if (!ip || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) {
    throw new BerthError('NET_BAD_SUBNET', `subnet must be an IPv4 CIDR with a prefix of 8..30: ${cidr}`);
  }
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const network = (ipToInt(ip) & mask) >>> 0;
  if (network !== ipToInt(ip)) throw new BerthError('NET_BAD_SUBNET', `${cidr} has host bits set`);
  return { cidr, network, prefix, gateway: intToIp(network + 1) };
}

/** Host addresses a container may get: not the network, the gateway or broadcast. */
export function hostRange(s: Subnet): { first: number; last: number } {
  const size = 2 ** (32 - s.prefix);
  return { first: s.network + 2, last: s.network + size - 2 };
}

export function contains(s: Subnet, ip: string): boolean {
  const n = ipToInt(ip);
  return n >= s.network && n < s.network + 2 ** (32 - s.prefix);
}
