import { systemInfo } from '../../../engine/system/info';
import type { HandlersFor, HelperServices } from '../handlers';

export function systemHandlers(s: HelperServices): HandlersFor<'system.info' | 'system.ping'> {
  return {
    'system.info': async () => systemInfo(s.facts),
    'system.ping': async (p) =>
      p.echo === undefined
        ? { pong: true, helperPid: process.pid }
        : { pong: true, echo: p.echo, helperPid: process.pid },
  };
}
