/**
 * Compile-time proof (checked by `npm run typecheck`, never run): both sides
 * must implement every contract method on their side of the line. If a
 * `@ts-expect-error` below stops erroring, the total-map typing was lost.
 * It sits in main/, above both sides: main/api may not import the helper server.
 */
import type { MainHandlers } from './api/router';
import type { HelperHandlers } from './helper/server/handlers';

// @ts-expect-error 'app.helperState' is missing
export const mainMissingOne: MainHandlers = {
  'app.version': async () => ({ version: '0', transport: 'cli', node: '20', electron: null }),
};

// @ts-expect-error 'system.info' is missing
export const helperMissingOne: HelperHandlers = { 'system.ping': async () => ({ pong: true, helperPid: 1 }) };

export const mainWrongResult: MainHandlers = {
  // @ts-expect-error the result does not match the contract's schema
  'app.version': async () => ({ version: 1 }),
  'app.helperState': async () => ({ state: 'connected', at: '' }),
};
