/**
 * The bottom bar: main's connection to the helper (`app.helperState`, kept
 * current by `helper.state` events) and the transport this page uses.
 */
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { HelperStateT } from '../../../preload/contract';
import { useBerth } from './client';
import { ErrorView } from './ErrorView';
import { appQueries } from './queries';
import { useTransportStatus } from './sync';

function helperText(s: HelperStateT): ReactNode {
  switch (s.state) {
    case 'connecting':
      return 'Helper connecting…';
    case 'connected':
      return s.pid === undefined ? 'Helper connected' : `Helper connected · pid ${s.pid}`;
    case 'disconnected':
      return s.error ? (
        <>
          Helper disconnected — <code className="error-code">{s.error.code}</code> {s.error.message}
        </>
      ) : (
        'Helper disconnected'
      );
  }
}

function HelperIndicator(): ReactNode {
  const client = useBerth();
  const q = useQuery(appQueries.helperState(client));
  const state = q.data?.state ?? (q.isError ? 'unknown' : 'loading');
  return (
    <span
      className="status-item"
      role="status"
      aria-label="Helper connection"
      data-testid="helper-state"
      data-state={state}
      title={q.data ? `since ${q.data.at}` : undefined}
    >
      <span className={`dot dot-${state}`} aria-hidden="true" />
      {q.data ? (
        helperText(q.data)
      ) : q.isError ? (
        <>
          Helper state unknown — <ErrorView error={q.error} compact />
        </>
      ) : (
        'Helper …'
      )}
    </span>
  );
}

function retryText(ms: number | undefined): string {
  return ms === undefined ? '' : `, retrying in ${ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`}`;
}

function TransportIndicator(): ReactNode {
  const client = useBerth();
  const link = useTransportStatus();
  const v = useQuery(appQueries.version(client));
  const linkText =
    link.state === 'open'
      ? null
      : link.state === 'connecting'
        ? 'connecting…'
        : link.error
          ? `not connected: ${link.error.code}: ${link.error.message}`
          : `link closed (code ${link.closeCode ?? '?'}${retryText(link.retryInMs)})`;
  return (
    <span className="status-item" aria-label="Transport" data-testid="transport" data-state={link.state}>
      <span className={`dot dot-${link.state === 'open' ? 'connected' : link.state}`} aria-hidden="true" />
      {v.data ? (
        <>
          {v.data.transport}
          {v.data.electron ? ` (Electron ${v.data.electron})` : ''} · Berth {v.data.version} · node {v.data.node}
        </>
      ) : v.isError ? (
        <>
          {client.transport} · <ErrorView error={v.error} compact />
        </>
      ) : (
        client.transport
      )}
      {linkText && <span className="status-warn"> · {linkText}</span>}
    </span>
  );
}

export function StatusBar(): ReactNode {
  return (
    <footer className="statusbar" aria-label="Status bar">
      <HelperIndicator />
      <TransportIndicator />
    </footer>
  );
}
