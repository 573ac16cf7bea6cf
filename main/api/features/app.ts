import { VERSION } from '../../version';
import type { MainHandlersFor, MainServices } from '../router';

export function appHandlers(s: MainServices): MainHandlersFor<'app.version' | 'app.helperState'> {
  return {
    'app.version': async (_p, ctx) => ({
      version: VERSION,
      transport: ctx.transport,
      node: process.versions.node,
      electron: process.versions.electron ?? null,
    }),
    'app.helperState': async () => s.helperState(),
  };
}
