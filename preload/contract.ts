/**
 * THE contract between the renderer (or CLI), main and the helper.
 *
 * Every invoke method and every event is declared once here with zod schemas;
 * all TypeScript types are inferred from them. Each method says where it is
 * served: `helper` methods are forwarded by main to the privileged helper,
 * which validates the params again with the same schema (the receiving side
 * always validates); `main` methods are answered by main itself.
 *
 * Both sides are typed as total maps over these names, so a method added here
 * and not implemented fails `npm run typecheck`.
 */
import type { z } from 'zod';
import { systemEvents, systemMethods, type HelperState, type SystemInfo } from './schemas/system';
import { containerEvents, containerMethods } from './schemas/containers';
import { registryEvents, registryMethods } from './schemas/registry';
import { resourceEvents, resourceMethods } from './schemas/resources';
import { namespaceMethods } from './schemas/namespaces-api';
import { sessionEvents, sessionMethods } from './schemas/sessions';
import { imagesEvents, imagesMethods } from './schemas/images';
import { uploadsMethods } from './schemas/uploads';
import { deviceMethods } from './schemas/devices';
import { volumeEvents, volumeMethods } from './schemas/volumes';
import { diskMethods } from './schemas/disk';
import { copyMethods } from './schemas/copy';
import { networkEvents, networkMethods } from './schemas/networks';
import { commitMethods } from './schemas/commit';
import { eventsEvents, eventsMethods } from './schemas/events';
import { preferencesMethods } from './schemas/preferences';
import { buildEvents, buildMethods } from './schemas/build';
import { podEvents, podMethods } from './schemas/pods';
import { kubeMethods } from './schemas/kube';

export * from './schemas/system';

// Each feature declares its methods and events in preload/schemas/<feature>.ts;
// this file joins them into the one contract.

export const methods = {
  ...systemMethods,
  ...containerMethods,
  ...registryMethods,
  ...sessionMethods,
  ...resourceMethods,
  ...namespaceMethods,
  ...imagesMethods,
  ...uploadsMethods,
  ...deviceMethods,
  ...volumeMethods,
  ...diskMethods,
  ...copyMethods,
  ...networkMethods,
  ...commitMethods,
  ...eventsMethods,
  ...preferencesMethods,
  ...buildMethods,
  ...podMethods,
  ...kubeMethods,
} as const;

export const events = {
  ...systemEvents,
  ...containerEvents,
  ...registryEvents,
  ...sessionEvents,
  ...resourceEvents,
  ...imagesEvents,
  ...volumeEvents,
  ...networkEvents,
  ...eventsEvents,
  ...buildEvents,
  ...podEvents,
} as const;

// ── inferred types ───────────────────────────────────────────────────────────

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
export type ParsedParams<M extends MethodName> = z.output<Methods[M]['params']>;
export type Result<M extends MethodName> = z.output<Methods[M]['result']>;

export type HelperMethodName = {
  [M in MethodName]: Methods[M]['where'] extends 'helper' ? M : never;
}[MethodName];
export type MainMethodName = Exclude<MethodName, HelperMethodName>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export type SystemInfo = z.output<typeof SystemInfo>;
export type HelperStateT = z.output<typeof HelperState>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(s: unknown): s is MethodName {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(methods, s);
}
export function isEventName(s: unknown): s is EventName {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(events, s);
}
