/**
 * Which `containers.changed` events deserve a desktop notification. Pure:
 * events in, notes out, time taken from the events' own `at` (the engine's
 * clock), so the rules are tested without timers.
 *
 * - OOM: an `oom` event (the kernel's oom_kill counter grew). A `die` right
 *   after it is the same story and is not told twice.
 * - Died: a `die` with a non-zero exit code that no stop, kill, restart or
 *   remove asked for from this window (`expectStop`). A clean exit (0) is a
 *   finished job, not news. At most one "died" note per container per window.
 * - Restart loop: `loopCount` restarts (`restart` events: the restart policy's,
 *   or anyone's) within `loopWindowMs`. Told once; told again only after the
 *   container has been quiet for a whole window.
 */
import type { EventPayload } from '../../../../preload/contract';

export type ContainerEvent = EventPayload<'containers.changed'>;

export interface Note {
  kind: 'died' | 'oom' | 'loop';
  id: string;
  title: string;
  body: string;
}

export interface LoopRule {
  /** N restarts… */
  loopCount: number;
  /** …within T milliseconds. */
  loopWindowMs: number;
}

export const DEFAULT_LOOP_RULE: LoopRule = { loopCount: 3, loopWindowMs: 60_000 };

interface Track {
  restarts: number[];
  loopToldAt: number | null;
  diedToldAt: number | null;
  lastOomAt: number | null;
  expectedStop: boolean;
}

export class NotificationRules {
  private readonly tracks = new Map<string, Track>();

  constructor(private readonly rule: LoopRule = DEFAULT_LOOP_RULE) {}

  private track(id: string): Track {
    let t = this.tracks.get(id);
    if (!t) {
      t = { restarts: [], loopToldAt: null, diedToldAt: null, lastOomAt: null, expectedStop: false };
      this.tracks.set(id, t);
    }
    return t;
  }

  /** This window asked the container to stop (stop, kill, restart, remove): its next exit is no news. */
  expectStop(id: string): void {
    this.track(id).expectedStop = true;
  }

  /** The note this event calls for, or null. `name` is what the user calls the container. */
  feed(e: ContainerEvent, name: string): Note | null {
    const at = Date.parse(e.at);
    const window = this.rule.loopWindowMs;
    if (e.action === 'remove') {
      this.tracks.delete(e.id);
      return null;
    }
    const t = this.track(e.id);
    switch (e.action) {
      case 'oom':
        t.lastOomAt = at;
        return {
          kind: 'oom',
          id: e.id,
          title: `${name} was OOM-killed`,
          body: 'The kernel killed a process of this container: it reached its memory limit (memory.max).',
        };
      case 'die': {
        const expected = t.expectedStop;
        t.expectedStop = false;
        if (expected || e.exitCode === 0) return null;
        if (t.lastOomAt !== null && at - t.lastOomAt < window) return null; // told as OOM
        if (t.diedToldAt !== null && at - t.diedToldAt < window) return null;
        t.diedToldAt = at;
        const code = e.exitCode === null ? 'without an exit status' : `with exit code ${e.exitCode}`;
        return { kind: 'died', id: e.id, title: `${name} died`, body: `It exited ${code}.` };
      }
      case 'restart': {
        t.expectedStop = false;
        t.restarts = [...t.restarts.filter((r) => at - r < window), at];
        if (t.loopToldAt !== null && at - t.loopToldAt < window) {
          t.loopToldAt = at; // still looping: stay quiet, keep the window open
          return null;
        }
        if (t.restarts.length < this.rule.loopCount) return null;
        t.loopToldAt = at;
        return {
          kind: 'loop',
          id: e.id,
          title: `${name} is restarting in a loop`,
          body: `${t.restarts.length} restarts within ${Math.round(window / 1000)} s.`,
        };
      }
      default:
        return null;
    }
  }
}
