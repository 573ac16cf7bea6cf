/**
 * A project's logs in one view (docker compose logs -f): every container's
 * lines merged by time, each prefixed with its service (and its container
 * number when a service has several), one colour per service. Follows the
 * bottom like the container Logs tab; a service filter and a search narrow it.
 */
import { useDeferredValue, useMemo, useState, type ReactNode } from 'react';
import { ErrorView } from '../../app/ErrorView';
import { isLive } from '../containers/format';
import { useFollowBottom } from '../containers/useFollowBottom';
import { COMPOSE } from './labels';
import { serviceColour, serviceOf, type Project } from './group';
import { useProjectLogs, type LogSource } from './useProjectLogs';

/** "web" for a service's only container, "web-2" when it has several. */
function prefixes(project: Project): Map<string, string> {
  const counts = new Map<string, number>();
  for (const c of project.containers) counts.set(serviceOf(c), (counts.get(serviceOf(c)) ?? 0) + 1);
  return new Map(
    project.containers.map((c) => {
      const s = serviceOf(c);
      return [c.id, (counts.get(s) ?? 0) > 1 ? `${s}-${c.labels[COMPOSE.number] ?? c.name}` : s];
    }),
  );
}

export function ProjectLogs({ project }: { project: Project }): ReactNode {
  const sources = useMemo(
    (): LogSource[] =>
      project.containers.map((c) => ({ id: c.id, name: c.name, service: serviceOf(c), live: isLive(c.state) })),
    [project],
  );
  const names = useMemo(() => prefixes(project), [project]);
  const width = Math.max(0, ...[...names.values()].map((n) => n.length));
  const { lines, dropped, errors } = useProjectLogs(sources);
  const [service, setService] = useState('');
  const [search, setSearch] = useState('');
  const needle = useDeferredValue(search.trim().toLowerCase());
  const live = project.running > 0;

  const shown = useMemo(
    () =>
      lines.filter((l) => (!service || l.service === service) && (!needle || l.line.toLowerCase().includes(needle))),
    [lines, service, needle],
  );

  const { view, follow, setFollow, onScroll } = useFollowBottom(shown);

  return (
    <div className="ctr-logs prj-logs">
      <div className="ctr-toolbar">
        <input
          type="search"
          className="ctr-search"
          placeholder="Search lines"
          aria-label="Search logs"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <select aria-label="Service" value={service} onChange={(e) => setService(e.target.value)}>
          <option value="">every service</option>
          {project.services.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <label className="ctr-check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Follow
        </label>
        <span className="muted ctr-count" role="status">
          {service || needle ? `${shown.length} of ${lines.length} lines` : `${lines.length} lines`}
          {dropped > 0 && ` (${dropped} older dropped from view)`}
          {live ? ' · live' : ' · stopped'}
        </span>
      </div>
      {errors.map((e) => (
        <ErrorView key={e.name} error={e.error} title={`Could not read the logs of ${e.name}`} />
      ))}
      <div
        className="ctr-logview prj-logview"
        ref={view}
        onScroll={onScroll}
        role="log"
        aria-label={`Logs of project ${project.name}`}
        tabIndex={0}
      >
        {shown.length === 0 ? (
          <div className="ctr-log-empty muted">
            {lines.length === 0 ? (live ? 'No output yet; waiting for lines…' : 'No output.') : 'No line matches.'}
          </div>
        ) : (
          shown.map((l) => {
            const prefix = names.get(l.id) ?? l.service;
            return (
              <div
                key={l.key}
                className={`ctr-log-line prj-log-line ctr-log-${l.stream}`}
                data-stream={l.stream}
                data-service={l.service}
              >
                <span
                  className={`prj-log-service prj-svc-${serviceColour(l.service, project.services)}`}
                  title={`${l.t} · ${l.stream}`}
                >
                  {prefix.padEnd(width)} |
                </span>
                <span className="ctr-log-text">{l.line}</span>
              </div>
            );
          })
        )}
      </div>
    </div>
  );
}
