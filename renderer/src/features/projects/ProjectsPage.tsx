/**
 * The Projects page: `#/projects` lists the compose projects found in the
 * containers' labels; `#/projects/<name>` is one project: its services with
 * each container's kernel facts (pid, addresses, cgroup), its labelled
 * networks and volumes, and the project actions; `#/projects/<name>/logs`
 * its merged logs. Everything is derived from the containers, networks and
 * volumes lists (their own caches and events), so it is as current as they are.
 */
import '../../ui/facts.css';
import '../containers/containers.css';
import './projects.css';
import { useQueries, useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useBerth } from '../../app/client';
import { ErrorView } from '../../app/ErrorView';
import { useHash } from '../../app/hash';
import { usePreferences } from '../../app/preferences/preferences';
import { Fact } from '../../ui/Facts';
import { formatBytes } from '../../ui/units';
import { ActionFailureBanner } from '../containers/actions';
import { containersQueries, type ContainerSummary } from '../containers/queries';
import { detailsHref } from '../containers/route';
import { StatePill } from '../containers/ui';
import { networksQueries } from '../networks/queries';
import { volumesQueries } from '../volumes/queries';
import { cgroupText, groupByProject, projectNetworks, projectVolumes, serviceOf, type Project } from './group';
import { ProjectActions, type ProjectFailure } from './ProjectActions';
import { projectSummary } from './ProjectGroupRow';
import { ProjectLogs } from './ProjectLogs';
import { parseProjectsHash, projectHref } from './route';
import { COMPOSE } from './labels';

function useProjects() {
  const client = useBerth();
  const q = useQuery(containersQueries.list(client, { all: true }));
  return { q, grouped: groupByProject(q.data ?? []) };
}

