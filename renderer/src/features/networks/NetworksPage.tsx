/**
 * The Networks page: every network as `docker network ls` shows it (the
 * built-in bridge, host and none first), Create (name, optional subnet and
 * gateway, internal), Inspect (the bridge, subnet, the address table and nft
 * table it lives in, and each attached container with its address, aliases
 * and interfaces), and Remove, which the engine refuses while containers are
 * attached (the error names them).
 */
import '../../ui/table.css';
import './networks.css';
import { useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { useBerth } from '../../app/client';
import { Dialog } from '../../app/Dialog';
import { ErrorView } from '../../app/ErrorView';
import { useCreateNetwork, useRemoveNetwork } from './hooks';
import { networksQueries, type NetworkSummary } from './queries';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const CIDR_RE = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;
const IP_RE = /^\d{1,3}(\.\d{1,3}){3}$/;

/** What the create form would send, or why it cannot. */
export function createProblem(f: { name: string; subnet: string; gateway: string }): string | null {
  const name = f.name.trim();
  if (!name) return 'Enter a name';
  if (!NAME_RE.test(name) || name.length > 64) return 'Letters, digits, _ . - (starting with a letter or digit)';
  if (['bridge', 'host', 'none'].includes(name)) return `${name} is a built-in network`;
  if (f.subnet.trim() && !CIDR_RE.test(f.subnet.trim())) return 'Subnet: an IPv4 CIDR such as 10.90.0.0/24';
  if (f.gateway.trim() && !IP_RE.test(f.gateway.trim())) return 'Gateway: an IPv4 address';
  if (f.gateway.trim() && !f.subnet.trim()) return 'A gateway needs a subnet';
  return null;
}

/** One labelled text input of the create form (monospace: names and addresses). */
function NetField(p: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  invalid?: boolean;
  describedBy?: string;
  autoFocus?: boolean;
}): ReactNode {
  const id = useId();
  return (
    <>
      <label htmlFor={id} className="net-field-label">
        {p.label}
      </label>
      <input
        id={id}
        className={`net-input${p.invalid ? ' net-input-invalid' : ''}`}
        value={p.value}
        placeholder={p.placeholder}
        autoFocus={p.autoFocus}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={p.invalid}
        aria-describedby={p.describedBy}
        onChange={(e) => p.onChange(e.target.value)}
      />
    </>
  );
}

