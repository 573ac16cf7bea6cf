/** The helper's pods feature: the contract's pods.* methods on the engine's PodManager. */
import type { HandlersFor, HelperServices } from '../handlers';
import { engineFor } from './containers';

type PodsMethod = 'pods.create' | 'pods.list' | 'pods.inspect' | 'pods.start' | 'pods.stop' | 'pods.remove';

export function podHandlers(s: HelperServices): HandlersFor<PodsMethod> {
  const pods = async () => (await engineFor(s)).pods;
  return {
    'pods.create': async (p) => (await pods()).create(p),
    'pods.list': async () => (await pods()).list(),
    'pods.inspect': async (p) => (await pods()).inspect(p.id),
    'pods.start': async (p) => (await pods()).start(p.id),
    'pods.stop': async (p) => (await pods()).stop(p.id, p.timeoutSec),
    'pods.remove': async (p) => (await pods()).remove(p.id, p.force),
  };
}