function ProjectsList(): ReactNode {
  const { q, grouped } = useProjects();
  const prefs = usePreferences();
  const [failure, setFailure] = useState<ProjectFailure | null>(null);
  return (
    <section className="page ctr-page prj-page" aria-labelledby="projects-title" aria-busy={q.isFetching}>
      <header className="page-header">
        <div>
          <h1 id="projects-title">Projects</h1>
          <p className="subtitle">
            Compose projects: containers, networks and volumes labelled <code>{COMPOSE.project}</code>
          </p>
        </div>
      </header>
      <ActionFailureBanner failure={failure} onDismiss={() => setFailure(null)} />
      {q.isError && !q.data ? (
        <ErrorView error={q.error} title="Could not list containers" onRetry={() => void q.refetch()} />
      ) : q.isPending ? (
        <p className="loading">Asking the helper for its containers…</p>
      ) : grouped.projects.length === 0 ? (
        <div className="ctr-empty">
          <p>No compose projects.</p>
          <p className="muted">
            <code>berth compose up</code> labels what it makes with its project; containers so labelled are grouped here
            and on the Containers page.
          </p>
        </div>
      ) : (
        <table className="table prj-table" aria-label="Projects">
          <thead>
            <tr>
              <th scope="col">Project</th>
              <th scope="col">Services</th>
              <th scope="col">Running</th>
              <th scope="col">Working dir</th>
              <th scope="col" className="ctr-actions-col">
                Actions
              </th>
            </tr>
          </thead>
          <tbody>
            {grouped.projects.map((p) => (
              <tr key={p.name} data-project={p.name}>
                <th scope="row">
                  <a href={projectHref(p.name)}>{p.name}</a>
                </th>
                <td>{p.services.join(', ')}</td>
                <td>
                  {p.running}/{p.total}
                </td>
                <td className="mono">{p.workingDir ?? '—'}</td>
                <td className="ctr-actions-col">
                  <ProjectActions project={p} timeoutSec={prefs.stopTimeoutSeconds} onFailure={setFailure} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Addresses on every network the container is on; the default bridge's too. */
function addresses(c: ContainerSummary): string {
  const named = c.network.networks.filter((n) => n.ip).map((n) => `${n.ip} (${n.network})`);
  if (c.network.ip && !c.network.networks.some((n) => n.ip === c.network.ip)) named.unshift(c.network.ip);
  return named.join(', ') || '—';
}

function ServicesTable({ project }: { project: Project }): ReactNode {
  const client = useBerth();
  // One inspect per container, for the cgroup path (the list does not carry it); cached per container.
  const details = useQueries({
    queries: project.containers.map((c) => containersQueries.detail(client, c.id)),
  });
  return (
    <table className="table prj-table prj-services" aria-label={`Services of ${project.name}`}>
      <thead>
        <tr>
          <th scope="col">Service</th>
          <th scope="col">Container</th>
          <th scope="col">State</th>
          <th scope="col" title="containers.list network: per network, the address it holds">
            Addresses
          </th>
          <th scope="col" title="the init's pid in the host's pid namespace">
            PID
          </th>
          <th scope="col" title="the cgroup the engine put it in (/sys/fs/cgroup/…)">
            Cgroup
          </th>
        </tr>
      </thead>
      <tbody>
        {project.containers.map((c, i) => {
          const d = details[i];
          return (
            <tr key={c.id} data-id={c.id}>
              <th scope="row">{serviceOf(c)}</th>
              <td>
                <a href={detailsHref(c.id)}>{c.name}</a>
              </td>
              <td>
                <StatePill c={c} />
              </td>
              <td className="mono">{addresses(c)}</td>
              <td className="mono">{c.pid ?? '—'}</td>
              <td className="mono prj-cgroup" title={d?.data?.paths.cgroups.join('\n')}>
                {d?.data ? cgroupText(d.data.paths.cgroups) : d?.isError ? 'unavailable' : '…'}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function ProjectView({ name, tab }: { name: string; tab: 'overview' | 'logs' }): ReactNode {
  const client = useBerth();
  const { q, grouped } = useProjects();
  const prefs = usePreferences();
  const networks = useQuery(networksQueries.list(client));
  const volumes = useQuery(volumesQueries.list(client));
  const [failure, setFailure] = useState<ProjectFailure | null>(null);
  const found = grouped.projects.find((p) => p.name === name);
  // Networks or volumes can outlive the containers (a Down that stopped part way): still a project to act on.
  const project: Project = found ?? {
    name,
    containers: [],
    services: [],
    running: 0,
    total: 0,
    workingDir: null,
    configFiles: [],
  };
  const nets = projectNetworks(name, networks.data ?? []);
  const vols = projectVolumes(name, volumes.data ?? []);
  const empty = !found && nets.length === 0 && vols.length === 0;
  return (
    <section className="page ctr-page prj-page" aria-labelledby="project-title" aria-busy={q.isFetching}>
      <p className="prj-crumbs">
        <a href="#/projects">Projects</a> / <span>{name}</span>
      </p>
      <header className="page-header">
        <div>
          <h1 id="project-title">{name}</h1>
          <p className="subtitle">compose project · {projectSummary(project)}</p>
        </div>
        {!empty && (
          <ProjectActions
            project={project}
            timeoutSec={prefs.stopTimeoutSeconds}
            onFailure={setFailure}
            onDown={() => (window.location.hash = '#/projects')}
            showLogs={false}
          />
        )}
      </header>
      <ActionFailureBanner failure={failure} onDismiss={() => setFailure(null)} />
      {q.isError && <ErrorView error={q.error} title="Could not list containers" onRetry={() => void q.refetch()} />}
      {q.isPending ? (
        <p className="loading">Asking the helper for its containers…</p>
      ) : empty ? (
        <div className="ctr-empty">
          <p>
            No container, network or volume is labelled <code>{`${COMPOSE.project}=${name}`}</code>.
          </p>
          <a href="#/projects">All projects</a>
        </div>
      ) : (
        <>
          <nav className="prj-tabs" aria-label="Project views">
            <a href={projectHref(name)} aria-current={tab === 'overview' ? 'page' : undefined}>
              Overview
            </a>
            <a href={projectHref(name, 'logs')} aria-current={tab === 'logs' ? 'page' : undefined}>
              Logs
            </a>
          </nav>
          {tab === 'logs' ? (
            <ProjectLogs project={project} />
          ) : (
            <>
              <dl className="facts">
                <Fact k="Working dir">
                  <span className="mono">{project.workingDir ?? '—'}</span>
                </Fact>
                <Fact k="Config files">
                  <span className="mono">{project.configFiles.join(', ') || '—'}</span>
                </Fact>
              </dl>
              <h2>Services</h2>
              {project.containers.length === 0 ? (
                <p className="muted">No containers.</p>
              ) : (
                <ServicesTable project={project} />
              )}
              <h2>Networks</h2>
              {networks.isError && <ErrorView error={networks.error} title="Could not list the networks" />}
              {nets.length === 0 ? (
                <p className="muted">No network labelled with this project.</p>
              ) : (
                <table className="table prj-table" aria-label={`Networks of ${name}`}>
                  <thead>
                    <tr>
                      <th scope="col">Network</th>
                      <th scope="col">Subnet</th>
                      <th scope="col">Gateway</th>
                      <th scope="col" title="the Linux bridge (ip link)">
                        Bridge
                      </th>
                      <th scope="col">Containers</th>
                    </tr>
                  </thead>
                  <tbody>
                    {nets.map((n) => (
                      <tr key={n.id}>
                        <th scope="row" className="mono">
                          {n.name}
                        </th>
                        <td className="mono">{n.subnet ?? '—'}</td>
                        <td className="mono">{n.gateway ?? '—'}</td>
                        <td className="mono">{n.bridge ?? '—'}</td>
                        <td>{n.containerCount}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <h2>Volumes</h2>
              {volumes.isError && <ErrorView error={volumes.error} title="Could not list the volumes" />}
              {vols.length === 0 ? (
                <p className="muted">No volume labelled with this project.</p>
              ) : (
                <table className="table prj-table" aria-label={`Volumes of ${name}`}>
                  <thead>
                    <tr>
                      <th scope="col">Volume</th>
                      <th scope="col">Mountpoint</th>
                      <th scope="col">Size</th>
                      <th scope="col">Used by</th>
                    </tr>
                  </thead>
                  <tbody>
                    {vols.map((v) => (
                      <tr key={v.name}>
                        <th scope="row" className="mono">
                          {v.name}
                        </th>
                        <td className="mono">{v.mountpoint}</td>
                        <td>{v.sizeBytes === null ? '—' : formatBytes(v.sizeBytes)}</td>
                        <td>{v.users.map((u) => u.name).join(', ') || '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          )}
        </>
      )}
    </section>
  );
}

export function ProjectsPage(): ReactNode {
  const hash = useHash();
  const loc = parseProjectsHash(hash) ?? { view: 'list' };
  return loc.view === 'project' ? <ProjectView key={loc.name} name={loc.name} tab={loc.tab} /> : <ProjectsList />;
}