function CreateNetworkDialog({ onClose }: { onClose: () => void }): ReactNode {
  const [f, setF] = useState({ name: '', subnet: '', gateway: '', internal: false });
  const [touched, setTouched] = useState(false);
  const hintId = useId();
  const problem = createProblem(f);
  const m = useCreateNetwork({ onSuccess: () => onClose() });
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setTouched(true);
    if (problem) return;
    m.mutate({
      name: f.name.trim(),
      ...(f.subnet.trim() ? { subnet: f.subnet.trim() } : {}),
      ...(f.gateway.trim() ? { gateway: f.gateway.trim() } : {}),
      internal: f.internal,
    });
  };
  const showProblem = problem !== null && (touched || f.name !== '');
  return (
    <Dialog title="Create network" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <p className="muted">
          A Linux bridge with its own subnet. Containers on it reach each other by name and alias; other networks cannot
          reach them.
        </p>
        <NetField
          label="Name"
          value={f.name}
          onChange={(name) => setF({ ...f, name })}
          invalid={showProblem}
          describedBy={hintId}
          autoFocus
        />
        <NetField
          label="Subnet (optional)"
          value={f.subnet}
          onChange={(subnet) => setF({ ...f, subnet })}
          placeholder="a free /24 from 10.89.0.0/16"
        />
        <NetField
          label="Gateway (optional)"
          value={f.gateway}
          onChange={(gateway) => setF({ ...f, gateway })}
          placeholder="the subnet's first address"
        />
        <label className="net-check">
          <input type="checkbox" checked={f.internal} onChange={(e) => setF({ ...f, internal: e.target.checked })} />
          Internal (no traffic leaves the network)
        </label>
        <p
          id={hintId}
          className={showProblem ? 'net-field-error' : 'net-field-hint'}
          role={showProblem ? 'alert' : undefined}
        >
          {showProblem ? problem : 'The bridge is made at once; its subnet must not overlap another network or route.'}
        </p>
        {m.isError && <ErrorView error={m.error} title="The engine refused the network" />}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={m.isPending}>
            {m.isPending ? 'Creating…' : 'Create'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function RemoveNetworkDialog({ network, onClose }: { network: NetworkSummary; onClose: () => void }): ReactNode {
  const m = useRemoveNetwork({ onSuccess: () => onClose() });
  return (
    <Dialog title={`Remove ${network.name}`} onClose={onClose}>
      <p>
        Deletes the bridge <code>{network.bridge}</code>, its address table and its nftables elements.
      </p>
      {m.isError && <ErrorView error={m.error} title="The engine refused to remove the network" />}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="button button-danger"
          disabled={m.isPending}
          onClick={() => m.mutate({ id: network.id })}
        >
          {m.isPending ? 'Removing…' : 'Remove'}
        </button>
      </div>
    </Dialog>
  );
}

function NetworkDetails({ id }: { id: string }): ReactNode {
  const client = useBerth();
  const q = useQuery(networksQueries.detail(client, id));
  if (q.isError)
    return <ErrorView error={q.error} title="Could not inspect the network" onRetry={() => void q.refetch()} />;
  if (!q.data) return <p className="loading">Asking the helper…</p>;
  const n = q.data;
  return (
    <section className="card card-full" aria-labelledby="net-detail-title">
      <div className="net-title-row">
        <h2 id="net-detail-title">Network {n.name}</h2>
        <span className="muted mono">{n.id.slice(0, 12)}</span>
      </div>
      <dl className="net-facts">
        <dt>driver</dt>
        <dd>{n.driver}</dd>
        <dt>bridge</dt>
        <dd className="mono">{n.bridge ?? '—'}</dd>
        <dt>subnet</dt>
        <dd className="mono">{n.subnet ?? '—'}</dd>
        <dt>gateway</dt>
        <dd className="mono">{n.gateway ?? '—'}</dd>
        <dt>egress</dt>
        <dd>{n.driver !== 'bridge' ? '—' : n.internal ? 'none (internal)' : 'masquerade out of the host'}</dd>
        <dt>address table</dt>
        <dd className="mono">{n.paths.ipam ?? '—'}</dd>
        <dt>nftables</dt>
        <dd className="mono">{n.paths.nftTable ? `table ip ${n.paths.nftTable}` : '—'}</dd>
      </dl>
      {n.containers.length === 0 ? (
        <p className="net-empty-note">No container is attached.</p>
      ) : (
        <table className="table row-table" aria-label={`Containers on ${n.name}`}>
          <thead>
            <tr>
              <th scope="col">Container</th>
              <th scope="col">State</th>
              <th scope="col">Address</th>
              <th scope="col">Aliases</th>
              <th scope="col">Interface</th>
              <th scope="col">Host veth</th>
            </tr>
          </thead>
          <tbody>
            {n.containers.map((c) => (
              <tr key={c.containerId}>
                <th scope="row" className="mono net-name">
                  {c.containerName}
                </th>
                <td>{c.state}</td>
                <td className="mono">{c.ip ?? c.ipRequested ?? '—'}</td>
                <td className="mono">{c.aliases.join(', ') || '—'}</td>
                <td className="mono">{c.ifname ?? '—'}</td>
                <td className="mono">{c.hostVeth ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function NetworksPage(): ReactNode {
  const client = useBerth();
  const q = useQuery({ ...networksQueries.list(client), refetchOnMount: 'always' });
  const [creating, setCreating] = useState(false);
  const [removing, setRemoving] = useState<NetworkSummary | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const shown = selected && q.data?.some((n) => n.id === selected) ? selected : null;
  return (
    <section className="page" aria-labelledby="networks-title" aria-busy={q.isFetching}>
      <header className="page-header">
        <div>
          <h1 id="networks-title">Networks</h1>
          <p className="subtitle">
            Bridge networks: names resolve inside each one (a managed <code>/etc/hosts</code>), nftables keeps them
            apart.
          </p>
        </div>
        <div className="page-actions">
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            Create network…
          </button>
          <button type="button" className="button" onClick={() => void q.refetch()} disabled={q.isFetching}>
            {q.isFetching ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </header>
      {q.isError && (
        <ErrorView
          error={q.error}
          title={q.data ? 'Refresh failed; showing the last answer' : 'Could not list networks'}
          onRetry={() => void q.refetch()}
        />
      )}
      {q.data ? (
        <section className="card card-full" aria-labelledby="net-list-title">
          <div className="net-title-row">
            <h2 id="net-list-title">Networks</h2>
            <span className="muted">{q.data.length} networks</span>
          </div>
          <table className="table row-table" aria-label="Networks">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">ID</th>
                <th scope="col">Driver</th>
                <th scope="col">Subnet</th>
                <th scope="col">Gateway</th>
                <th scope="col">Containers</th>
                <th scope="col" className="actions-col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {q.data.map((n) => (
                <tr key={n.id} data-network={n.name} className={shown === n.id ? 'net-row-selected' : undefined}>
                  <th scope="row" className="mono net-name">
                    {n.name}
                    {n.builtin && <span className="net-badge">built-in</span>}
                    {n.internal && <span className="net-badge net-badge-internal">internal</span>}
                  </th>
                  <td className="mono" title={n.id}>
                    {n.id.slice(0, 12)}
                  </td>
                  <td>{n.driver}</td>
                  <td className="mono">{n.subnet ?? '—'}</td>
                  <td className="mono">{n.gateway ?? '—'}</td>
                  <td>{n.containerCount}</td>
                  <td className="actions-col">
                    <div className="row-actions">
                      <button
                        type="button"
                        className="button button-small"
                        aria-label={`Inspect ${n.name}`}
                        aria-pressed={shown === n.id}
                        onClick={() => setSelected(shown === n.id ? null : n.id)}
                      >
                        Inspect
                      </button>
                      {!n.builtin && (
                        <button
                          type="button"
                          className="button button-small button-danger-quiet"
                          aria-label={`Remove ${n.name}`}
                          onClick={() => setRemoving(n)}
                        >
                          Remove
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : (
        !q.isError && <p className="loading">Asking the helper for its networks…</p>
      )}
      {shown && <NetworkDetails id={shown} />}
      {creating && <CreateNetworkDialog onClose={() => setCreating(false)} />}
      {removing && <RemoveNetworkDialog network={removing} onClose={() => setRemoving(null)} />}
    </section>
  );
}
