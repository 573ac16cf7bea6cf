/** The helper's networks feature: the contract's networks.* methods on the engine's networks and endpoints. */
import { BerthError } from '../../../../preload/errors';
import type { NetworkDetailT, NetworkSummaryT } from '../../../../preload/schemas/networks';
import type { Endpoints } from '../../../engine/containers/endpoints';
import { netStateDir } from '../../../engine/network/ipam';
import type { NetworkRecord } from '../../../engine/network/networks';
import type { HandlersFor, HelperServices } from '../handlers';
import { engineFor } from './containers';

type NetworksMethod =
  | 'networks.create'
  | 'networks.list'
  | 'networks.inspect'
  | 'networks.remove'
  | 'networks.connect'
  | 'networks.disconnect'
  | 'networks.prune';

const EPOCH = new Date(0).toISOString();

/** bridge, host and none as docker lists them; their ids are fixed words, not random. */
function builtins(ep: Endpoints, bridge: { name: string; subnet: string; gateway: string }): NetworkSummaryT[] {
  const base = {
    scope: 'local' as const,
    created: EPOCH,
    internal: false,
    builtin: true,
    labels: {},
    containerCount: 0,
  };
  const list: Array<Omit<NetworkSummaryT, 'containerCount'>> = [
    {
      ...base,
      id: 'bridge',
      name: 'bridge',
      driver: 'bridge',
      subnet: bridge.subnet,
      gateway: bridge.gateway,
      bridge: bridge.name,
    },
    { ...base, id: 'host', name: 'host', driver: 'host', subnet: null, gateway: null, bridge: null },
    { ...base, id: 'none', name: 'none', driver: 'null', subnet: null, gateway: null, bridge: null },
  ];
  return list.map((n) => ({ ...n, containerCount: ep.modeCount(n.name) }));
}

function summary(ep: Endpoints, n: NetworkRecord): NetworkSummaryT {
  return {
    id: n.id,
    name: n.name,
    driver: 'bridge',
    scope: 'local',
    created: n.created,
    internal: n.internal,
    builtin: false,
    subnet: n.subnet,
    gateway: n.gateway,
    bridge: n.bridge,
    labels: n.labels,
    containerCount: ep.attached(n.id).length,
  };
}

export function networksHandlers(s: HelperServices): HandlersFor<NetworksMethod> {
  const engine = async () => (await engineFor(s)).manager;
  const changed = (
    n: { id: string; name: string },
    action: 'create' | 'remove' | 'connect' | 'disconnect',
    container: string | null,
  ) => s.emit('networks.changed', { id: n.id, name: n.name, action, container, at: new Date().toISOString() });
  const defaults = async () => {
    const m = await engine();
    const b = m.bridgeConfig;
    return { m, ep: m.endpoints, bridge: { name: b.name, subnet: b.subnet.cidr, gateway: b.subnet.gateway } };
  };
  return {
    'networks.create': async (p) => {
      const { ep } = await defaults();
      const n = await ep.networks.create(p);
      changed(n, 'create', null);
      return summary(ep, n);
    },
    'networks.list': async (p) => {
      const { ep, bridge } = await defaults();
      const all = [...builtins(ep, bridge), ...ep.networks.all().map((n) => summary(ep, n))];
      return p.filters.name ? all.filter((n) => n.name.includes(p.filters.name!)) : all;
    },
    'networks.inspect': async (p): Promise<NetworkDetailT> => {
      const { ep, bridge } = await defaults();
      const b = builtins(ep, bridge).find((x) => x.id === p.id || x.name === p.id);
      if (b) {
        return {
          ...b,
          containers: ep.modeMembers(b.name),
          paths: {
            record: null,
            ipam: b.name === 'bridge' ? `${netStateDir(bridge.name)}/ipam.json` : null,
            nftTable: b.name === 'bridge' ? ep.networks.table : null,
          },
        };
      }
      const n = ep.networks.find(p.id);
      return {
        ...summary(ep, n),
        containers: ep.attached(n.id),
        paths: {
          record: ep.networks.recordPath(n.id),
          ipam: ep.networks.ipam(n).tablePath,
          nftTable: ep.networks.table,
        },
      };
    },
    'networks.remove': async (p) => {
      const { ep } = await defaults();
      const n = await ep.networks.remove(p.id, (id) => ep.attached(id).map((e) => e.containerName));
      changed(n, 'remove', null);
      return { id: n.id, name: n.name };
    },
    'networks.connect': async (p) => {
      const { m } = await defaults();
      const r = await m.connectNetwork(p.container, p.network, { aliases: p.aliases, ...(p.ip ? { ip: p.ip } : {}) });
      const n = m.endpoints.networks.find(p.network);
      changed(n, 'connect', r.id);
      return { network: r.network, container: r.name, ip: r.ip };
    },
    'networks.disconnect': async (p) => {
      const { m } = await defaults();
      const n = m.endpoints.networks.find(p.network);
      const r = await m.disconnectNetwork(p.container, p.network);
      changed(n, 'disconnect', r.id);
      return { network: r.network, container: r.name };
    },
    'networks.prune': async () => {
      const { ep } = await defaults();
      const removed: string[] = [];
      for (const n of ep.networks.all()) {
        if (ep.attached(n.id).length) continue;
        try {
          await ep.networks.remove(n.id, (id) => ep.attached(id).map((e) => e.containerName));
          changed(n, 'remove', null);
          removed.push(n.name);
        } catch (err) {
          if (!(err instanceof BerthError && err.code === 'NETWORK_IN_USE')) throw err;
        }
      }
      return { removed };
    },
  };
}
