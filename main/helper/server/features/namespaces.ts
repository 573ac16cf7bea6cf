/** namespaces.*: the inventory, attributed to containers through their cgroups. */
import { BerthError } from '../../../../preload/errors';
import type { NamespaceSideT } from '../../../../preload/schemas/namespaces';
import {
  containerSubgraph,
  limitNamespaces,
  limitProcesses,
  processPage,
  shared,
} from '../../../engine/namespaces/graph';
import { scanNamespaces, type ContainerLookup } from '../../../engine/namespaces/scan';
import type { HandlersFor, HelperServices } from '../handlers';
import { engineFor } from './containers';
import { podNamespaceIds } from '../../../engine/pods/namespaces';

/** Big hosts: the UI collapses processes into counts; 50 per namespace is plenty to show (namespaces.processes pages through the rest). */
const DEFAULT_PROCESS_LIMIT = 50;
/** A 2,000-process host has ~600; the cap keeps a pathological one (netns per socket…) from sending megabytes. */
const DEFAULT_NAMESPACE_LIMIT = 5_000;
const DEFAULT_PAGE = 200;

export function namespaceHandlers(
  s: HelperServices,
): HandlersFor<'namespaces.graph' | 'namespaces.container' | 'namespaces.processes' | 'namespaces.shared'> {
  /** Every running container's processes, from its cgroup (one read per container). */
  const lookup = async (): Promise<ContainerLookup> => {
    const { manager } = await engineFor(s);
    const byPid = new Map<number, string>();
    for (const h of manager.runningHandles()) {
      byPid.set(h.pid, h.id);
      try {
        for (const pid of manager.pidsOf(h.id)) byPid.set(pid, h.id);
      } catch {
        // its group went away mid-scan
      }
    }
    return { containerOfPid: (pid) => byPid.get(pid) ?? null };
  };
  const side = async (v: string | number): Promise<NamespaceSideT> => {
    if (typeof v === 'number' || v === 'host') return v;
    const { manager } = await engineFor(s);
    const r = manager.find(v);
    if (!r.pid)
      throw new BerthError('CONTAINER_NOT_RUNNING', `container ${r.name} is not running: it has no namespaces`);
    return r.pid;
  };
  return {
    'namespaces.graph': async (p) => {
      // The scan cuts the process lists itself: it then reads comm only for what it keeps.
      const g = scanNamespaces({
        ...p,
        processLimit: p.processLimit ?? DEFAULT_PROCESS_LIMIT,
        containers: await lookup(),
      });
      // A pod's shared namespaces (its holder's) carry the pod's name: the graph draws them as one group.
      const pods = podNamespaceIds((await engineFor(s)).pods.all());
      const limited = limitNamespaces(g, p.namespaceLimit ?? DEFAULT_NAMESPACE_LIMIT);
      return { ...limited, namespaces: limited.namespaces.map((n) => ({ ...n, pod: pods.get(n.id) ?? null })) };
    },
    'namespaces.processes': async (p) =>
      processPage(scanNamespaces({ containers: await lookup() }), p.id, p.offset ?? 0, p.limit ?? DEFAULT_PAGE),
    'namespaces.container': async (p) => {
      const { manager } = await engineFor(s);
      const id = manager.find(p.id).id;
      const g = containerSubgraph(scanNamespaces({ containers: await lookup() }), id);
      return limitProcesses(g, p.processLimit ?? DEFAULT_PROCESS_LIMIT);
    },
    'namespaces.shared': async (p) => {
      const [a, b] = await Promise.all([side(p.a), side(p.b)]);
      return shared(scanNamespaces({ containers: await lookup(), threads: false, mounts: false }), a, b);
    },
  };
}
