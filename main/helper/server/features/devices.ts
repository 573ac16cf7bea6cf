/** The helper's device-policy feature: containers.devices on the engine (sec-devices). */
import type { HandlersFor, HelperServices } from '../handlers';
import { engineFor } from './containers';

export function deviceHandlers(s: HelperServices): HandlersFor<'containers.devices'> {
  return {
    'containers.devices': async (p) => (await engineFor(s)).manager.devicePolicy(p.id),
  };
}
