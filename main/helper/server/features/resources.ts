/** resources.*: live stats, history, and limits read back or changed on a running container. */
import type { HandlersFor, HelperServices } from '../handlers';
import { engineFor } from './containers';

export function resourceHandlers(
  s: HelperServices,
): HandlersFor<'resources.stats' | 'resources.history' | 'resources.limits' | 'resources.update'> {
  return {
    'resources.stats': async (p) => {
      const e = await engineFor(s);
      return e.resources.latest(p.id === undefined ? undefined : e.manager.find(p.id).id);
    },
    'resources.history': async (p) => {
      const e = await engineFor(s);
      const id = e.manager.find(p.id).id;
      return { id, points: e.resources.history.range(id, p.sinceMs ?? 0) };
    },
    'resources.limits': async (p) => (await engineFor(s)).manager.limits(p.id),
    'resources.update': async (p) => (await engineFor(s)).manager.updateResources(p.id, p.limits),
  };
}
