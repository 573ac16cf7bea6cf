/**
 * A container's user-defined networks (issue 15 §1), for the manager: the
 * endpoints a record keeps, attaching them when a run starts and live on
 * connect, detaching them, and the managed /etc/hosts each running container
 * on a bridge or user network gets (network/hosts.ts says why files and not
 * DNS). The manager calls in at create, run, exit/teardown, rename, connect
 * and disconnect; the kernel work is network/attach.ts and network/networks.ts.
 */
import path from 'node:path';
import { BerthError } from '../../../preload/errors';
import type { ContainerCreateT } from '../../../preload/schemas/containers';
import type { ContainerEndpointT, NetworkEndpointT } from '../../../preload/schemas/networks';
import { attachEndpoint, detachEndpoint, endpointVeth, nextIfname } from '../network/attach';
import { renderHosts, writeHostsInPlace, type HostsLine } from '../network/hosts';
import { isBuiltin, type NetworkRecord, type Networks } from '../network/networks';
import { netnsName, vethName } from '../network/sandbox';
import { hostRange, ipToInt, parseSubnet } from '../network/subnet';
import type { ContainerRecord, EndpointRecord } from './record';

/** A user network as the mode: config.network names it (none, host and bridge are modes of their own). */
export function isUserMode(network: string): boolean {
  return !isBuiltin(network);
}

/** Whether a run gets the managed /etc/hosts (a private netns with addresses: bridge or user networks). */
export function managesHosts(r: ContainerRecord): boolean {
  return r.config.network === 'bridge' || isUserMode(r.config.network);
}

export function hostsFile(containerDir: string): string {
  return path.join(containerDir, 'hosts');
}

const running = (r: ContainerRecord): boolean => r.state === 'running' || r.state === 'paused';

export class Endpoints {
  constructor(
    readonly networks: Networks,
    private readonly records: () => Iterable<ContainerRecord>,
    private readonly dirOf: (id: string) => string,
    private readonly log: (msg: string) => void,
  ) {}

  /** create: --network NAME resolved, --ip and aliases checked; the record's first endpoint. */
  endpointsForCreate(req: ContainerCreateT): EndpointRecord[] {
    if (!isUserMode(req.network)) {
      if (req.ip !== undefined || req.networkAliases.length > 0)
        throw new BerthError('NETWORK_MODE_CONFLICT', '--ip and --network-alias need a user-defined network', {
          network: req.network,
        });
      return [];
    }
    const n = this.networks.find(req.network);
    if (req.ip !== undefined) checkIpOf(n, req.ip);
    return [blankEndpoint(n.id, req.networkAliases, req.ip ?? null)];
  }

  /** Attaches every endpoint of a run into its named netns; the first non-internal one holds the default route. */
  async attachAll(r: ContainerRecord, nsName: string, hasDefaultRoute: boolean): Promise<void> {
    let routed = hasDefaultRoute;
    for (const e of r.endpoints ?? []) {
      const n = this.networks.get(e.networkId);
      if (!n) {
        this.log(`container ${r.name}: network ${e.networkId} is gone; endpoint skipped`);
        continue;
      }
      const via = !routed && !n.internal ? n.gateway : null;
      await this.attachOne(r, e, n, nsName, via);
      if (via) routed = true;
    }
  }

  private async attachOne(
    r: ContainerRecord,
    e: EndpointRecord,
    n: NetworkRecord,
    nsName: string,
    via: string | null,
  ): Promise<void> {
    await this.networks.ensureUp(n);
    const ip = this.networks.ipam(n).allocate(r.id, e.ipRequested ?? undefined);
    const hostVeth = endpointVeth(r.id, n.id);
    const ifname = await nextIfname(nsName);
    try {
      await attachEndpoint({
        nsName,
        hostVeth,
        ifname,
        bridge: n.bridge,
        ip,
        prefix: parseSubnet(n.subnet).prefix,
        defaultVia: via,
      });
    } catch (err) {
      this.networks.ipam(n).release(r.id);
      throw err;
    }
    Object.assign(e, { ip, ifname, hostVeth });
  }

