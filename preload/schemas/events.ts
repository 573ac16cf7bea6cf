/**
 * The engine's event history, as `berth events` reads it: container and image
 * events in docker's vocabulary (Type, Action, Actor ID and attributes), kept
 * by the helper in a bounded ring so `--since` can look back, and announced
 * live as they are recorded.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { method } from './define';

export const EngineEvent = lazy(() =>
  z.object({
    /** Increasing per helper: what tells a live event from one already read from the ring. */
    seq: z.number().int().min(0),
    type: z.enum(['container', 'image']),
    /** docker's action names: create, start, die, oom, stop, pause, unpause, restart, rename, destroy; load, pull, tag, delete. */
    action: z.string(),
    /** The container's or image's full id ("" when an image event names none). */
    id: z.string(),
    /** name and image for a container (exitCode on die); what the helper knew at the time. */
    attributes: z.record(z.string(), z.string()),
    /** When it happened (ISO 8601, ms precision). */
    time: z.string(),
  }),
);

/** Epoch milliseconds. */
const Ms = lazy(() => z.number().min(0).max(8.64e15));

export const eventsMethods = {
  'events.list': method({
    where: 'helper',
    params: lazy(() => z.object({ sinceMs: Ms.optional(), untilMs: Ms.optional() }).strict()),
    result: lazy(() =>
      z.object({
        events: z.array(EngineEvent),
        /** How many events the ring keeps; older ones are gone. */
        capacity: z.number().int(),
        /** The time of the newest event the ring let go (null when none was): a `--since` before it is answered in part. */
        droppedUntil: z.string().nullable(),
      }),
    ),
    summary: 'Container and image events the helper recorded (a bounded ring), oldest first',
  }),
} as const;

export const eventsEvents = {
  /** One event as the ring recorded it (the same shape `events.list` returns). */
  'events.recorded': EngineEvent,
} as const;

export type EngineEventT = z.output<typeof EngineEvent>;
