/**
 * Logs: `containers.logs` read once (the last 1000 lines), then polled with
 * the engine's cursor every second while the tab is open and the container
 * runs. stdout and stderr are told apart; a search box filters lines and
 * highlights the matches; timestamps can be shown; "follow" keeps the view
 * at the bottom (scrolling up turns it off, scrolling back down on again).
 */
import { useDeferredValue, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { isLive } from './format';
import type { ContainerDetail, LogLine } from './queries';
import { useFollowBottom } from './useFollowBottom';

const POLL_MS = 1000;
const FIRST_TAIL = 1000;
/** Lines kept in the view; older ones are dropped (the file keeps them). */
export const MAX_LINES = 5000;

interface Keyed extends LogLine {
  key: number;
}

export function useLogPoll(id: string, live: boolean): { lines: Keyed[]; error: unknown; dropped: number } {
  const client = useBerth();
  const [{ lines, dropped }, setBuf] = useState<{ lines: Keyed[]; dropped: number }>({ lines: [], dropped: 0 });
  const [error, setError] = useState<unknown>(null);
  const cursor = useRef<string | undefined>(undefined);
  const seq = useRef(0);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async (): Promise<void> => {
      let again = live;
      try {
        const r = await client.invoke(
          'containers.logs',
          cursor.current === undefined ? { id, tail: FIRST_TAIL } : { id, cursor: cursor.current },
        );
        if (stopped) return;
        cursor.current = r.cursor;
        again = live && r.running;
        setError(null);
        if (r.lines.length > 0) {
          const added = r.lines.map((l) => ({ ...l, key: seq.current++ }));
          setBuf((prev) => {
            const next = prev.lines.concat(added);
            if (next.length <= MAX_LINES) return { lines: next, dropped: prev.dropped };
            const over = next.length - MAX_LINES;
            return { lines: next.slice(over), dropped: prev.dropped + over };
          });
        }
      } catch (err) {
        if (stopped) return;
        setError(err);
      }
      if (again && !stopped) timer = setTimeout(() => void tick(), POLL_MS);
    };
    // One read always (the whole tail, or what came since the last poll when
    // the container just stopped); repeated only while it runs.
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [client, id, live]);

  return { lines, error, dropped };
}

function Highlight({ text, needle }: { text: string; needle: string }): ReactNode {
  if (!needle) return text;
  const lower = text.toLowerCase();
  const n = needle.toLowerCase();
  const out: ReactNode[] = [];
  let from = 0;
  for (let at = lower.indexOf(n); at >= 0; at = lower.indexOf(n, from)) {
    if (at > from) out.push(text.slice(from, at));
    out.push(<mark key={at}>{text.slice(at, at + n.length)}</mark>);
    from = at + n.length;
  }
  if (from < text.length) out.push(text.slice(from));
  return <>{out}</>;
}

/** Local wall-clock time to the millisecond ("15:30:43.829"); the full RFC 3339 stamp is the title. */
function timeOf(t: string): string {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return t;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function LogsTab({ id, state }: { id: string; state: ContainerDetail['state'] }): ReactNode {
  const live = isLive(state);
  const { lines, error, dropped } = useLogPoll(id, live);
  const [search, setSearch] = useState('');
  const needle = useDeferredValue(search.trim());
  const [stream, setStream] = useState<'both' | 'stdout' | 'stderr'>('both');
  const [timestamps, setTimestamps] = useState(false);

  const shown = useMemo(() => {
    const n = needle.toLowerCase();
    return lines.filter((l) => (stream === 'both' || l.stream === stream) && (!n || l.line.toLowerCase().includes(n)));
  }, [lines, needle, stream]);

  const { view, follow, setFollow, onScroll } = useFollowBottom(shown, timestamps);

  return (
    <div className="ctr-logs">
      <div className="ctr-toolbar">
        <input
          type="search"
          className="ctr-search"
          placeholder="Search lines"
          aria-label="Search logs"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <select aria-label="Streams" value={stream} onChange={(e) => setStream(e.target.value as typeof stream)}>
          <option value="both">stdout + stderr</option>
          <option value="stdout">stdout</option>
          <option value="stderr">stderr</option>
        </select>
        <label className="ctr-check">
          <input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} />
          Timestamps
        </label>
        <label className="ctr-check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Follow
        </label>
        <span className="muted ctr-count" role="status">
          {needle || stream !== 'both' ? `${shown.length} of ${lines.length} lines` : `${lines.length} lines`}
          {dropped > 0 && ` (${dropped} older dropped from view)`}
          {live ? ' · live' : ' · stopped'}
        </span>
      </div>
      {error !== null && <ErrorView error={error} title="Could not read the logs" />}
      <div className="ctr-logview" ref={view} onScroll={onScroll} role="log" aria-label="Container logs" tabIndex={0}>
        {shown.length === 0 ? (
          <div className="ctr-log-empty muted">
            {lines.length === 0 ? (live ? 'No output yet; waiting for lines…' : 'No output.') : 'No line matches.'}
          </div>
        ) : (
          shown.map((l) => (
            <div key={l.key} className={`ctr-log-line ctr-log-${l.stream}`} data-stream={l.stream}>
              {timestamps && (
                <span className="ctr-log-time" title={l.t}>
                  {timeOf(l.t)}
                </span>
              )}
              <span className="ctr-log-stream" aria-label={l.stream}>
                {l.stream === 'stderr' ? 'err' : 'out'}
              </span>
              <span className="ctr-log-text">
                <Highlight text={l.line} needle={needle} />
              </span>
            </div>
          ))
        )}
      </div>
    </div>
  );
}