  /** The run's first user-network address (published ports point at it). */
  primaryIp(r: ContainerRecord): string | null {
    return (r.endpoints ?? []).find((e) => e.ip)?.ip ?? null;
  }

  /** Undo a run's endpoints: veths and addresses (the netns itself is sandbox.ts's). Runtime fields are cleared by clearRuntime. */
  async detachAll(id: string, endpoints: readonly EndpointRecord[]): Promise<void> {
    for (const e of endpoints) {
      await detachEndpoint(endpointVeth(id, e.networkId)).catch((err: unknown) =>
        this.log(`container ${id}: veth on ${e.networkId}: ${String(err)}`),
      );
      const n = this.networks.get(e.networkId);
      if (n) this.networks.ipam(n).release(id);
    }
  }

  /** A record whose container no longer runs: endpoints keep only what was asked for. */
  static clearRuntime(r: ContainerRecord): void {
    for (const e of r.endpoints ?? []) Object.assign(e, { ip: null, ifname: null, hostVeth: null });
  }

  /** A damaged record: release whatever address any of our networks holds for it. */
  async sweep(id: string): Promise<void> {
    await this.detachAll(
      id,
      this.networks.all().map((n) => blankEndpoint(n.id, [], null)),
    );
  }

  // ── connect / disconnect ──────────────────────────────────────────────────

  /** Adds the endpoint; attaches it now when the container runs (its netns is named). */
  async connect(
    r: ContainerRecord,
    n: NetworkRecord,
    aliases: string[],
    ip: string | undefined,
  ): Promise<EndpointRecord> {
    if (r.config.network === 'host' || r.config.network === 'none')
      throw new BerthError(
        'NETWORK_MODE_CONFLICT',
        `container ${r.name} uses --network ${r.config.network}: it cannot join networks`,
        {
          container: r.name,
          network: n.name,
        },
      );
    if ((r.endpoints ?? []).some((e) => e.networkId === n.id))
      throw new BerthError('NETWORK_ALREADY_CONNECTED', `container ${r.name} is already on network ${n.name}`, {
        container: r.name,
        network: n.name,
      });
    if (ip !== undefined) checkIpOf(n, ip);
    const e = blankEndpoint(n.id, aliases, ip ?? null);
    if (running(r)) {
      const hasRoute =
        r.config.network === 'bridge' ||
        (r.endpoints ?? []).some((x) => x.ip && !this.networks.get(x.networkId)?.internal);
      await this.attachOne(r, e, n, netnsName(r.id), hasRoute || n.internal ? null : n.gateway);
    }
    r.endpoints = [...(r.endpoints ?? []), e];
    return e;
  }

  async disconnect(r: ContainerRecord, n: NetworkRecord): Promise<void> {
    const e = (r.endpoints ?? []).find((x) => x.networkId === n.id);
    if (!e)
      throw new BerthError('NETWORK_NOT_CONNECTED', `container ${r.name} is not on network ${n.name}`, {
        container: r.name,
        network: n.name,
      });
    if (running(r)) await this.detachAll(r.id, [e]);
    r.endpoints = (r.endpoints ?? []).filter((x) => x !== e);
  }

  // ── reading ───────────────────────────────────────────────────────────────

  containerView(r: ContainerRecord): ContainerEndpointT[] {
    return (r.endpoints ?? []).map((e) => ({
      network: this.networks.get(e.networkId)?.name ?? e.networkId,
      networkId: e.networkId,
      ip: e.ip,
      aliases: e.aliases,
      ifname: e.ifname,
    }));
  }

  /** Containers attached to a network (any state): for inspect and the in-use refusal. */
  attached(networkId: string): NetworkEndpointT[] {
    const out: NetworkEndpointT[] = [];
    for (const r of this.records()) {
      const e = (r.endpoints ?? []).find((x) => x.networkId === networkId);
      if (e)
        out.push({
          containerId: r.id,
          containerName: r.name,
          state: r.state,
          ip: e.ip,
          ipRequested: e.ipRequested,
          aliases: e.aliases,
          ifname: e.ifname,
          hostVeth: e.hostVeth,
        });
    }
    return out;
  }

