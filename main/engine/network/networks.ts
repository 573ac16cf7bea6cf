/**
 * User-defined networks of one data root: records under <dataRoot>/networks/
 * (one atomic, durable JSON file each), and their kernel side: a Linux
 * bridge `bn-<id12>` holding the gateway, a shared address table on /run
 * (ipam.ts, flock'd), and elements of the isolation sets (isolation.ts).
 *
 * Bridges, routes and the nft table are machine-wide, shared with every other
 * helper, so choosing a subnet and bringing a bridge up happen under one
 * flock (/run/berth/net/networks.lock): two helpers never pick the same /24.
 * The bridge is made at create (its route then tells every other helper the
 * subnet is taken) and again on demand after a reboot (ensureUp).
 *
 * Containers' membership lives in their own records (containers/manager.ts);
 * this file knows networks only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { BerthError } from '../../../preload/errors';
import type { NetworkCreateT } from '../../../preload/schemas/networks';
import { removeStaleTemps, writeJsonAtomic } from '../storage/atomic-file';
import { lockFile } from '../storage/file-lock';
import { readRecordFile } from '../storage/record-file';
import type { BridgeConfig } from './bridge';
import { Ipam, NET_STATE_ROOT, netStateDir } from './ipam';
import { addMember, ensureIsolation, removeMember } from './isolation';
import { checkSubnet, conflict, hostRoutes, pickSubnet, routesTaken, type Taken } from './pool';
import { run, runIdempotent } from './run';
import { contains, hostRange, ipToInt, parseSubnet, type Subnet } from './subnet';

export const BUILTIN_NETWORKS = ['bridge', 'host', 'none'] as const;

export function isBuiltin(name: string): name is (typeof BUILTIN_NETWORKS)[number] {
  return (BUILTIN_NETWORKS as readonly string[]).includes(name);
}

const NetworkRecordSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string().min(1),
  created: z.string(),
  driver: z.literal('bridge'),
  subnet: z.string(),
  gateway: z.string(),
  bridge: z.string().min(1).max(15),
  internal: z.boolean(),
  labels: z.record(z.string(), z.string()),
});
export type NetworkRecord = z.output<typeof NetworkRecordSchema>;

export interface NetworksOptions {
  dataRoot: string;
  /** The default bridge (its table holds the isolation sets too). */
  defaultBridge: BridgeConfig;
  /** Brings the default bridge and its table up (manager.ts, under the bridge lock). */
  ensureDefault: () => Promise<void>;
  log: (msg: string) => void;
  /** /run/berth/net by default; tests keep theirs apart. */
  stateRoot?: string;
  /** /proc/net/route by default. */
  routesFile?: string;
}

export class Networks {
  private readonly dir: string;
  private readonly records = new Map<string, NetworkRecord>();
  private readonly ipams = new Map<string, Ipam>();
  private readonly stateRoot: string;

  constructor(private readonly o: NetworksOptions) {
    this.dir = path.join(o.dataRoot, 'networks');
    this.stateRoot = o.stateRoot ?? NET_STATE_ROOT;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    removeStaleTemps(this.dir);
    for (const f of fs.readdirSync(this.dir)) {
      if (!f.endsWith('.json')) continue;
      const r = readRecordFile(path.join(this.dir, f), NetworkRecordSchema);
      if (r.kind === 'ok') this.records.set(r.value.id, r.value);
      else if (r.kind === 'damaged') o.log(`network record ${f} is unreadable (${r.reason}); it is skipped`);
    }
  }

  get table(): string {
    return this.o.defaultBridge.table;
  }

  recordPath(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }

  all(): NetworkRecord[] {
    return [...this.records.values()].sort((a, b) => a.created.localeCompare(b.created));
  }

  get(id: string): NetworkRecord | null {
    return this.records.get(id) ?? null;
  }

