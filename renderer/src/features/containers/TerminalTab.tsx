/**
 * Terminal: xterm.js over an exec session that outlives the page. Opening the
 * tab reattaches to this tab's session of the container when there is one
 * (`sessions.reattach`: its id is kept in sessionStorage per container; the
 * helper sends the recent output and the pid it had), else runs
 * `containers.exec {cmd: ['sh'], tty: true, reattachable: true}`. Keystrokes
 * go to `sessions.write` (base64 of their UTF-8 bytes, in order, batched while
 * a write is in flight); `sessions.output` events are written to the terminal
 * as bytes (those the reattach's scrollback already holds, by offset, are
 * dropped); fitting the terminal calls `sessions.resize`; `sessions.exit`
 * prints "[process exited with code N]" and offers Reconnect.
 * Leaving the tab (or reloading the page) detaches: the shell keeps running
 * until the helper's idle time passes with no page attached (10 minutes by
 * default). "End session" kills it.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { EventPayload } from '../../../../preload/contract';
import { useBerth, type BerthClient } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { base64ToBytes, utf8ToBase64 } from './base64';
import { InputQueue } from './input-queue';
import type { ContainerDetail } from './queries';

type Status =
  | { kind: 'connecting' }
  | { kind: 'open'; sessionId: string; pid: number | null; reattached: boolean }
  | { kind: 'exited'; code: number | null; error?: string }
  | { kind: 'failed'; error: unknown };

const THEME = {
  background: '#15191e',
  foreground: '#d7dde5',
  cursor: '#7fb0ff',
  selectionBackground: '#34507a',
};

/** This browser tab's session of a container (sessionStorage: per tab, survives a reload). */
const storeKey = (containerId: string): string => `berth.terminal.${containerId}`;

function storedSession(containerId: string): string | null {
  try {
    return sessionStorage.getItem(storeKey(containerId));
  } catch {
    return null; // storage disabled: every visit starts a new shell
  }
}

function storeSession(containerId: string, sessionId: string | null): void {
  try {
    if (sessionId === null) sessionStorage.removeItem(storeKey(containerId));
    else sessionStorage.setItem(storeKey(containerId), sessionId);
  } catch {
    // storage disabled
  }
}

interface OpenSession {
  /** Leave the session running (the tab closes, the page reloads). */
  dispose(): void;
  /** Kill the shell. */
  end(): void;
}

