/**
 * The merged logs of a project's containers: `containers.logs` per
 * container, the same method and cursor protocol as a container's Logs tab
 * (containers/LogsTab.tsx): the last lines once, then polled with the
 * engine's cursor every second while that container runs. A container that
 * stops is read once more (its last lines) and then left alone until it runs
 * again; one that joins the project (Up, Restart) is picked up.
 */
import { useEffect, useRef, useState } from 'react';
import { useBerth } from '../../app/client';
import { mergeBatch, timeKey, type MergedLine } from './merge-logs';

const POLL_MS = 1000;
const FIRST_TAIL = 500;
export const MAX_LINES = 5000;

export interface LogSource {
  id: string;
  name: string;
  service: string;
  live: boolean;
}

export interface ProjectLogs {
  lines: MergedLine[];
  dropped: number;
  /** The last failure per container name (cleared by its next good read). */
  errors: { name: string; error: unknown }[];
}

export function useProjectLogs(sources: readonly LogSource[]): ProjectLogs {
  const client = useBerth();
  const [buf, setBuf] = useState<{ lines: MergedLine[]; dropped: number }>({ lines: [], dropped: 0 });
  const [errors, setErrors] = useState<Map<string, unknown>>(new Map());
  const cursors = useRef(new Map<string, string>());
  const seq = useRef(0);
  // Re-run only when who is there, or who runs, changes (not on every new array).
  const signature = JSON.stringify(sources.map((s) => [s.id, s.name, s.service, s.live]));

  useEffect(() => {
    let stopped = false;
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const setError = (name: string, error: unknown) =>
      setErrors((prev) => {
        if (!prev.has(name) && error === null) return prev;
        const next = new Map(prev);
        if (error === null) next.delete(name);
        else next.set(name, error);
        return next;
      });
    const poll = async (s: LogSource): Promise<void> => {
      let again = s.live;
      try {
        const cursor = cursors.current.get(s.id);
        const r = await client.invoke(
          'containers.logs',
          cursor === undefined ? { id: s.id, tail: FIRST_TAIL } : { id: s.id, cursor },
        );
        if (stopped) return;
        cursors.current.set(s.id, r.cursor);
        again = s.live && r.running;
        setError(s.name, null);
        if (r.lines.length > 0) {
          const batch = r.lines.map((l): MergedLine => ({
            ...l,
            key: seq.current++,
            at: timeKey(l.t),
            id: s.id,
            service: s.service,
          }));
          setBuf((prev) => {
            const m = mergeBatch(prev.lines, batch, MAX_LINES);
            return { lines: m.lines, dropped: prev.dropped + m.dropped };
          });
        }
      } catch (err) {
        if (stopped) return;
        setError(s.name, err);
      }
      if (again && !stopped) {
        const t = setTimeout(() => {
          timers.delete(t);
          void poll(s);
        }, POLL_MS);
        timers.add(t);
      }
    };
    const list = (JSON.parse(signature) as [string, string, string, boolean][]).map(
      ([id, name, service, live]): LogSource => ({ id, name, service, live }),
    );
    for (const s of list) void poll(s);
    return () => {
      stopped = true;
      timers.forEach((t) => clearTimeout(t));
    };
  }, [client, signature]);

  return { ...buf, errors: [...errors.entries()].map(([name, error]) => ({ name, error })) };
}
