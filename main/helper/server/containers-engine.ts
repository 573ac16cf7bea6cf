/**
 * The helper's container engine, one per helper: the manager with its image
 * store, cgroup driver and bridge. Started once at helper start so running
 * containers are re-adopted and `always` ones come back.
 */
import { lgetxattr } from '../../../native/index';
import { BerthError } from '../../../preload/errors';
import { createDriver, DEFAULT_PARENT } from '../../engine/cgroups/driver';
import { CgroupPools } from '../../engine/containers/cgroup-pool';
import { monitorLauncher } from '../../engine/containers/monitor-launcher';
import { ContainerManager, type ContainerEvent, type ImageProvider } from '../../engine/containers/manager';
import { PodManager, type PodEvent } from '../../engine/pods/manager';
import { prepareMonitor } from '../../engine/containers/runtime';
import type { ArchiveLimits } from '../../engine/oci/limits';
import { sharedImageStore, type ImageStore } from '../../engine/images/store/index';
import { DEFAULT_BRIDGE, DEFAULT_SUBNET, NFT_TABLE } from '../../engine/network/bridge';
import { parseSubnet } from '../../engine/network/subnet';
import { ResourceService } from '../../engine/resources/service';
import { IdRangeAllocator } from '../../engine/userns/ranges';
import { VolumeStore } from '../../engine/volumes/store';
import { buildRootfs } from '../../engine/build/rootfs-registry';
import type { SampleColumns } from '../../shared/sample-wire';

export interface ContainersEngine {
  manager: ContainerManager;
  images: ImageStore;
  resources: ResourceService;
  volumes: VolumeStore;
  pods: PodManager;
}

export interface EngineOptions {
  dataRoot: string;
  log: (msg: string) => void;
  emit: (e: ContainerEvent) => void;
  /** Pod events (pods.changed). */
  emitPod?: (e: PodEvent) => void;
  /** The newest stats point of each running container, every sampling tick (wire form). */
  onStats: (sample: SampleColumns) => void;
  /** False while no client is connected (ticks then skip encoding). */
  wantsStats?: () => boolean;
  /** Caps on loads and pulls (the helper's settings). */
  archiveLimits?: ArchiveLimits;
  /** BERTH_BRIDGE / BERTH_SUBNET (root-only env; pkexec scrubs it). */
  bridge?: { name?: string; subnet?: string; table?: string };
  /** BERTH_SUBUID / BERTH_SUBGID / BERTH_USERNS_RANGES (root-only env): where --userns ranges come from and are recorded. */
  idRanges?: { subuidFile?: string; subgidFile?: string; rangesFile?: string };
  /** A volume was made or removed (volumes.changed). */
  onVolumes?: (e: { action: 'create' | 'remove'; names: string[] }) => void;
}

let engine: Promise<ContainersEngine> | null = null;
let ready: ContainersEngine | null = null;

/** The engine once started, without waiting (null before): for lookups that must not block, like the event log's. */
export function engineIfReady(): ContainersEngine | null {
  return ready;
}

function imageProvider(store: ImageStore): ImageProvider {
  return {
    async resolve(ref) {
      // A build's RUN step: its layers are not (yet) an image in the store.
      const step = buildRootfs(ref);
      if (step)
        return {
          id: ref,
          name: ref,
          config: { ...step.config, Cmd: null, Entrypoint: null },
          lowerDirs: step.lowerDirs,
        };
      const img = await store.resolve(ref);
      const c = img.config.config ?? {};
      return {
        id: img.id,
        name: img.tags[0] ?? ref,
        config: {
          Entrypoint: c.Entrypoint ?? null,
          Cmd: c.Cmd ?? null,
          Env: c.Env ?? null,
          ...(c.WorkingDir ? { WorkingDir: c.WorkingDir } : {}),
          ...(c.User ? { User: c.User } : {}),
        },
        lowerDirs: store.lowerDirsOf(img),
      };
    },
  };
}

