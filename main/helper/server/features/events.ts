/** events.list: the helper's event ring (event-log.ts), for `berth events --since/--until`. */
import type { HandlersFor, HelperServices } from '../handlers';

export function eventsHandlers(s: HelperServices): HandlersFor<'events.list'> {
  return {
    'events.list': async (p) => s.events.list(p.sinceMs, p.untilMs),
  };
}
