/**
 * The System page: every fact `system.info` returns, each next to the kernel
 * evidence it came from (statfs magic, /proc paths, sysctl files).
 */
import '../../ui/facts.css';
import './system.css';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { SystemInfo } from '../../../../preload/contract';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { Facts, Mono } from '../../ui/Facts';
import { systemQueries } from './queries';

type Cgroup = SystemInfo['cgroup'];

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d} d ${pad(h)} h ${pad(m)} m`;
  if (h > 0) return `${h} h ${pad(m)} m ${pad(sec)} s`;
  return `${m} m ${pad(sec)} s`;
}

function Card({
  title,
  wide,
  children,
  id,
}: {
  title: string;
  wide?: 'full' | 'half';
  children: ReactNode;
  id: string;
}): ReactNode {
  return (
    <section className={`card${wide ? ` card-${wide}` : ''}`} aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function YesNo({ value, yes, no }: { value: boolean; yes: string; no: string }): ReactNode {
  return <span className={`pill ${value ? 'pill-ok' : 'pill-no'}`}>{value ? yes : no}</span>;
}

function CgroupModeBadge({ mode }: { mode: Cgroup['mode'] }): ReactNode {
  return (
    <span
      className={`mode-badge mode-${mode}`}
      role="status"
      aria-label={`cgroup mode ${mode}`}
      data-testid="cgroup-mode"
    >
      {mode}
    </span>
  );
}

function CgroupCard({ cg }: { cg: Cgroup }): ReactNode {
  return (
    <Card title="Cgroups" id="card-cgroups" wide="full">
      <div className="cgroup-head">
        <CgroupModeBadge mode={cg.mode} />
        <Facts
          rows={[
            [
              'evidence',
              <Mono>
                statfs {cg.root}: {cg.rootFsType} {cg.rootFsMagic}
              </Mono>,
            ],
            [
              'unified mount point',
              cg.unifiedMountPoint ? <Mono>{cg.unifiedMountPoint}</Mono> : <span className="muted">none</span>,
            ],
          ]}
        />
      </div>
      <table className="table" aria-label="cgroup hierarchies">
        <caption>Hierarchies ({cg.hierarchies.length})</caption>
        <thead>
          <tr>
            <th scope="col" className="narrow">
              Version
            </th>
            <th scope="col">Controllers</th>
            <th scope="col">Mount point</th>
          </tr>
        </thead>
        <tbody>
          {cg.hierarchies.map((h) => (
            <tr key={h.mountPoint}>
              <td className="narrow">
                <span className={`ver ver-${h.version}`}>v{h.version}</span>
              </td>
              <td className="mono">
                {h.controllers.length > 0 ? (
                  h.controllers.join(' ')
                ) : h.name ? (
                  <span className="muted">name={h.name}</span>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td className="mono">{h.mountPoint}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

function NamespacesCard({ ns }: { ns: SystemInfo['namespaces'] }): ReactNode {
  return (
    <Card title="Namespaces" id="card-namespaces" wide="half">
      <table className="table" aria-label="namespace types">
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Available</th>
            <th scope="col">Clone flag</th>
            <th scope="col">/proc path</th>
          </tr>
        </thead>
        <tbody>
          {ns.map((n) => (
            <tr key={n.type}>
              <th scope="row">{n.type}</th>
              <td>
                <YesNo value={n.available} yes="available" no="not available" />
              </td>
              <td className="mono">{n.cloneFlag}</td>
              <td className="mono">{n.path}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

function UserNamespacesCard({ userns }: { userns: SystemInfo['userNamespaces'] }): ReactNode {
  const evidence = Object.entries(userns.evidence);
  return (
    <Card title="Unprivileged user namespaces" id="card-userns">
      <Facts rows={[['allowed', <YesNo value={userns.unprivilegedAllowed} yes="allowed" no="not allowed" />]]} />
      {evidence.length > 0 ? (
        <table className="table" aria-label="user namespace evidence">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {evidence.map(([file, value]) => (
              <tr key={file}>
                <td className="mono">{file}</td>
                <td className="mono">{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No evidence files were readable.</p>
      )}
    </Card>
  );
}

function SystemCards({ info }: { info: SystemInfo }): ReactNode {
  const h = info.helper;
  return (
    <div className="cards">
      <Card title="Kernel" id="card-kernel">
        <Facts
          rows={[
            ['release', <Mono>{info.kernel.release}</Mono>],
            ['machine', <Mono>{info.kernel.machine}</Mono>],
            ['version', <Mono>{info.kernel.version}</Mono>],
          ]}
        />
      </Card>
      <Card title="Overlayfs" id="card-overlay">
        <Facts
          rows={[
            ['supported', <YesNo value={info.overlay.supported} yes="supported" no="not supported" />],
            ['evidence', <Mono>{info.overlay.evidence}</Mono>],
          ]}
        />
      </Card>
      <UserNamespacesCard userns={info.userNamespaces} />
      <CgroupCard cg={info.cgroup} />
      <NamespacesCard ns={info.namespaces} />
      <Card title="Helper" id="card-helper" wide="half">
        <Facts
          rows={[
            ['pid', <Mono>{h.pid}</Mono>],
            ['uid', <Mono>{h.uid}</Mono>],
            ['serving uid', <Mono>{h.ownerUid}</Mono>],
            ['started via', <Mono>{h.startedVia}</Mono>],
            ['started at', <Mono>{h.startedAt}</Mono>],
            ['uptime', <Mono>{formatDuration(h.uptimeSeconds)}</Mono>],
            ['socket', <Mono>{h.socketPath}</Mono>],
            ['version', <Mono>{h.version}</Mono>],
            ['node', <Mono>{h.node}</Mono>],
          ]}
        />
      </Card>
      <Card title="Data root" id="card-dataroot" wide="half">
        <Facts rows={[['path', <Mono>{info.dataRoot}</Mono>]]} />
      </Card>
    </div>
  );
}

export function SystemPage(): ReactNode {
  const client = useBerth();
  const q = useQuery(systemQueries.info(client));
  const updated = q.dataUpdatedAt ? new Date(q.dataUpdatedAt).toLocaleTimeString() : null;
  return (
    <section className="page" aria-labelledby="system-title" aria-busy={q.isFetching}>
      <header className="page-header">
        <div>
          <h1 id="system-title">System</h1>
          <p className="subtitle">Kernel, cgroup, overlay and namespace facts as the helper sees them</p>
        </div>
        <div className="page-actions">
          {updated && <span className="muted">updated {updated}</span>}
          <button type="button" className="button" onClick={() => void q.refetch()} disabled={q.isFetching}>
            {q.isFetching ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </header>
      {q.data ? (
        <>
          {q.isError && <ErrorView error={q.error} title="Refresh failed; showing the last answer" />}
          <SystemCards info={q.data} />
        </>
      ) : q.isError ? (
        <ErrorView error={q.error} title="Could not read system facts" onRetry={() => void q.refetch()} />
      ) : (
        <p className="loading">Reading the kernel's answers from the helper…</p>
      )}
    </section>
  );
}