export function containersEngine(o: EngineOptions): Promise<ContainersEngine> {
  engine ??= (async () => {
    const images = await sharedImageStore({
      dataRoot: o.dataRoot,
      log: o.log,
      ...(o.archiveLimits ? { limits: o.archiveLimits } : {}),
    });
    const cgroups = createDriver();
    const volumes = new VolumeStore(o.dataRoot, o.log);
    if (o.onVolumes) volumes.onChange = o.onVolumes;
    // Filled below; the manager's events drive what is sampled.
    let manager: ContainerManager | null = null;
    const resources = new ResourceService({
      driver: cgroups,
      onTick: o.onStats,
      ...(o.wantsStats ? { wantsTicks: o.wantsStats } : {}),
      onOom: (id, newKills) => {
        o.log(`container ${id}: ${newKills} process(es) OOM-killed`);
        o.emit({ id, action: 'oom', state: 'running', exitCode: null, at: new Date().toISOString() });
      },
    });
    const follow = (e: ContainerEvent): void => {
      if (!manager) return;
      if (e.action === 'start' || e.action === 'restart' || e.action === 'unpause') {
        // On the next turn, after the exit watch's first check (queued before
        // the event): a start's answer and a short command's die need not wait
        // for the sampler. One that ended meanwhile has no running handle.
        const m = manager;
        setImmediate(() => {
          const running = m.runningHandles().find((h) => h.id === e.id);
          if (running) resources.track(e.id, m.find(e.id).name, running.handle, running.pid);
        });
      } else if (e.action === 'die') resources.untrack(e.id);
      else if (e.action === 'remove') resources.forget(e.id);
      else if (e.action === 'rename') resources.rename(e.id, manager.find(e.id).name);
    };
    manager = new ContainerManager({
      dataRoot: o.dataRoot,
      images: imageProvider(images),
      cgroups,
      bridge: {
        name: o.bridge?.name ?? DEFAULT_BRIDGE,
        subnet: parseSubnet(o.bridge?.subnet ?? DEFAULT_SUBNET),
        table: o.bridge?.table ?? NFT_TABLE,
      },
      getXattr: (file, name) => {
        try {
          return lgetxattr(file, name);
        } catch (err) {
          throw new BerthError('NATIVE_OP_FAILED', `lgetxattr ${file} ${name}: ${(err as Error).message}`);
        }
      },
      emit: (e) => {
        follow(e);
        o.emit(e);
      },
      log: o.log,
      idRanges: new IdRangeAllocator({ ...o.idRanges, log: o.log }),
      volumes,
    });
    images.setUsage(manager);
    volumes.setUsage(manager);
    // Pods first: a member restarted at boot joins its pod's holder.
    const pods = new PodManager({
      dataRoot: o.dataRoot,
      cgroups,
      containers: manager,
      emit: (e) => o.emitPod?.(e),
      log: o.log,
    });
    manager.setPods(pods);
    const pr = await pods.adopt();
    if (pr.running || pr.swept) o.log(`pods: ${pr.running} holders re-adopted, ${pr.swept} swept`);
    const r = await manager.adopt();
    // Standby pools (cgroup-pool.ts): those of helpers that are gone first.
    const pools = new CgroupPools(cgroups, DEFAULT_PARENT, o.log);
    const stale = await pools.reclaimStale();
    if (stale) o.log(`cgroup pools: ${stale} left by an earlier helper removed`);
    monitorLauncher().usePools(pools);
    prepareMonitor(); // the first start then finds a monitor already exec'd
    for (const h of manager.runningHandles()) resources.track(h.id, manager.find(h.id).name, h.handle, h.pid);
    o.log(`containers: ${r.adopted} re-adopted, ${r.exited} ended while away, ${r.restarted} started by policy`);
    ready = { manager, images, resources, volumes, pods };
    return ready;
  })();
  return engine;
}