  /** Containers whose mode is a built-in network (bridge, host, none): the built-ins' member count. */
  modeCount(mode: string): number {
    let n = 0;
    for (const r of this.records()) if (r.config.network === mode) n++;
    return n;
  }

  /** The built-in network's members as endpoints (bridge: its berth0 address while running). */
  modeMembers(mode: string): NetworkEndpointT[] {
    const out: NetworkEndpointT[] = [];
    for (const r of this.records()) {
      if (r.config.network !== mode) continue;
      const live = running(r) && mode === 'bridge';
      out.push({
        containerId: r.id,
        containerName: r.name,
        state: r.state,
        ip: live ? r.network.ip : null,
        ipRequested: null,
        aliases: [],
        ifname: live ? 'eth0' : null,
        hostVeth: live ? vethName(r.id) : null,
      });
    }
    return out;
  }

  // ── /etc/hosts ────────────────────────────────────────────────────────────

  /** The container's own lines, then one per peer running on a network they share. */
  hostsFor(r: ContainerRecord, defaultIp: string | null): HostsLine[] {
    const short = r.id.slice(0, 12);
    const self = [...new Set([r.hostname, r.name, short])];
    const lines: HostsLine[] = [];
    if (defaultIp) lines.push({ ip: defaultIp, names: self });
    for (const e of r.endpoints ?? []) if (e.ip) lines.push({ ip: e.ip, names: [...self, ...e.aliases] });
    const mine = new Set((r.endpoints ?? []).filter((e) => e.ip).map((e) => e.networkId));
    if (mine.size === 0) return lines;
    for (const p of this.records()) {
      if (p.id === r.id || !running(p)) continue;
      for (const e of p.endpoints ?? []) {
        if (e.ip && mine.has(e.networkId)) lines.push({ ip: e.ip, names: [p.name, ...e.aliases, p.id.slice(0, 12)] });
      }
    }
    return lines;
  }

  /** Writes one running container's hosts file (created before its first start). */
  writeHosts(r: ContainerRecord, defaultIp: string | null): string {
    const file = hostsFile(this.dirOf(r.id));
    writeHostsInPlace(file, renderHosts(this.hostsFor(r, defaultIp)));
    return file;
  }

  /**
   * Rewrites the hosts file of every running container sharing a network with
   * `networkIds` (its peers see a start, stop, connect, disconnect or rename).
   */
  refreshPeers(networkIds: Iterable<string>, except?: string): void {
    const touched = new Set(networkIds);
    if (touched.size === 0) return;
    for (const p of this.records()) {
      if (p.id === except || !running(p) || !managesHosts(p)) continue;
      if (!(p.endpoints ?? []).some((e) => e.ip && touched.has(e.networkId))) continue;
      try {
        this.writeHosts(p, p.config.network === 'bridge' ? p.network.ip : null);
      } catch (err) {
        this.log(`hosts file of ${p.name}: ${String(err)}`);
      }
    }
  }
}

function blankEndpoint(networkId: string, aliases: string[], ipRequested: string | null): EndpointRecord {
  return { networkId, aliases, ipRequested, ip: null, ifname: null, hostVeth: null };
}

function checkIpOf(n: NetworkRecord, ip: string): void {
  const s = parseSubnet(n.subnet);
  const { first, last } = hostRange(s);
  const v = ipToInt(ip);
  // The first host address is free when the gateway is elsewhere (--gateway); ipam.allocate checks again under its lock.
  if (v < first - 1 || v > last || ip === n.gateway)
    throw new BerthError('NETWORK_IP_OUTSIDE', `${ip} is not a free host address of ${n.subnet} (network ${n.name})`, {
      ip,
      network: n.name,
    });
}