  /** By full id, unique id prefix, or name; the built-in names answer NETWORK_BUILTIN. */
  find(ref: string): NetworkRecord {
    const byId = this.records.get(ref);
    if (byId) return byId;
    const byName = [...this.records.values()].find((r) => r.name === ref);
    if (byName) return byName;
    if (isBuiltin(ref)) throw new BerthError('NETWORK_BUILTIN', `${ref} is a built-in network`, { network: ref });
    const prefixed = [...this.records.values()].filter((r) => r.id.startsWith(ref));
    if (prefixed.length > 1)
      throw new BerthError('NETWORK_AMBIGUOUS', `${ref} matches ${prefixed.length} networks`, { network: ref });
    if (prefixed.length === 1) return prefixed[0]!;
    throw new BerthError('NETWORK_NOT_FOUND', `no such network: ${ref}`, { network: ref });
  }

  /** The network's shared address table (the gateway is never handed out). */
  ipam(n: NetworkRecord): Ipam {
    let i = this.ipams.get(n.id);
    if (!i) {
      i = new Ipam(netStateDir(n.bridge, this.stateRoot), parseSubnet(n.subnet), undefined, [n.gateway]);
      this.ipams.set(n.id, i);
    }
    return i;
  }

  /** Everything this data root's networks and the host's routes hold, but `self`'s own bridge. */
  private taken(self?: string): Taken[] {
    const own = new Set([...this.records.values()].map((r) => r.bridge));
    const nets: Taken[] = [...this.records.values()]
      .filter((r) => r.bridge !== self)
      .map((r) => ({ owner: `network ${r.name}`, subnet: parseSubnet(r.subnet) }));
    const base: Taken = { owner: `network bridge (${this.o.defaultBridge.name})`, subnet: this.o.defaultBridge.subnet };
    // Our bridges' routes are our networks (listed above); the default bridge's is `base`.
    own.add(this.o.defaultBridge.name);
    if (self) own.add(self);
    return [base, ...nets, ...routesTaken(hostRoutes(this.o.routesFile), own)];
  }

  private async withMachineLock<T>(fn: () => Promise<T>): Promise<T> {
    fs.mkdirSync(this.stateRoot, { recursive: true, mode: 0o755 });
    const file = path.join(this.stateRoot, 'networks.lock');
    const lock = await lockFile(file, 60_000, () => {
      throw new BerthError('NET_LOCKED', `networks are being set up by another process (${file})`);
    });
    try {
      return await fn();
    } finally {
      lock.close();
    }
  }

  async create(req: NetworkCreateT): Promise<NetworkRecord> {
    if (isBuiltin(req.name))
      throw new BerthError('NETWORK_BUILTIN', `${req.name} is a built-in network name`, { network: req.name });
    return this.withMachineLock(async () => {
      if ([...this.records.values()].some((r) => r.name === req.name))
        throw new BerthError('NETWORK_NAME_IN_USE', `a network named ${req.name} already exists`, {
          network: req.name,
        });
      const taken = this.taken();
      const subnet = req.subnet ? checkSubnet(req.subnet, taken) : pickSubnet(taken);
      const gateway = req.gateway ?? subnet.gateway;
      checkGateway(subnet, gateway);
      const id = randomBytes(32).toString('hex');
      const rec: NetworkRecord = {
        id,
        name: req.name,
        created: new Date().toISOString(),
        driver: 'bridge',
        subnet: subnet.cidr,
        gateway,
        bridge: `bn-${id.slice(0, 12)}`,
        internal: req.internal,
        labels: req.labels,
      };
      await this.bringUp(rec);
      try {
        writeJsonAtomic(this.recordPath(id), rec, 0o600, 'durable');
      } catch (err) {
        await this.tearDown(rec);
        throw err;
      }
      this.records.set(id, rec);
      return rec;
    });
  }

