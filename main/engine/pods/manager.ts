/**
 * Pods inside the helper. A pod is a record, a holder process that owns the
 * shared namespaces (holder.ts), a network namespace made as a bridge
 * container's (address, published ports) and a cgroup parent carrying the
 * pod's limits, under which each member's group nests. Members are ordinary
 * containers whose record names the pod (config.pod): the container engine
 * asks join() for what to join at every start, which starts the pod first
 * when needed.
 *
 * Locks: one chain per pod for up/down. A pod's start brings it up under the
 * lock and starts members outside it, since a member's start calls join(),
 * which takes the same lock.
 */
import fs from 'node:fs';
import { BerthError } from '../../../preload/errors';
import { KeyedMutex } from '../../shared/mutex';
import type { PodCreateT, PodDetailT, PodSummaryT } from '../../../preload/schemas/pods';
import type { Limits } from '../../../preload/schemas/resources';
import type { CgroupDriver, CgroupHandle } from '../cgroups/driver';
import type { ContainerManager, PodJoin, PodLink } from '../containers/manager';
import { newContainerId, randomName } from '../containers/names';
import { holderAlive, holderNamespaces, startHolder, stopHolder } from './holder';
import { PodStore, type PodRecord } from './record';

export interface PodEvent {
  id: string;
  action: 'create' | 'start' | 'stop' | 'remove';
  at: string;
}

export interface PodManagerOptions {
  dataRoot: string;
  cgroups: CgroupDriver;
  containers: ContainerManager;
  emit: (e: PodEvent) => void;
  log: (msg: string) => void;
  /** The cgroup parent pods' groups are made under (Berth's: "berth"). */
  cgroupBase?: string;
}

const now = (): string => new Date().toISOString();

/** The pod's group name under the base: short, like the netns name (berth-<12 hex>). */
function groupName(podId: string): string {
  return `pod-${podId.slice(0, 12)}`;
}

export class PodManager implements PodLink {
  private readonly records = new Map<string, PodRecord>();
  private readonly handles = new Map<string, CgroupHandle>();
  private readonly locks = new KeyedMutex();
  private readonly store: PodStore;
  private readonly base: string;

  constructor(private readonly o: PodManagerOptions) {
    this.store = new PodStore(o.dataRoot);
    this.base = o.cgroupBase ?? 'berth';
  }

  // ── lookup ────────────────────────────────────────────────────────────────

  find(ref: string): PodRecord {
    const byId = this.records.get(ref);
    if (byId) return byId;
    const byName = [...this.records.values()].find((p) => p.name === ref);
    if (byName) return byName;
    const prefixed = [...this.records.values()].filter((p) => p.id.startsWith(ref));
    if (prefixed.length > 1) throw new BerthError('POD_AMBIGUOUS', `${ref} matches ${prefixed.length} pods`);
    if (prefixed.length === 1) return prefixed[0]!;
    throw new BerthError('POD_NOT_FOUND', `no such pod: ${ref}`);
  }

  resolve(ref: string): { id: string; hostname: string } {
    const p = this.find(ref);
    return { id: p.id, hostname: p.hostname };
  }

  cgroupParent(podId: string): string {
    return `${this.base}/${groupName(podId)}`;
  }

