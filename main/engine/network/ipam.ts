/**
 * Address allocation on the bridge subnet, persisted atomically so a helper
 * restart keeps every running container's address.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';
import { readJsonOrNull, writeJsonAtomic } from '../storage/atomic-file';
import { hostRange, intToIp, ipToInt, type Subnet } from './subnet';

interface IpamFile {
  subnet: string;
  allocations: Record<string, string>; // ip → container id
}

export class Ipam {
  private readonly file: string;

  constructor(
    dir: string,
    private readonly subnet: Subnet,
  ) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, 'ipam.json');
  }

  private load(): IpamFile {
    const v = readJsonOrNull(this.file) as IpamFile | null;
    if (!v || v.subnet !== this.subnet.cidr) return { subnet: this.subnet.cidr, allocations: {} };
    return v;
  }

  allocate(owner: string): string {
    const state = this.load();
    const existing = Object.entries(state.allocations).find(([, o]) => o === owner);
    if (existing) return existing[0];
    const { first, last } = hostRange(this.subnet);
    for (let n = first; n <= last; n++) {
      const ip = intToIp(n);
      if (!state.allocations[ip]) {
        state.allocations[ip] = owner;
        writeJsonAtomic(this.file, state);
        return ip;
      }
    }
    throw new BerthError('NET_EXHAUSTED', `no free address left in ${this.subnet.cidr}`);
  }

  release(owner: string): void {
    const state = this.load();
    let changed = false;
    for (const [ip, o] of Object.entries(state.allocations)) {
      if (o === owner) {
        delete state.allocations[ip];
        changed = true;
      }
    }
    if (changed) writeJsonAtomic(this.file, state);
  }

  owners(): Map<string, string> {
    return new Map(Object.entries(this.load().allocations).map(([ip, o]) => [o, ip]));
  }

  static isValid(ip: string): boolean {
    try {
      ipToInt(ip);
      return true;
    } catch {
      return false;
    }
  }
}