  /** Idempotent: the bridge, its address, the isolation elements (after a reboot, or another helper's cleanup). */
  async ensureUp(n: NetworkRecord): Promise<void> {
    if (fs.existsSync(`/sys/class/net/${n.bridge}`) && this.upToDate.has(n.id)) return;
    await this.withMachineLock(() => this.bringUp(n));
  }

  private readonly upToDate = new Set<string>();

  private async bringUp(n: NetworkRecord): Promise<void> {
    const s = parseSubnet(n.subnet);
    // A route that appeared since (a VPN, another data root's network) would make this bridge's ambiguous.
    const other = conflict(s, routesTaken(hostRoutes(this.o.routesFile), new Set([n.bridge])));
    if (other) {
      throw new BerthError(
        'NETWORK_SUBNET_OVERLAP',
        `network ${n.name}: ${n.subnet} overlaps ${other.subnet.cidr} (${other.owner})`,
        {
          subnet: n.subnet,
          overlaps: other.subnet.cidr,
          owner: other.owner,
        },
      );
    }
    await this.o.ensureDefault();
    await ensureIsolation(this.table);
    await runIdempotent('ip', ['link', 'add', n.bridge, 'type', 'bridge'], /File exists/);
    try {
      await runIdempotent(
        'ip',
        ['addr', 'add', `${n.gateway}/${s.prefix}`, 'dev', n.bridge],
        /File exists|already assigned/,
      );
      await run('ip', ['link', 'set', n.bridge, 'up']);
      await addMember(this.table, { bridge: n.bridge, subnet: n.subnet, internal: n.internal });
      // The default bridge is isolated from user networks too (Docker's docker0 likewise).
      await addMember(this.table, {
        bridge: this.o.defaultBridge.name,
        subnet: this.o.defaultBridge.subnet.cidr,
        internal: false,
      });
      // 127.0.0.1:HOSTPORT to a container here, as on berth0: guard_networks covers the bridge now.
      if (!n.internal) fs.writeFileSync(`/proc/sys/net/ipv4/conf/${n.bridge}/route_localnet`, '1');
    } catch (err) {
      await runIdempotent('ip', ['link', 'del', n.bridge], /Cannot find device/).catch(() => undefined);
      throw err;
    }
    this.upToDate.add(n.id);
  }

  /** Removes the bridge, its set elements and its address table. */
  private async tearDown(n: NetworkRecord): Promise<void> {
    await removeMember(this.table, { bridge: n.bridge, subnet: n.subnet, internal: n.internal }).catch((err: unknown) =>
      this.o.log(`network ${n.name}: nft elements: ${String(err)}`),
    );
    await runIdempotent('ip', ['link', 'del', n.bridge], /Cannot find device/);
    fs.rmSync(netStateDir(n.bridge, this.stateRoot), { recursive: true, force: true });
    this.ipams.delete(n.id);
    this.upToDate.delete(n.id);
  }

  /** `attached`: the containers using it (the caller's records); any refuses with their names. */
  async remove(ref: string, attached: (id: string) => string[]): Promise<NetworkRecord> {
    const n = this.find(ref);
    const names = attached(n.id);
    if (names.length) {
      throw new BerthError(
        'NETWORK_IN_USE',
        `network ${n.name} has containers attached: ${names.join(', ')} (disconnect or remove them first)`,
        { network: n.name, containers: names },
      );
    }
    // The record goes first: a crash after it leaves a bridge no record names, which a reboot clears.
    fs.rmSync(this.recordPath(n.id), { force: true });
    this.records.delete(n.id);
    await this.withMachineLock(() => this.tearDown(n));
    return n;
  }
}

function checkGateway(s: Subnet, gw: string): void {
  const { first, last } = hostRange(s);
  const n = ipToInt(gw);
  if (!contains(s, gw) || n < first - 1 || n > last)
    throw new BerthError('NETWORK_GATEWAY_OUTSIDE', `gateway ${gw} is not a host address of ${s.cidr}`, {
      gateway: gw,
      subnet: s.cidr,
    });
}
