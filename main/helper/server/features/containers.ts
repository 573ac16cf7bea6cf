/** The helper's containers feature: the contract's containers.* methods on the engine. */
import type { HandlersFor, HelperServices } from '../handlers';
import { containersEngine } from '../containers-engine';

type ContainersMethod =
  | 'containers.create'
  | 'containers.start'
  | 'containers.stop'
  | 'containers.kill'
  | 'containers.restart'
  | 'containers.pause'
  | 'containers.unpause'
  | 'containers.remove'
  | 'containers.rename'
  | 'containers.inspect'
  | 'containers.list'
  | 'containers.logs'
  | 'containers.diff'
  | 'containers.top';

export function engineFor(s: HelperServices) {
  return containersEngine({
    dataRoot: s.facts.dataRoot,
    log: s.log,
    archiveLimits: s.settings.archive,
    emit: (e) => s.emit('containers.changed', e),
    emitPod: (e) => s.emit('pods.changed', e),
    onStats: (sample) => s.emitSample(sample),
    wantsStats: () => s.hasListeners(),
    bridge: {
      ...(process.env.BERTH_BRIDGE && s.facts.startedVia === 'direct' ? { name: process.env.BERTH_BRIDGE } : {}),
      ...(process.env.BERTH_SUBNET && s.facts.startedVia === 'direct' ? { subnet: process.env.BERTH_SUBNET } : {}),
      ...(process.env.BERTH_NFT_TABLE && s.facts.startedVia === 'direct' ? { table: process.env.BERTH_NFT_TABLE } : {}),
    },
    idRanges: idRangeFiles(process.env, s.facts.startedVia === 'direct'),
    onVolumes: (e) => s.emit('volumes.changed', e),
  });
}

/** Test and service overrides of the subordinate-id files; never through pkexec (its env is the user's). */
function idRangeFiles(
  env: NodeJS.ProcessEnv,
  direct: boolean,
): { subuidFile?: string; subgidFile?: string; rangesFile?: string } {
  if (!direct) return {};
  return {
    ...(env.BERTH_SUBUID ? { subuidFile: env.BERTH_SUBUID } : {}),
    ...(env.BERTH_SUBGID ? { subgidFile: env.BERTH_SUBGID } : {}),
    ...(env.BERTH_USERNS_RANGES ? { rangesFile: env.BERTH_USERNS_RANGES } : {}),
  };
}

export function containersHandlers(s: HelperServices): HandlersFor<ContainersMethod> {
  const m = async () => (await engineFor(s)).manager;
  return {
    'containers.create': async (p) => (await m()).create(p),
    'containers.start': async (p) => (await m()).start(p.id),
    'containers.stop': async (p) => (await m()).stop(p.id, p.timeoutSec),
    'containers.kill': async (p) => (await m()).kill(p.id, p.signal),
    'containers.restart': async (p) => (await m()).restart(p.id, p.timeoutSec),
    'containers.pause': async (p) => (await m()).pause(p.id),
    'containers.unpause': async (p) => (await m()).unpause(p.id),
    'containers.remove': async (p) => (await m()).remove(p.id, p.force, { volumes: p.volumes }),
    'containers.rename': async (p) => (await m()).rename(p.id, p.name),
    'containers.inspect': async (p) => (await m()).inspect(p.id),
    'containers.list': async (p) => (await m()).list(p.all, p.filters),
    'containers.logs': async (p) =>
      (await m()).logs(p.id, {
        ...(p.cursor !== undefined ? { cursor: p.cursor } : {}),
        ...(p.tail !== undefined ? { tail: p.tail } : {}),
        limit: p.limit,
      }),
    'containers.diff': async (p) => (await m()).diff(p.id),
    'containers.top': async (p) => {
      const mgr = await m();
      const id = mgr.find(p.id).id;
      mgr.handleOf(id); // CONTAINER_NOT_RUNNING unless running or paused
      return { id, pids: mgr.pidsOf(id) };
    },
  };
}
