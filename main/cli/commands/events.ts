/**
 * `berth events`: container and image events as docker prints them. Past
 * events come from the helper's ring (`events.list`: the newest 1024 since
 * the helper started), live ones from `events.recorded`; the two meet on the
 * ring's sequence numbers, so nothing is printed twice or lost between them.
 */
import { BerthError } from '../../../preload/errors';
import type { EngineEventT } from '../../../preload/schemas/events';
import { flag, parseArgs } from '../args';
import type { Backend } from '../../api/backend';
import type { Command } from '../command';
import { compileFormat, type TemplateValue } from '../format/index';
import { parseTimeArg } from '../time-arg';

const cli = { transport: 'cli' } as const;

/** docker's --filter keys for events; values of one key are alternatives, keys must all match. */
export type EventFilters = Map<string, string[]>;

const FILTER_KEYS = ['type', 'event', 'container', 'image'] as const;

export function parseEventFilters(specs: string[]): EventFilters {
  const f: EventFilters = new Map();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new BerthError('USAGE', `bad filter ${spec}: use KEY=VALUE`);
    const key = spec.slice(0, eq);
    const value = spec.slice(eq + 1);
    if (!(FILTER_KEYS as readonly string[]).includes(key))
      throw new BerthError('USAGE', `unknown filter ${key} (${FILTER_KEYS.map((k) => `${k}=`).join(', ')})`);
    if (key === 'type' && value !== 'container' && value !== 'image')
      throw new BerthError('USAGE', `type=${value}: berth records container and image events`);
    f.set(key, [...(f.get(key) ?? []), value]);
  }
  return f;
}

export function eventMatches(e: EngineEventT, f: EventFilters): boolean {
  const any = (key: string, test: (v: string) => boolean): boolean => {
    const vs = f.get(key);
    return vs === undefined || vs.some(test);
  };
  const named = (v: string): boolean => e.id.startsWith(v) || e.attributes.name === v;
  return (
    any('type', (v) => e.type === v) &&
    any('event', (v) => e.action === v) &&
    any('container', (v) => e.type === 'container' && named(v)) &&
    any(
      'image',
      (v) =>
        (e.type === 'container' && e.attributes.image === v) ||
        (e.type === 'image' && (e.id === v || e.id.replace(/^sha256:/, '').startsWith(v.replace(/^sha256:/, '')))),
    )
  );
}

/** docker's events.Message, field for field (what `{{json .}}` prints). */
export function dockerMessage(e: EngineEventT): Record<string, TemplateValue> {
  const ms = Date.parse(e.time);
  const legacy: Record<string, TemplateValue> =
    e.type === 'container' ? { status: e.action, id: e.id, from: e.attributes.image ?? '' } : {};
  return {
    ...legacy,
    Type: e.type,
    Action: e.action,
    Actor: { ID: e.id, Attributes: { ...e.attributes } },
    scope: 'local',
    time: Math.floor(ms / 1000),
    timeNano: ms * 1e6,
  };
}

/** docker's line: `2024-03-01T12:00:00.123000000Z container start ID (image=busybox, name=web)`. */
export function eventLine(e: EngineEventT): string {
  const attrs = Object.keys(e.attributes)
    .sort()
    .map((k) => `${k}=${e.attributes[k]}`)
    .join(', ');
  const t = new Date(e.time).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
  return `${t} ${e.type} ${e.action} ${e.id}${attrs ? ` (${attrs})` : ''}`;
}

async function pastEvents(
  b: Backend,
  sinceMs: number,
  untilMs: number | undefined,
  warn: (msg: string) => void,
): Promise<EngineEventT[]> {
  const r = await b.router.invoke('events.list', { sinceMs, ...(untilMs !== undefined ? { untilMs } : {}) }, cli);
  if (r.droppedUntil !== null && Date.parse(r.droppedUntil) >= sinceMs)
    warn(`WARNING: the helper keeps only the last ${r.capacity} events; older ones are gone\n`);
  return r.events;
}

export const eventCommands: Command[] = [
  {
    name: 'events',
    usage: 'events [--since T] [--until T] [--filter K=V] [--format json|TEMPLATE]',
    summary: 'container and image events, live (filters: type=, event=, container=, image=)',
    async run(args, ctx) {
      const p = parseArgs(args, {
        since: { value: true },
        until: { value: true },
        filter: { value: true, short: 'f', repeat: true },
        format: { value: true },
      });
      if (p.positionals.length) throw new BerthError('USAGE', 'berth events takes no arguments');
      const now = Date.now();
      const since = flag(p, 'since');
      const until = flag(p, 'until');
      const sinceMs = since === undefined ? undefined : parseTimeArg('since', since, now);
      const untilMs = until === undefined ? undefined : parseTimeArg('until', until, now);
      const filters = parseEventFilters(p.flags.get('filter') ?? []);
      const format = flag(p, 'format');
      const tmpl = format === undefined ? null : compileFormat(format === 'json' ? '{{json .}}' : format);
      const print = (e: EngineEventT): void => {
        if (!eventMatches(e, filters)) return;
        ctx.stdout.write((tmpl ? tmpl.execute(dockerMessage(e), 'event') : eventLine(e)) + '\n');
      };

      const b = ctx.backend();
      // Live events are held until the ring's answer is printed, then follow it by sequence.
      let lastSeq = -1;
      let held: EngineEventT[] | null = [];
      let stop!: () => void;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      const live = (e: EngineEventT): void => {
        if (e.seq <= lastSeq) return;
        if (untilMs !== undefined && Date.parse(e.time) > untilMs) return stop();
        lastSeq = e.seq;
        print(e);
      };
      const off = b.hub.on('events.recorded', (e) => (held ? held.push(e) : live(e)));
      try {
        // Without --since only new events are shown, as in docker.
        const past =
          sinceMs === undefined
            ? (await b.helper.ensure(), [])
            : await pastEvents(b, sinceMs, untilMs, (msg) => ctx.stderr.write(msg));
        for (const e of past) {
          lastSeq = Math.max(lastSeq, e.seq);
          print(e);
        }
        const early = held;
        held = null;
        for (const e of early) live(e);
        // docker: an --until in the past ends once the history is printed; else it streams until then.
        if (untilMs !== undefined && untilMs <= Date.now()) return 0;
        const timer = untilMs !== undefined ? setTimeout(stop, untilMs - Date.now()) : null;
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        await stopped;
        if (timer) clearTimeout(timer);
        return 0;
      } finally {
        off();
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    },
  },
];
