/**
 * Address allocation on the bridge subnet. The bridge and its subnet are
 * shared by every helper on the machine (root's and each user's), so the
 * table is too: one file per bridge under /run/berth/net/<bridge>/, changed
 * only by a read-modify-write under a flock on its lock file, which makes an
 * allocation atomic across processes. It lives on /run (tmpfs) because it
 * describes this boot's containers only: after a reboot none is running.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { BerthError } from '../../../preload/errors';
import { writeJsonAtomic } from '../storage/atomic-file';
import { withFileLockSync } from '../storage/file-lock';
import { readRecordFile } from '../storage/record-file';
import { hostRange, intToIp, ipToInt, type Subnet } from './subnet';

export const NET_STATE_ROOT = '/run/berth/net';

/** Where the shared address table of a bridge lives. */
export function netStateDir(bridge: string, root = NET_STATE_ROOT): string {
  return path.join(root, bridge);
}

const IpamFileSchema = z.object({
  subnet: z.string(),
  allocations: z.record(z.string(), z.string()), // ip → container id
});
type IpamFile = z.output<typeof IpamFileSchema>;

export class Ipam {
  private readonly file: string;
  private readonly lockFile: string;

  /**
   * `legacyDir`: where an older Berth kept a per-data-root table
   * (<dataRoot>/network). Its allocations (running containers' addresses)
   * are merged into the shared table once, then the old file goes.
   */
  constructor(
    dir: string,
    private readonly subnet: Subnet,
    legacyDir?: string,
    /** Host addresses never handed out (a user network's --gateway when it is not the first). */
    private readonly reserved: readonly string[] = [],
  ) {
    // The parents stay traversable (/run/berth also holds users' socket dirs).
    fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o755 });
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, 'ipam.json');
    this.lockFile = path.join(dir, 'ipam.lock');
    if (legacyDir) this.migrate(path.join(legacyDir, 'ipam.json'));
  }

  private load(): IpamFile {
    const r = readRecordFile(this.file, IpamFileSchema);
    if (r.kind === 'damaged') {
      // Guessing would hand out addresses in use; say what is wrong instead.
      throw new BerthError('NET_STATE_CORRUPT', `${this.file}: ${r.reason} (remove it once no bridge container runs)`, {
        file: this.file,
        reason: r.reason,
      });
    }
    if (r.kind === 'missing' || r.value.subnet !== this.subnet.cidr)
      return { subnet: this.subnet.cidr, allocations: {} };
    return r.value;
  }

  /** Read-modify-write under the cross-process lock; writes only when fn changed something. */
  private update<T>(fn: (state: IpamFile) => { result: T; changed: boolean }): T {
    return withFileLockSync(this.lockFile, () => {
      const state = this.load();
      const { result, changed } = fn(state);
      // 'atomic': /run does not survive a power cut anyway.
      if (changed) writeJsonAtomic(this.file, state, 0o600, 'atomic');
      return result;
    });
  }

  private migrate(legacy: string): void {
    const old = readRecordFile(legacy, IpamFileSchema);
    if (old.kind === 'missing') return;
    if (old.kind === 'ok' && old.value.subnet === this.subnet.cidr) {
      this.update((state) => {
        let changed = false;
        for (const [ip, owner] of Object.entries(old.value.allocations)) {
          if (state.allocations[ip] === undefined) {
            state.allocations[ip] = owner;
            changed = true;
          }
        }
        return { result: undefined, changed };
      });
    }
    fs.rmSync(legacy, { force: true });
  }

  /** `want`: a fixed address (--ip), refused when outside the hosts or held by another owner. */
  allocate(owner: string, want?: string): string {
    const { first, last } = hostRange(this.subnet);
    if (want !== undefined) {
      const n = ipToInt(want);
      if (n < (this.reserved.length ? first - 1 : first) || n > last || this.reserved.includes(want))
        throw new BerthError('NETWORK_IP_OUTSIDE', `${want} is not a free host address of ${this.subnet.cidr}`, {
          ip: want,
          subnet: this.subnet.cidr,
        });
    }
    return this.update((state) => {
      const existing = Object.entries(state.allocations).find(([, o]) => o === owner);
      if (existing && (want === undefined || existing[0] === want)) return { result: existing[0], changed: false };
      if (want !== undefined) {
        const holder = state.allocations[want];
        if (holder !== undefined && holder !== owner)
          throw new BerthError('NETWORK_IP_IN_USE', `${want} is already in use on ${this.subnet.cidr}`, { ip: want });
        if (existing) delete state.allocations[existing[0]];
        state.allocations[want] = owner;
        return { result: want, changed: true };
      }
      for (let n = first; n <= last; n++) {
        const ip = intToIp(n);
        if (!state.allocations[ip] && !this.reserved.includes(ip)) {
          state.allocations[ip] = owner;
          return { result: ip, changed: true };
        }
      }
      throw new BerthError('NET_EXHAUSTED', `no free address left in ${this.subnet.cidr}`);
    });
  }

  release(owner: string): void {
    this.update((state) => {
      let changed = false;
      for (const [ip, o] of Object.entries(state.allocations)) {
        if (o === owner) {
          delete state.allocations[ip];
          changed = true;
        }
      }
      return { result: undefined, changed };
    });
  }

  /** The table's file (inspect shows it). */
  get tablePath(): string {
    return this.file;
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