  private withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(id, fn);
  }

  private announce(id: string, action: PodEvent['action']): void {
    this.o.emit({ id, action, at: now() });
  }

  // ── create ────────────────────────────────────────────────────────────────

  create(req: PodCreateT): Promise<{ id: string; name: string }> {
    const taken = (n: string): boolean => [...this.records.values()].some((p) => p.name === n);
    if (req.name && taken(req.name))
      throw new BerthError('POD_NAME_IN_USE', `the pod name "${req.name}" is already in use`);
    if (req.network === 'none' && req.ports.length > 0)
      throw new BerthError('BAD_PARAMS', 'publishing ports needs the bridge network (got none)');
    const id = newContainerId();
    const name = req.name ?? randomName(taken);
    const record: PodRecord = {
      id,
      name,
      created: now(),
      config: { ...req, share: [...new Set(req.share)] },
      // Like podman: the pod's name is its members' hostname unless given.
      hostname: req.hostname ?? (/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(name) ? name : id.slice(0, 12)),
      holder: null,
      network: { ip: null, netns: null },
      startedAt: null,
      stoppedAt: null,
    };
    this.store.save(record);
    this.records.set(id, record);
    this.announce(id, 'create');
    return Promise.resolve({ id, name });
  }

  // ── up and down ───────────────────────────────────────────────────────────

  /** Cgroup parent with the pod's limits, network, holder; undone on any failure. Caller holds the lock. */
  private async up(p: PodRecord): Promise<void> {
    if (holderAlive(p.holder)) return;
    // A holder that died alone (killed, reboot): sweep what it left first.
    if (p.holder || p.network.netns) await this.down(p);
    let handle: CgroupHandle | null = null;
    let net: { netns: string; ip: string | null } | null = null;
    try {
      handle = this.o.cgroups.create(groupName(p.id), this.base);
      const { devices: _devices, ...limits } = p.config.resources as Limits;
      this.o.cgroups.apply(handle, limits);
      net = await this.o.containers.openPodNetwork(p.id, p.config.network, p.config.ports);
      const holder = await startHolder({
        sharePid: p.config.share.includes('pid'),
        netns: net.netns,
        hostname: p.hostname,
      });
      Object.assign(p, { holder, network: net, startedAt: now(), stoppedAt: null } satisfies Partial<PodRecord>);
      this.store.save(p);
      this.handles.set(p.id, handle);
    } catch (err) {
      if (net) await this.o.containers.closePodNetwork(p.id, p.config.ports, net.ip).catch(() => undefined);
      if (handle) await this.o.cgroups.destroy(handle).catch(() => undefined);
      throw err;
    }
    this.announce(p.id, 'start');
  }

  /** Holder, network, cgroup parent: each undone if present (a sweep is safe to repeat). Caller holds the lock. */
  private async down(p: PodRecord): Promise<void> {
    if (p.holder && holderAlive(p.holder)) await stopHolder(p.holder);
    await this.o.containers.closePodNetwork(p.id, p.config.ports, p.network.ip);
    const handle = this.handles.get(p.id) ?? this.openGroup(p.id);
    if (handle) await this.o.cgroups.destroy(handle);
    this.handles.delete(p.id);
    const wasUp = p.holder !== null;
    Object.assign(p, {
      holder: null,
      network: { ip: null, netns: null },
      stoppedAt: wasUp ? now() : p.stoppedAt,
    } satisfies Partial<PodRecord>);
    if (this.records.has(p.id)) this.store.save(p);
  }

  private openGroup(podId: string): CgroupHandle | null {
    try {
      return this.o.cgroups.open(groupName(podId), this.base);
    } catch {
      return null;
    }
  }

  /** What a member joins; brings the pod up first when it is not running. */
  async join(podId: string): Promise<PodJoin> {
    const p = this.records.get(podId);
    if (!p) throw new BerthError('POD_NOT_FOUND', `no such pod: ${podId} (removed?)`);
    await this.withLock(p.id, () => this.up(p));
    const h = p.holder!;
    const ns = holderNamespaces(h);
    return {
      podId: p.id,
      cgroupParent: this.cgroupParent(p.id),
      netns: p.network.netns ?? ns.net,
      ip: p.network.ip,
      ipc: ns.ipc,
      uts: ns.uts,
      pid: p.config.share.includes('pid') ? ns.pid : null,
    };
  }

  // ── lifecycle ─────────────────────────────────────────────────────────────

  async start(ref: string): Promise<PodSummaryT> {
    const p = this.find(ref);
    await this.withLock(p.id, () => this.up(p));
    const failures: string[] = [];
    for (const m of this.o.containers.membersOf(p.id)) {
      if (m.state === 'running' || m.state === 'paused') continue;
      await this.o.containers.start(m.id).catch((err: unknown) => failures.push(`${m.name}: ${String(err)}`));
    }
    if (failures.length) this.o.log(`pod ${p.name}: members that did not start: ${failures.join('; ')}`);
    return this.summary(p);
  }

  async stop(ref: string, timeoutSec: number): Promise<PodSummaryT> {
    const p = this.find(ref);
    await this.stopMembers(p, timeoutSec);
    await this.withLock(p.id, () => this.down(p));
    this.announce(p.id, 'stop');
    return this.summary(p);
  }

  private async stopMembers(p: PodRecord, timeoutSec: number): Promise<void> {
    const running = this.o.containers
      .membersOf(p.id)
      .filter((m) => m.state === 'running' || m.state === 'paused' || m.state === 'restarting');
    await Promise.all(running.map((m) => this.o.containers.stop(m.id, timeoutSec)));
  }

  async remove(ref: string, force: boolean): Promise<{ id: string; removedContainers: string[] }> {
    const p = this.find(ref);
    const members = this.o.containers.membersOf(p.id);
    const live = members.filter((m) => m.state === 'running' || m.state === 'paused' || m.state === 'restarting');
    if (!force && (live.length > 0 || holderAlive(p.holder))) {
      throw new BerthError(
        'POD_RUNNING',
        `pod ${p.name} is running${live.length ? ` (${live.map((m) => m.name).join(', ')})` : ''}: stop it first or remove with force`,
      );
    }
    const removed: string[] = [];
    for (const m of members) {
      await this.o.containers.remove(m.id, force);
      removed.push(m.id);
    }
    await this.withLock(p.id, async () => {
      await this.down(p);
      this.records.delete(p.id);
      this.store.remove(p.id);
    });
    this.announce(p.id, 'remove');
    return { id: p.id, removedContainers: removed };
  }

  // ── reading ───────────────────────────────────────────────────────────────

  summary(p: PodRecord): PodSummaryT {
    const members = this.o.containers.membersOf(p.id).map((m) => ({
      id: m.id,
      name: m.name,
      image: m.image,
      state: m.state,
      pid: m.pid,
    }));
    const up = holderAlive(p.holder);
    const state = up
      ? members.every((m) => m.state === 'running')
        ? 'running'
        : 'degraded'
      : p.startedAt
        ? 'stopped'
        : 'created';
    return {
      id: p.id,
      name: p.name,
      created: p.created,
      state,
      share: p.config.share,
      network: { mode: p.config.network, ip: up ? p.network.ip : null, ports: p.config.ports },
      holderPid: up ? p.holder!.pid : null,
      members,
      labels: p.config.labels,
    };
  }

  list(): PodSummaryT[] {
    return [...this.records.values()].map((p) => this.summary(p)).sort((a, b) => b.created.localeCompare(a.created));
  }

  inspect(ref: string): PodDetailT {
    const p = this.find(ref);
    const s = this.summary(p);
    const namespaces: PodDetailT['namespaces'] = {};
    if (s.holderPid !== null) {
      const ns = holderNamespaces(p.holder!);
      const files: Record<string, string> = { net: p.network.netns ?? ns.net, ipc: ns.ipc, uts: ns.uts };
      if (p.config.share.includes('pid')) files.pid = ns.pid;
      for (const [k, file] of Object.entries(files)) {
        let inode: number | null;
        try {
          inode = fs.statSync(file).ino;
        } catch {
          inode = null;
        }
        namespaces[k] = { path: file, inode };
      }
    }
    const handle = this.handles.get(p.id);
    return {
      ...s,
      config: p.config,
      hostname: p.hostname,
      cgroupParent: this.cgroupParent(p.id),
      cgroups: handle ? this.o.cgroups.procsFiles(handle).map((f) => f.replace(/\/(cgroup\.procs|tasks)$/, '')) : [],
      namespaces,
    };
  }

  /** Every pod record (the namespace graph reads their holders). */
  all(): PodRecord[] {
    return [...this.records.values()];
  }

  /** Holder pid → pod id, for the namespace graph. */
  podOfHolder(pid: number): string | null {
    for (const p of this.records.values()) if (p.holder?.pid === pid && holderAlive(p.holder)) return p.id;
    return null;
  }

  // ── boot ──────────────────────────────────────────────────────────────────

  /**
   * Before the containers' own adoption: a live holder is kept (its cgroup
   * parent reopened); one that ended while no helper watched has its
   * network and cgroup parent swept.
   */
  async adopt(): Promise<{ running: number; swept: number }> {
    const { pods, damaged } = this.store.loadAll();
    for (const d of damaged) this.o.log(`pod record ${d.file} is unreadable: ${d.reason}`);
    let running = 0;
    let swept = 0;
    for (const p of pods) {
      this.records.set(p.id, p);
      if (holderAlive(p.holder)) {
        const h = this.openGroup(p.id);
        if (h) this.handles.set(p.id, h);
        running++;
      } else if (p.holder || p.network.netns) {
        await this.withLock(p.id, () => this.down(p)).catch((err: unknown) =>
          this.o.log(`sweep of pod ${p.name}: ${String(err)}`),
        );
        swept++;
      }
    }
    return { running, swept };
  }
}
