/**
 * Terminal: xterm.js over an exec session. Opening the tab runs
 * `containers.exec {cmd: ['sh'], tty: true, cols, rows}`; keystrokes go to
 * `sessions.write` (base64 of their UTF-8 bytes, in order, batched while a
 * write is in flight); `sessions.output` events are written to the terminal
 * as bytes; fitting the terminal to its box calls `sessions.resize`;
 * `sessions.exit` prints "[process exited with code N]" and offers Reconnect.
 * Leaving the tab closes the session (`sessions.close {kill: true}`).
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
  | { kind: 'open'; sessionId: string; pid: number | null }
  | { kind: 'exited'; code: number | null; error?: string }
  | { kind: 'failed'; error: unknown };

const THEME = {
  background: '#15191e',
  foreground: '#d7dde5',
  cursor: '#7fb0ff',
  selectionBackground: '#34507a',
};

function openSession(
  client: BerthClient,
  id: string,
  host: HTMLElement,
  setStatus: (s: Status) => void,
  setWriteError: (e: unknown) => void,
): () => void {
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
  // Events that arrive before containers.exec has answered with the session id.
  const early: Array<['out', EventPayload<'sessions.output'>] | ['exit', EventPayload<'sessions.exit'>]> = [];

  const onOutput = (e: EventPayload<'sessions.output'>) => {
    if (e.sessionId === sessionId) term.write(base64ToBytes(e.data));
  };
  const onExit = (e: EventPayload<'sessions.exit'>) => {
    if (e.sessionId !== sessionId || exited) return;
    exited = true;
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
  const resizeSub = term.onResize(({ cols, rows }) => {
    if (sessionId && !exited) void client.invoke('sessions.resize', { sessionId, cols, rows }).catch(() => undefined);
  });
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

  client.invoke('containers.exec', { id, cmd: ['sh'], tty: true, cols: term.cols, rows: term.rows }).then(
    (r) => {
      if (disposed) {
        void client.invoke('sessions.close', { sessionId: r.sessionId, kill: true }).catch(() => undefined);
        return;
      }
      sessionId = r.sessionId;
      setStatus({ kind: 'open', sessionId: r.sessionId, pid: r.pid });
      for (const [kind, e] of early.splice(0)) {
        if (kind === 'out') onOutput(e);
        else onExit(e);
      }
      term.focus();
    },
    (err: unknown) => {
      if (disposed) return;
      early.length = 0;
      setStatus({ kind: 'failed', error: err });
    },
  );

  return () => {
    disposed = true;
    input.close();
    ro.disconnect();
    dataSub.dispose();
    resizeSub.dispose();
    unsubOut();
    unsubExit();
    if (sessionId && !exited) {
      void client.invoke('sessions.close', { sessionId, kill: true }).catch(() => undefined);
    }
    term.dispose();
  };
}

export function TerminalTab({ id, state }: { id: string; state: ContainerDetail['state'] }): ReactNode {
  const client = useBerth();
  const host = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<Status>({ kind: 'connecting' });
  const [writeError, setWriteError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const running = state === 'running';

  useEffect(() => {
    const el = host.current;
    if (!el || !running) return;
    setStatus({ kind: 'connecting' });
    setWriteError(null);
    return openSession(client, id, el, setStatus, setWriteError);
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
          <span>
            <span className="dot dot-connected" aria-hidden="true" /> <code>sh</code> with a tty
            {status.pid !== null && <span className="muted"> · exec monitor pid {status.pid}</span>}
            <span className="muted mono"> · session {status.sessionId.slice(0, 8)}</span>
          </span>
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
