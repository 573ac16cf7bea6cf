/**
 * The helper's side of the contract: every `where: 'helper'` method, typed as
 * a total map so a contract change that is not followed fails typecheck.
 * Each feature contributes its handlers from main/helper/features/<feature>.ts.
 */
import { BerthError } from '../../../preload/errors';
import {
  events,
  isMethodName,
  methods,
  type EventName,
  type EventPayload,
  type HelperMethodName,
  type MethodName,
  type ParsedParams,
  type Result,
} from '../../../preload/contract';
import { parseParams, parseResult } from '../../shared/validate';
import type { SampleColumns } from '../../shared/sample-wire';
import type { HelperFacts } from '../../engine/system/info';
import type { RpcConnection } from './rpc-server';
import type { HelperSettings } from './settings';
import { systemHandlers } from './features/system';
import { containersHandlers } from './features/containers';
import { registryHandlers } from './features/registry';
import { sessionHandlers } from './features/sessions';
import { resourceHandlers } from './features/resources';
import { namespaceHandlers } from './features/namespaces';
import { imagesHandlers } from './features/images';
import { deviceHandlers } from './features/devices';
import { volumeHandlers } from './features/volumes';
import { diskHandlers } from './features/disk';
import { copyHandlers } from './features/copy';
import { networksHandlers } from './features/networks';
import { commitHandlers } from './features/commit';
import { eventsHandlers } from './features/events';
import type { EventLog } from './event-log';
import { buildHandlers } from './features/build';
import { podHandlers } from './features/pods';
import { kubeHandlers } from './features/kube';

export interface HelperContext {
  conn: RpcConnection;
}

export type HelperHandlers = {
  [M in HelperMethodName]: (params: ParsedParams<M>, ctx: HelperContext) => Promise<Result<M>>;
};

/** The handlers of some of the helper's methods: what one feature provides. */
export type HandlersFor<K extends HelperMethodName> = Pick<HelperHandlers, K>;

/** What every feature's handlers may use. */
export interface HelperServices {
  facts: HelperFacts;
  /** Tunables from defaults, the config file and flags (settings.ts). */
  settings: HelperSettings;
  log: (msg: string) => void;
  /** Broadcast an event to every connected client (validated first). */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /**
   * Broadcast the per-tick stats sample in its wire form (sample-wire.ts);
   * clients decode it into the `resources.sample` event.
   */
  emitSample(sample: SampleColumns): void;
  /** Whether any client is connected to receive events. */
  hasListeners(): boolean;
  /** The container and image events emitted so far (a bounded ring), for `berth events --since`. */
  events: EventLog;
}

export function helperHandlers(s: HelperServices): HelperHandlers {
  return {
    ...systemHandlers(s),
    ...containersHandlers(s),
    ...registryHandlers(s),
    ...sessionHandlers(s),
    ...resourceHandlers(s),
    ...namespaceHandlers(s),
    ...imagesHandlers(s),
    ...deviceHandlers(s),
    ...volumeHandlers(s),
    ...diskHandlers(s),
    ...copyHandlers(s),
    ...networksHandlers(s),
    ...commitHandlers(s),
    ...eventsHandlers(s),
    ...buildHandlers(s),
    ...podHandlers(s),
    ...kubeHandlers(s),
  };
}

function isHelperMethod(m: MethodName): m is HelperMethodName {
  return methods[m].where === 'helper';
}

/** Validates and dispatches one request; what the RPC server calls. */
export function makeDispatcher(handlers: HelperHandlers) {
  return async (method: string, params: unknown, conn: RpcConnection): Promise<unknown> => {
    if (!isMethodName(method) || !isHelperMethod(method)) {
      throw new BerthError('METHOD_NOT_FOUND', `the helper has no method ${method.slice(0, 200)}`);
    }
    const parsed = parseParams(method, params);
    const handler = handlers[method] as (p: unknown, c: HelperContext) => Promise<unknown>;
    return parseResult(method, await handler(parsed, { conn }));
  };
}

/** The notification that carries an event from the helper to its clients. */
export const EVENT_NOTIFICATION = 'event';

/**
 * Events are validated where they are received (main/helper/connection.ts)
 * and, being built from outside data, here too. The per-second stats sample
 * does not come through here: it goes as columns (sampleFrame).
 */
export function eventFrame<E extends EventName>(event: E, payload: EventPayload<E>): { name: E; payload: unknown } {
  return { name: event, payload: events[event].parse(payload) };
}

/** The `event` notification's params for a stats sample in wire form. */
export function sampleFrame(sample: SampleColumns): { name: 'resources.sample'; columns: SampleColumns } {
  return { name: 'resources.sample', columns: sample };
}