function openSession(
  client: BerthClient,
  id: string,
  host: HTMLElement,
  setStatus: (s: Status) => void,
  setWriteError: (e: unknown) => void,
): OpenSession {
  const term = new Terminal({
    fontFamily: "ui-monospace, 'SFMono-Regular', 'JetBrains Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace",
    fontSize: 13,
    cursorBlink: true,
    scrollback: 5000,
    theme: THEME,
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(host);
  try {
    fit.fit();
  } catch {
    // a host without a size yet: the ResizeObserver fits it later
  }

  let disposed = false;
  let sessionId: string | null = null;
  let exited = false;
  // Offset in the session's output up to which the terminal shows it.
  let shown = 0;
  // Events that arrive before the session id is known.
  const early: Array<['out', EventPayload<'sessions.output'>] | ['exit', EventPayload<'sessions.exit'>]> = [];

  const onOutput = (e: EventPayload<'sessions.output'>) => {
    if (e.sessionId !== sessionId) return;
    const bytes = base64ToBytes(e.data);
    if (e.offset === undefined) {
      term.write(bytes);
      return;
    }
    const end = e.offset + bytes.length;
    if (end <= shown) return; // already in the scrollback
    term.write(e.offset < shown ? bytes.subarray(shown - e.offset) : bytes);
    shown = end;
  };
  const onExit = (e: EventPayload<'sessions.exit'>) => {
    if (e.sessionId !== sessionId || exited) return;
    exited = true;
    storeSession(id, null);
    input.close();
    term.write(`\r\n\x1b[2m[process exited with code ${e.exitCode ?? '?'}]\x1b[0m\r\n`);
    setStatus({ kind: 'exited', code: e.exitCode, ...(e.error ? { error: e.error } : {}) });
  };
  const unsubOut = client.subscribe('sessions.output', (e) =>
    sessionId === null ? early.push(['out', e]) : onOutput(e),
  );
  const unsubExit = client.subscribe('sessions.exit', (e) =>
    sessionId === null ? early.push(['exit', e]) : onExit(e),
  );

  const input = new InputQueue(
    (chunk) =>
      sessionId ? client.invoke('sessions.write', { sessionId, data: utf8ToBase64(chunk) }) : Promise.resolve(),
    setWriteError,
  );
  const dataSub = term.onData((d) => {
    if (sessionId && !exited) input.push(d);
  });
  const resize = (cols: number, rows: number): void => {
    if (sessionId && !exited) void client.invoke('sessions.resize', { sessionId, cols, rows }).catch(() => undefined);
  };
  const resizeSub = term.onResize(({ cols, rows }) => resize(cols, rows));
  const ro = new ResizeObserver(() => {
    if (host.clientWidth > 0 && host.clientHeight > 0) {
      try {
        fit.fit();
      } catch {
        // disposed between the observation and the callback
      }
    }
  });
  ro.observe(host);

  const opened = (sid: string, pid: number | null, reattached: boolean): void => {
    sessionId = sid;
    storeSession(id, sid);
    setStatus({ kind: 'open', sessionId: sid, pid, reattached });
    for (const [kind, e] of early.splice(0)) {
      if (kind === 'out') onOutput(e);
      else onExit(e);
    }
    term.focus();
  };

  const exec = (): void => {
    client
      .invoke('containers.exec', { id, cmd: ['sh'], tty: true, cols: term.cols, rows: term.rows, reattachable: true })
      .then(
        (r) => {
          if (disposed) {
            void client.invoke('sessions.close', { sessionId: r.sessionId, kill: true }).catch(() => undefined);
            return;
          }
          opened(r.sessionId, r.pid, false);
        },
        (err: unknown) => {
          if (disposed) return;
          early.length = 0;
          setStatus({ kind: 'failed', error: err });
        },
      );
  };

  const stored = storedSession(id);
  if (stored === null) exec();
  else {
    client.invoke('sessions.reattach', { sessionId: stored }).then(
      (r) => {
        if (disposed) {
          void client.invoke('sessions.detach', { sessionId: r.sessionId }).catch(() => undefined);
          return;
        }
        term.write(base64ToBytes(r.scrollback));
        shown = r.offset;
        opened(r.sessionId, r.pid, true);
        resize(term.cols, term.rows); // this page's size, not the last one's
      },
      () => {
        // Ended, reaped, or not ours: a new shell.
        storeSession(id, null);
        early.length = 0;
        if (!disposed) exec();
      },
    );
  }

  return {
    dispose: () => {
      disposed = true;
      input.close();
      ro.disconnect();
      dataSub.dispose();
      resizeSub.dispose();
      unsubOut();
      unsubExit();
      if (sessionId && !exited) {
        void client.invoke('sessions.detach', { sessionId }).catch(() => undefined);
      }
      term.dispose();
    },
    end: () => {
      if (sessionId && !exited) {
        void client.invoke('sessions.close', { sessionId, kill: true }).catch(() => undefined);
      }
    },
  };
}

export function TerminalTab({ id, state }: { id: string; state: ContainerDetail['state'] }): ReactNode {
  const client = useBerth();
  const host = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<Status>({ kind: 'connecting' });
  const [writeError, setWriteError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const session = useRef<OpenSession | null>(null);
  const running = state === 'running';

  useEffect(() => {
    const el = host.current;
    if (!el || !running) return;
    setStatus({ kind: 'connecting' });
    setWriteError(null);
    const s = openSession(client, id, el, setStatus, setWriteError);
    session.current = s;
    return () => {
      session.current = null;
      s.dispose();
    };
  }, [client, id, running, attempt]);

  if (!running) {
    return (
      <div className="ctr-terminal-off">
        <p>
          The container is {state}: a shell runs only inside a running container (the exec joins its namespaces and
          cgroups). Start it to open one.
        </p>
      </div>
    );
  }

  const reconnect = (
    <button type="button" className="button" onClick={() => setAttempt((a) => a + 1)}>
      Reconnect
    </button>
  );
  return (
    <div className="ctr-terminal">
      <div className="ctr-toolbar ctr-terminal-bar" role="status" aria-label="Terminal session">
        {status.kind === 'connecting' && <span className="muted">Starting sh in the container…</span>}
        {status.kind === 'open' && (
          <>
            <span>
              <span className="dot dot-connected" aria-hidden="true" /> <code>sh</code> with a tty
              {status.reattached && <span> · reattached</span>}
              {status.pid !== null && <span className="muted"> · exec monitor pid {status.pid}</span>}
              <span className="muted mono"> · session {status.sessionId.slice(0, 8)}</span>
            </span>
            <button
              type="button"
              className="button"
              title="Kill the shell. Leaving the tab keeps it running; it is ended after the helper's idle time."
              onClick={() => session.current?.end()}
            >
              End session
            </button>
          </>
        )}
        {status.kind === 'exited' && (
          <>
            <span>
              [process exited with code {status.code ?? '?'}]{status.error ? ` — ${status.error}` : ''}
            </span>
            {reconnect}
          </>
        )}
        {status.kind === 'failed' && (
          <>
            <ErrorView error={status.error} compact />
            {reconnect}
          </>
        )}
      </div>
      {writeError !== null && <ErrorView error={writeError} title="Input was not delivered" />}
      <div className="ctr-xterm" ref={host} data-testid="terminal" />
    </div>
  );
}
